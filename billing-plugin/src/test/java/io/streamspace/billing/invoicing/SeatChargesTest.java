package io.streamspace.billing.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.invoicing.MemberShares.Share;
import io.streamspace.billing.invoicing.SeatCharges.MembershipEvent;
import io.streamspace.billing.invoicing.SeatCharges.Seat;
import io.streamspace.billing.invoicing.SeatCharges.SeatLine;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Seats billed per seat and billing period, prorated to the second, with figures worked out by
 * hand. March 2026 has 31 days: 2,678,400 seconds; a seat costs 10.00 USD a period.
 */
class SeatChargesTest {

  private static final BillingPeriods UTC_PERIODS = new BillingPeriods(1, ZoneOffset.UTC);
  private static final Currency USD = Currency.getInstance("USD");
  private static final Instant FEBRUARY = Instant.parse("2026-02-01T00:00:00Z");
  private static final Instant MARCH = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant APRIL = Instant.parse("2026-04-01T00:00:00Z");
  private static final Optional<BigDecimal> TEN = Optional.of(new BigDecimal("10.00"));

  /**
   * Pro and Team: 5 seats included, soft; Enterprise: 25, soft; Hobby: 5, hard; solo: none
   * included, soft; trial: none, hard; any other plan leaves {@code members} unlimited.
   */
  private static final Function<PlanTerm, Limit> INCLUDED =
      term ->
          switch (term.planId()) {
            case "pro", "team" -> new Limit(new BigDecimal("5"), LimitKind.SOFT);
            case "enterprise" -> new Limit(new BigDecimal("25"), LimitKind.SOFT);
            case "free" -> new Limit(new BigDecimal("5"), LimitKind.HARD);
            case "solo" -> new Limit(BigDecimal.ZERO, LimitKind.SOFT);
            case "trial" -> new Limit(BigDecimal.ZERO, LimitKind.HARD);
            default -> new Limit(null, LimitKind.HARD);
          };

  private static PlanTerm term(String plan, Instant from, Instant to) {
    return new PlanTerm(plan, plan, BigDecimal.ZERO, "month", null, null, null, from, to);
  }

  private static MembershipEvent added(String member, String at, String id) {
    return new MembershipEvent(member, "member", Instant.parse(at), id);
  }

  private static MembershipEvent roleChanged(String member, String at, String id) {
    return new MembershipEvent(member, "admin", Instant.parse(at), id);
  }

  private static MembershipEvent removed(String member, String at, String id) {
    return new MembershipEvent(member, null, Instant.parse(at), id);
  }

  /**
   * acme on Pro all March: u1 (its owner) to u6 joined in February; u2's role changes on the
   * 5th; u7 joins on the 11th at 12:00:00; u3 leaves on the 16th; u4 is removed on the 20th at
   * 00:00 and added again at 05:59:30 (across the 06:00 hour); u8 joins an hour before the period
   * ends and stays into April.
   */
  private static final List<MembershipEvent> ACME =
      List.of(
          new MembershipEvent("u1", "owner", Instant.parse("2026-02-01T00:00:00Z"), "e01"),
          added("u2", "2026-02-02T00:00:00Z", "e02"),
          added("u3", "2026-02-03T00:00:00Z", "e03"),
          added("u4", "2026-02-04T00:00:00Z", "e04"),
          added("u5", "2026-02-05T00:00:00Z", "e05"),
          added("u6", "2026-02-06T00:00:00Z", "e06"),
          roleChanged("u2", "2026-03-05T09:00:00Z", "e07"),
          added("u7", "2026-03-11T12:00:00Z", "e08"),
          removed("u3", "2026-03-16T00:00:00Z", "e09"),
          removed("u4", "2026-03-20T00:00:00Z", "e10"),
          added("u4", "2026-03-20T05:59:30Z", "e11"),
          added("u8", "2026-03-31T23:00:00Z", "e12"));

  private static List<SeatLine> march(List<Seat> seats, List<PlanTerm> terms) {
    return SeatCharges.lines(seats, terms, INCLUDED, TEN, UTC_PERIODS, USD, MARCH, APRIL);
  }

  /** Each line as {@code "description quantity unit-price amount"}. */
  private static List<String> lines(List<SeatLine> lines) {
    return lines.stream()
        .map(SeatLine::line)
        .map(
            l ->
                l.description()
                    + " "
                    + l.quantity().toPlainString()
                    + " "
                    + l.unitPrice()
                    + " "
                    + l.amount())
        .toList();
  }

  /** Each member's part of the seat lines, as the invoice's breakdown shares them. */
  private static List<String> byMember(List<SeatLine> seats) {
    List<ChargeLine> charges = seats.stream().map(SeatLine::line).toList();
    List<String> parts = new ArrayList<>();
    for (Share share : MemberShares.of(charges, List.of(), List.of(), List.of(), seats, USD)) {
      parts.add(share.memberId() + " " + share.quantity().toPlainString() + " " + share.amount());
    }
    return parts;
  }

  @Test
  void theMembersBeyondTheIncludedSeatsAreBilledToTheSecond_longestStandingIncluded() {
    List<SeatLine> seats =
        march(SeatCharges.seats(ACME, null), List.of(term("pro", FEBRUARY, null)));

    // Who holds the billed seats (members by the start of their current membership):
    //   [1st 00:00, 11th 12:00)   907,200 s: u1-u6, u6 billed (6th of 5 included)
    //   [11th 12:00, 16th 00:00)  388,800 s: u1-u7, u6 and u7 billed
    //   [16th 00:00, 20th 00:00)  345,600 s: u3 left: u6 moves up into the 5, u7 billed
    //   [20th 00:00, 05:59:30)     21,570 s: u4 out: 5 members, none billed
    //   [20th 05:59:30, 31st 23:00) 1,011,630 s: u4 back, now the newest: u4 billed
    //   [31st 23:00, April)          3,600 s: u8 joins: u4 and u8 billed
    // u2's role change is no seat change. Seat-seconds: u6 907,200 + 388,800 = 1,296,000;
    // u7 388,800 + 345,600 = 734,400; u4 1,011,630 + 3,600 = 1,015,230; u8 3,600; in all
    // 3,049,230 = 1.138452 seat-months of 2,678,400 s; × 10.00 = 11.3845206… → 11.38
    assertEquals(List.of("members 1.138452 10.00 11.38"), lines(seats));
    // exact shares: u6 4.8387096…, u7 2.7419354…, u4 3.7904345…, u8 0.0134408…; floors 4.83 +
    // 2.74 + 3.79 + 0.01 = 11.37, the cent left to the largest remainder (u6's 0.87 of a cent)
    assertEquals(
        List.of("u4 0.379043 3.79", "u6 0.483871 4.84", "u7 0.274194 2.74", "u8 0.001344 0.01"),
        byMember(seats));
  }

  @Test
  void theSeatsAreTheSameWhateverOrderTheEventsArrivedIn() {
    List<Seat> inOrder = SeatCharges.seats(ACME, null);
    for (long seed = 1; seed <= 5; seed++) {
      List<MembershipEvent> shuffled = new ArrayList<>(ACME);
      Collections.shuffle(shuffled, new Random(seed));

      assertEquals(
          march(inOrder, List.of(term("pro", FEBRUARY, null))),
          march(SeatCharges.seats(shuffled, null), List.of(term("pro", FEBRUARY, null))),
          "seed " + seed);
    }
  }

  @Test
  void eventsAtOneInstantCountInTheOrderOfTheirIds_andASeatHeldNoTimeIsNone() {
    // u9's removal (id b) follows its add (id a) at the same instant: no seat at all; u10's
    // add (id d) follows its removal (id c): a member from then on; u11, a member since the 1st,
    // removed (e) and added (f) at one instant on the 10th was never out: one seat from the 1st
    List<Seat> seats =
        SeatCharges.seats(
            List.of(
                removed("u9", "2026-03-10T00:00:00Z", "b"),
                added("u9", "2026-03-10T00:00:00Z", "a"),
                added("u10", "2026-03-10T00:00:00Z", "d"),
                removed("u10", "2026-03-10T00:00:00Z", "c"),
                added("u11", "2026-03-01T00:00:00Z", "0"),
                added("u11", "2026-03-10T00:00:00Z", "f"),
                removed("u11", "2026-03-10T00:00:00Z", "e")),
            null);

    assertEquals(
        List.of(
            new Seat("u10", Instant.parse("2026-03-10T00:00:00Z"), null),
            new Seat("u11", Instant.parse("2026-03-01T00:00:00Z"), null)),
        seats);
  }

  @Test
  void theOrganizationsDeletionEndsEverySeat() {
    Instant closed = Instant.parse("2026-03-16T00:00:00Z");

    List<Seat> seats = SeatCharges.seats(ACME, closed);

    assertTrue(seats.stream().allMatch(s -> s.to() != null && !s.to().isAfter(closed)));
    // u6 alone is billed, from the 1st to the 11th at 12:00, then with u7 to the 16th:
    // 1,296,000 + 388,800 = 1,684,800 s = 0.629032 seat-months → 6.29
    assertEquals(
        List.of("members 0.629032 10.00 6.29"),
        lines(march(seats, List.of(term("pro", FEBRUARY, null)))));
  }

  @Test
  void aPlanChangeMidPeriodCountsEachPlanForItsPart() {
    // Pro (5 included) to Enterprise (25 included) on the 16th: only u6's and u7's seats before,
    // 1,296,000 + 388,800 = 1,684,800 s → 6.29, as if the team had closed then
    List<PlanTerm> terms =
        List.of(
            term("pro", FEBRUARY, Instant.parse("2026-03-16T00:00:00Z")),
            term("enterprise", Instant.parse("2026-03-16T00:00:00Z"), null));

    assertEquals(
        List.of("members 0.629032 10.00 6.29"), lines(march(SeatCharges.seats(ACME, null), terms)));
  }

  @Test
  void seatsPastAHardLimitAreBilledAllTheSameOnTheirOwnLine() {
    // Hobby (5 hard) until the 16th, then Pro (5 soft): the same seats as on Pro all month, u6's
    // 1,296,000 s and u7's 388,800 s before the 16th past the hard limit (0.629032 → 6.29), u7's
    // 345,600 s, u4's 1,015,230 s and u8's 3,600 s after (1,364,430 s = 0.509420 → 5.09)
    List<PlanTerm> terms =
        List.of(
            term("free", FEBRUARY, Instant.parse("2026-03-16T00:00:00Z")),
            term("pro", Instant.parse("2026-03-16T00:00:00Z"), null));

    List<SeatLine> seats = march(SeatCharges.seats(ACME, null), terms);

    assertEquals(
        List.of("members 0.50942 10.00 5.09", "members over hard limit 0.629032 10.00 6.29"),
        lines(seats));
    assertEquals(Meter.MEMBERS, seats.get(0).line().unit());
    assertEquals("seat-months", seats.get(0).line().unit().label());
  }

  @Test
  void aSeatHeldForWholePeriodsCostsThePriceOfEach_whateverTheirLength() {
    // one seat beyond none included, all February (28 days) and March (31 days): 2 × 10.00
    List<SeatLine> seats =
        SeatCharges.lines(
            List.of(new Seat("solo", Instant.parse("2026-01-15T08:00:00Z"), null)),
            List.of(term("solo", Instant.parse("2026-01-15T08:00:00Z"), null)),
            INCLUDED,
            TEN,
            UTC_PERIODS,
            USD,
            FEBRUARY,
            APRIL);

    assertEquals(List.of("members 2 10.00 20.00"), lines(seats));
  }

  @Test
  void nothingIsBilledWithinTheIncludedSeats_withoutAPlan_orWithoutAPrice() {
    List<Seat> personal = List.of(new Seat("ann", Instant.EPOCH, null));

    // a personal organization's one seat is within any plan's seats but none
    assertEquals(List.of(), march(personal, List.of(term("pro", FEBRUARY, null))));
    // an unlimited members limit, or no plan term at the time, includes every seat
    assertEquals(List.of(), march(personal, List.of(term("unlimited", FEBRUARY, null))));
    assertEquals(List.of(), march(personal, List.of()));
    // a currency without a seat price bills none
    assertEquals(
        List.of(),
        SeatCharges.lines(
            personal,
            List.of(term("solo", FEBRUARY, null)),
            INCLUDED,
            Optional.empty(),
            UTC_PERIODS,
            USD,
            MARCH,
            APRIL));
    // and on a plan that includes no seat, the one seat all March costs the price
    assertEquals(
        List.of("members 1 10.00 10.00"),
        lines(march(personal, List.of(term("solo", FEBRUARY, null)))));
  }

  /**
   * The second that holds a plan change counts once, exactly. 25 members since February, so 20
   * beyond the 5 included all along; the invoice runs from 10:00 to 12:00 on March 10th (7,200
   * s) and the plan changes at 10:59:59.250000, inside a second: 3,599.25 s before it, 3,600.75
   * s after, each piece billed for its exact length. Cut to whole seconds on both sides of the
   * change they were 3,599 + 3,600 = 7,199 s: 143,980 seat-seconds instead of 144,000.
   */
  @Test
  void aPlanChangeInsideASecondBillsThatSecondOnce_eachPlanForItsExactPart() {
    Instant from = Instant.parse("2026-03-10T10:00:00Z");
    Instant change = Instant.parse("2026-03-10T10:59:59.250Z");
    Instant to = Instant.parse("2026-03-10T12:00:00Z");
    List<Seat> seats = new ArrayList<>();
    for (int m = 1; m <= 25; m++) { // u01 longest-standing: u06 to u25 hold the billed seats
      seats.add(new Seat("u%02d".formatted(m), FEBRUARY.plusSeconds(m), null));
    }
    Currency vnd = Currency.getInstance("VND");
    Optional<BigDecimal> dong = Optional.of(new BigDecimal("250000"));

    // Pro to Team (5 soft each): one line of 20 × (3,599.25 + 3,600.75) = 20 × 7,200 = 144,000
    // seat-seconds = 144,000 / 2,678,400 = 0.0537634… → 0.053763 seat-months; × 10.00 =
    // 0.5376… → 0.54; × 250,000 = 13,440.86… → 13,441 dong (143,980 gave 13,438.99… → 13,439)
    List<PlanTerm> proToTeam = List.of(term("pro", FEBRUARY, change), term("team", change, null));
    List<SeatLine> usd =
        SeatCharges.lines(seats, proToTeam, INCLUDED, TEN, UTC_PERIODS, USD, from, to);
    assertEquals(List.of("members 0.053763 10.00 0.54"), lines(usd));
    // each billed member's exact seat-seconds: the whole 7,200, nobody else any
    Map<String, String> each = new TreeMap<>();
    for (int m = 6; m <= 25; m++) {
      each.put("u%02d".formatted(m), "7200");
    }
    assertEquals(each, plainSeatSeconds(usd.get(0), TEN.get()));
    assertEquals(
        List.of("members 0.053763 250000 13441"),
        lines(SeatCharges.lines(seats, proToTeam, INCLUDED, dong, UTC_PERIODS, vnd, from, to)));

    // Pro to Hobby (5 hard): the same seats on two lines, 20 × 3,599.25 = 71,985 seat-seconds
    // soft (0.0268761… → 0.026876 seat-months; 6,719.03… → 6,719 dong) and 20 × 3,600.75 =
    // 72,015 over the hard limit (0.0268873… → 0.026887; 6,721.83… → 6,722): 144,000 in all
    List<PlanTerm> proToHobby = List.of(term("pro", FEBRUARY, change), term("free", change, null));
    List<SeatLine> split =
        SeatCharges.lines(seats, proToHobby, INCLUDED, dong, UTC_PERIODS, vnd, from, to);
    assertEquals(
        List.of("members 0.026876 250000 6719", "members over hard limit 0.026887 250000 6722"),
        lines(split));
    Map<String, String> soft = plainSeatSeconds(split.get(0), dong.get());
    Map<String, String> hard = plainSeatSeconds(split.get(1), dong.get());
    assertEquals(each.keySet(), soft.keySet());
    assertEquals(each.keySet(), hard.keySet());
    assertTrue(soft.values().stream().allMatch("3599.25"::equals), soft.toString());
    assertTrue(hard.values().stream().allMatch("3600.75"::equals), hard.toString());
  }

  /**
   * A line's seat-seconds per member, for a line inside one billing period: there each member's
   * numerator is their exact seat-seconds × the price (the divisor being the period's seconds).
   */
  private static Map<String, BigDecimal> seatSeconds(SeatLine line, BigDecimal price) {
    Map<String, BigDecimal> seconds = new TreeMap<>();
    line.numerators()
        .forEach((member, n) -> seconds.put(member, n.divide(price))); // exact, or it throws
    return seconds;
  }

  /** The same, as plain figures: {@code 7200}, {@code 3599.25}. */
  private static Map<String, String> plainSeatSeconds(SeatLine line, BigDecimal price) {
    Map<String, String> seconds = new TreeMap<>();
    seatSeconds(line, price)
        .forEach((member, s) -> seconds.put(member, s.stripTrailingZeros().toPlainString()));
    return seconds;
  }

  /** The seed of the first randomized case; case {@code c} is seeded {@code SEED + c}. */
  private static final long SEED = 51_000;

  private static final int CASES = 400;

  /**
   * Randomized: plan changes, adds, removals, a deletion and the invoice's own ends at instants
   * to the microsecond (most of them inside a second, some on whole ones), within March. The
   * seat-seconds billed, per member and kind of limit, are what a reference counts in whole
   * microseconds (long arithmetic, no {@code Duration}): the range cut at every change, each
   * piece's members beyond the included seats, longest-standing first. Where every plan
   * includes no seat, each member is billed for exactly the time they held a seat in the range,
   * measured from their stretches alone: nothing lost, nothing counted twice.
   */
  @Test
  void seatSecondsTileTheRange_aroundSubSecondChanges() {
    for (int c = 0; c < CASES; c++) {
      long seed = SEED + c;
      tiles(new Random(seed), "seed " + seed + " (new Random(" + seed + "))");
    }
  }

  private static final long SECOND = 1_000_000; // in microseconds

  private static final long DAY = 86_400 * SECOND;

  private static long micros(Instant t) {
    return t.getEpochSecond() * SECOND + t.getNano() / 1_000;
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, SECOND), Math.floorMod(micros, SECOND) * 1_000);
  }

  /** An instant in {@code [from, from + span)}: to the microsecond, or 1 in 4 a whole second. */
  private static long someInstant(Random random, long from, long span) {
    long t = from + random.nextLong(span);
    return random.nextInt(4) == 0 ? Math.max(from, t - Math.floorMod(t, SECOND)) : t;
  }

  /** A member's stretch of membership, in microseconds; {@code to} Long.MAX_VALUE: still one. */
  private record Stretch(String member, long from, long to) {}

  private static void tiles(Random random, String seed) {
    long march = micros(MARCH);
    long april = micros(APRIL);
    // the invoice's range, inside March: one billing period
    long start = random.nextBoolean() ? march : someInstant(random, march, 20 * DAY);
    long end = random.nextBoolean() ? april : start + 1 + random.nextLong(april - start - 1);
    Long closed = random.nextInt(5) == 0 ? someInstant(random, start, end - start) : null;

    // the members: 1 to 10, each added and removed 1 to 3 times, from February into April
    List<MembershipEvent> events = new ArrayList<>();
    List<Stretch> stretches = new ArrayList<>();
    int members = 1 + random.nextInt(10);
    for (int m = 1; m <= members; m++) {
      String member = "m" + m;
      int times = 1 + random.nextInt(3);
      TreeSet<Long> at = new TreeSet<>();
      while (at.size() < 2 * times) {
        at.add(
            random.nextInt(3) == 0
                ? someInstant(random, micros(FEBRUARY), april + DAY - micros(FEBRUARY))
                : someInstant(random, start, end - start)); // most inside the range
      }
      List<Long> instants = List.copyOf(at);
      boolean stays = random.nextInt(3) == 0;
      for (int k = 0; k < times; k++) {
        long from = instants.get(2 * k);
        long to = k == times - 1 && stays ? Long.MAX_VALUE : instants.get(2 * k + 1);
        events.add(new MembershipEvent(member, "member", instant(from), member + "-" + k + "a"));
        if (to != Long.MAX_VALUE) {
          events.add(new MembershipEvent(member, null, instant(to), member + "-" + k + "r"));
        }
        long until = closed == null ? to : Math.min(to, closed);
        if (from < until) {
          stretches.add(new Stretch(member, from, until));
        }
      }
    }
    Collections.shuffle(events, random);

    // the plans: every one of them including no seat, or any; changing 0 to 4 times
    boolean noneIncluded = random.nextBoolean();
    List<String> plans =
        noneIncluded
            ? List.of("solo", "trial")
            : List.of("pro", "team", "free", "enterprise", "solo", "trial", "unlimited");
    TreeSet<Long> changes = new TreeSet<>();
    int changeCount = random.nextInt(5);
    while (changes.size() < changeCount) {
      changes.add(someInstant(random, start, end - start));
    }
    List<PlanTerm> terms = new ArrayList<>();
    long termFrom = micros(FEBRUARY);
    for (long change : changes) {
      terms.add(term(plans.get(random.nextInt(plans.size())), instant(termFrom), instant(change)));
      termFrom = change;
    }
    terms.add(term(plans.get(random.nextInt(plans.size())), instant(termFrom), null));

    // the reference, in whole microseconds
    TreeSet<Long> cuts = new TreeSet<>(List.of(start, end));
    for (Stretch s : stretches) {
      cuts.add(s.from());
      cuts.add(s.to());
    }
    cuts.addAll(changes);
    List<Long> points = List.copyOf(cuts.subSet(start, true, end, true));
    Map<Boolean, Map<String, Long>> expected = new TreeMap<>();
    for (int i = 0; i + 1 < points.size(); i++) {
      long from = points.get(i);
      long length = points.get(i + 1) - from;
      PlanTerm term =
          terms.stream()
              .filter(t -> micros(t.from()) <= from && (t.to() == null || from < micros(t.to())))
              .findFirst()
              .orElseThrow();
      Limit limit = INCLUDED.apply(term);
      if (limit.unlimited()) {
        continue;
      }
      List<Stretch> held =
          stretches.stream()
              .filter(s -> s.from() <= from && from < s.to())
              .sorted(Comparator.comparingLong(Stretch::from).thenComparing(Stretch::member))
              .toList();
      for (int rank = limit.amount().intValueExact(); rank < held.size(); rank++) {
        expected
            .computeIfAbsent(limit.kind() == LimitKind.HARD, h -> new TreeMap<>())
            .merge(held.get(rank).member(), length, Long::sum);
      }
    }

    List<SeatLine> lines =
        SeatCharges.lines(
            SeatCharges.seats(events, closed == null ? null : instant(closed)),
            terms,
            INCLUDED,
            TEN,
            UTC_PERIODS,
            USD,
            instant(start),
            instant(end));

    Map<Boolean, Map<String, Long>> billed = new TreeMap<>();
    Map<String, Long> billedInAll = new TreeMap<>();
    BigDecimal amounts = BigDecimal.ZERO;
    for (SeatLine line : lines) {
      boolean hard = line.line().description().equals(SeatCharges.HARD_LINE);
      long total = 0;
      for (Map.Entry<String, BigDecimal> member : seatSeconds(line, TEN.get()).entrySet()) {
        // exact: whole microseconds, or this throws
        long us = member.getValue().movePointRight(6).longValueExact();
        billed.computeIfAbsent(hard, h -> new TreeMap<>()).put(member.getKey(), us);
        billedInAll.merge(member.getKey(), us, Long::sum);
        total += us;
      }
      // the line: its seat-seconds × the price ÷ March's seconds, rounded once
      BigDecimal seatSeconds = BigDecimal.valueOf(total, 6);
      assertEquals(
          Money.lineTotal(seatSeconds.multiply(TEN.get()), new BigDecimal("2678400"), USD),
          line.line().amount(),
          seed);
      amounts = amounts.add(line.line().amount());
    }
    assertEquals(expected, billed, seed);

    // the breakdown by member adds up to the lines, to the cent
    BigDecimal shared = BigDecimal.ZERO;
    for (Share share :
        MemberShares.of(
            lines.stream().map(SeatLine::line).toList(),
            List.of(),
            List.of(),
            List.of(),
            lines,
            USD)) {
      shared = shared.add(share.amount());
    }
    assertEquals(0, amounts.compareTo(shared), seed);

    if (noneIncluded) { // every seat billed: each member for exactly the time they held one
      Map<String, Long> held = new TreeMap<>();
      for (Stretch s : stretches) {
        long overlap = Math.min(s.to(), end) - Math.max(s.from(), start);
        if (overlap > 0) {
          held.merge(s.member(), overlap, Long::sum);
        }
      }
      assertEquals(held, billedInAll, seed);
      assertEquals(
          held.values().stream().mapToLong(Long::longValue).sum(),
          billedInAll.values().stream().mapToLong(Long::longValue).sum(),
          seed);
    }
  }
}

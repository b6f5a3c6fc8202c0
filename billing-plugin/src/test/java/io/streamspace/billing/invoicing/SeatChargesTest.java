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
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.Random;
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

  /** Pro: 5 seats included, soft; Enterprise: 25, soft; Hobby: 5, hard; solo: none included. */
  private static final Function<String, Limit> INCLUDED =
      plan ->
          switch (plan) {
            case "pro" -> new Limit(new BigDecimal("5"), LimitKind.SOFT);
            case "enterprise" -> new Limit(new BigDecimal("25"), LimitKind.SOFT);
            case "free" -> new Limit(new BigDecimal("5"), LimitKind.HARD);
            case "solo" -> new Limit(BigDecimal.ZERO, LimitKind.SOFT);
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
}

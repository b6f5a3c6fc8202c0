package io.streamspace.billing.invoicing;

import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.invoicing.ChargeLine.ChargeKind;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.Seconds;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What an organization's seats cost on an invoice: the {@code members} meter, billed per seat and
 * billing period, prorated to the second. Pure: it reads nothing and rounds each line once
 * ({@link Money}).
 *
 * <ul>
 *   <li><b>Seats.</b> A member holds a seat from the instant they are added to the instant they
 *       are removed ({@link #seats}: each member's membership events by event time, ties by event
 *       id, so delivery order never matters; a role change is not a seat change; a member removed
 *       and added again later holds a new seat from the new add). A personal organization has one
 *       seat, its user's.
 *   <li><b>Included seats.</b> At each instant, the plan term in effect then gives the included
 *       seats: its plan's {@code members} limit, as the version of the plan it is on sets it
 *       ({@link PlanTerm#limits}, as a counter's included amount is; a plan change mid-period
 *       counts each plan for its part, as plan fees do; time no term covers, or a plan that
 *       leaves {@code members} unlimited, bills no seat). Soft or hard, the limit is what is
 *       included; a hard limit is one the platform should not pass (admission), and seats it adds
 *       past it anyway are billed all the same, on their own line ({@code members over hard
 *       limit}) so they stand out.
 *   <li><b>Who holds the billed seats.</b> At each instant the members are ordered by the start
 *       of their current membership (ties by user id): the first {@code included} hold the
 *       included seats, the others the billed ones. So the longest-standing members are
 *       included, and a seat is charged to the member who holds it.
 *   <li><b>Money.</b> For each billing period P the invoice's range touches ({@link
 *       BillingPeriods}), a billed seat costs {@code price × seat-seconds in P / seconds of P}:
 *       a seat held for a whole period costs exactly the price, whatever the period's length, the
 *       rule plan fees are prorated by ({@link PeriodCharges}). Seat-seconds are measured
 *       exactly, the fraction of a second included (stored instants have microseconds): the
 *       range is cut at every instant where a seat, a plan term or a period changes, and each
 *       piece counts for its exact length, so the pieces tile the range and every instant is
 *       billed once, under the plan and to the members of that instant. None is cut to whole
 *       seconds (cutting both pieces at a sub-second plan change lost the part of the second
 *       around it). One line per kind of limit (soft, hard) at the seat price: Σ over members
 *       and periods, kept as an exact fraction and rounded once; its quantity is in seat-months
 *       (billing periods), for display.
 *   <li><b>Every billing mode.</b> A seat is a charge of the organization's plan, so seats are
 *       billed in {@code usage}, {@code subscription} and {@code hybrid} alike.
 * </ul>
 *
 * <p>The seats are read when the invoice is made (a draft's preview, its finalization): a
 * membership event stored after the invoice was finalized changes no finalized invoice.
 *
 * <p>Each line carries what its members' parts are made of ({@link SeatLine}): the breakdown by
 * member ({@link MemberShares}) splits it by largest remainder over their exact shares.
 */
public final class SeatCharges {

  /** The description of seats billed above a soft limit, and above a hard one. */
  static final String SOFT_LINE = "members";

  static final String HARD_LINE = "members over hard limit";

  /**
   * One stretch of a member's membership: a seat held.
   *
   * @param to when they were removed (or the organization closed); null while still a member
   */
  public record Seat(String memberId, Instant from, Instant to) {
    public Seat {
      Objects.requireNonNull(memberId, "memberId");
      Objects.requireNonNull(from, "from");
    }

    boolean holdsAt(Instant t) {
      return !from.isAfter(t) && (to == null || to.isAfter(t));
    }
  }

  /**
   * A membership event as stored ({@code billing_org_events}).
   *
   * @param role the role it leaves the member in; null for a removal
   */
  public record MembershipEvent(String memberId, String role, Instant at, String eventId) {}

  /**
   * A seat line with what its members' parts are: each member's exact share is {@code
   * numerators(member) / divisor}, and the line's amount their rounded sum.
   *
   * @param quantities each member's part of the line's quantity, in seat-months, for display
   */
  record SeatLine(
      ChargeLine line,
      Map<String, BigDecimal> numerators,
      BigDecimal divisor,
      Map<String, BigDecimal> quantities) {}

  /** A billed seat's member, its billing period, and whether it is beyond a hard limit. */
  private record Billed(boolean hard, String memberId, Instant periodStart) {}

  private static final Comparator<Seat> LONGEST_STANDING =
      Comparator.comparing(Seat::from).thenComparing(Seat::memberId);

  private SeatCharges() {}

  /**
   * The seats the events give, by event time: a member's state after an instant is that of
   * their last event at it (by id), so only the winner of events at one instant counts (a
   * removal and an add at one instant leave no gap); a seat opens at an instant that leaves a
   * non-member a member (an add, or the org.created of its owner), and closes at one that leaves
   * them removed, or at {@code closedAt} (the organization's deletion), if any.
   */
  public static List<Seat> seats(List<MembershipEvent> events, Instant closedAt) {
    Map<String, List<MembershipEvent>> byMember = new TreeMap<>();
    for (MembershipEvent event : events) {
      byMember.computeIfAbsent(event.memberId(), m -> new ArrayList<>()).add(event);
    }
    List<Seat> seats = new ArrayList<>();
    byMember.forEach(
        (member, theirs) -> {
          theirs.sort(
              Comparator.comparing(MembershipEvent::at).thenComparing(MembershipEvent::eventId));
          Instant since = null;
          for (int i = 0; i < theirs.size(); i++) {
            MembershipEvent event = theirs.get(i);
            if (i + 1 < theirs.size() && theirs.get(i + 1).at().equals(event.at())) {
              continue; // a later event at the same instant decides it
            }
            if (event.role() != null && since == null) {
              since = event.at();
            } else if (event.role() == null && since != null) {
              add(seats, member, since, event.at(), closedAt);
              since = null;
            }
          }
          if (since != null) {
            add(seats, member, since, null, closedAt);
          }
        });
    return seats;
  }

  private static void add(
      List<Seat> seats, String member, Instant from, Instant to, Instant closedAt) {
    Instant end = closedAt != null && (to == null || closedAt.isBefore(to)) ? closedAt : to;
    if (end == null || from.isBefore(end)) { // a seat held no time at all is none
      seats.add(new Seat(member, from, end));
    }
  }

  /**
   * The seat lines of the invoice's {@code [start, end)} (class comment).
   *
   * @param seats the organization's seats (any order; those outside the range count nothing)
   * @param terms the plans the organization was on, covering the range
   * @param includedOf a plan term's {@code members} limit ({@link PlanTerm#limits})
   * @param price a seat's price per billing period in the currency; empty: no seat is billed
   */
  static List<SeatLine> lines(
      List<Seat> seats,
      List<PlanTerm> terms,
      Function<PlanTerm, Limit> includedOf,
      Optional<BigDecimal> price,
      BillingPeriods periods,
      Currency currency,
      Instant start,
      Instant end) {
    if (price.isEmpty() || seats.isEmpty()) {
      return List.of();
    }
    Map<Billed, BigDecimal> seatSeconds =
        billedSeconds(seats, terms, includedOf, periods, start, end);
    List<SeatLine> lines = new ArrayList<>();
    for (boolean hard : new boolean[] {false, true}) {
      Map<Billed, BigDecimal> ofKind = new LinkedHashMap<>();
      seatSeconds.forEach(
          (billed, seconds) -> {
            if (billed.hard() == hard) {
              ofKind.put(billed, seconds);
            }
          });
      if (!ofKind.isEmpty()) {
        lines.add(line(hard, ofKind, price.get(), periods, currency, start, end));
      }
    }
    return lines;
  }

  /**
   * The seconds each billed seat was held, per member, billing period and kind of limit: the
   * range cut where anything changes (a seat, a plan term, a period boundary), and in each piece
   * the members beyond the included seats, longest-standing first, billed for its exact length
   * ({@link #seconds}): the pieces tile the range, so nothing is lost or counted twice.
   */
  private static Map<Billed, BigDecimal> billedSeconds(
      List<Seat> seats,
      List<PlanTerm> terms,
      Function<PlanTerm, Limit> includedOf,
      BillingPeriods periods,
      Instant start,
      Instant end) {
    TreeSet<Instant> cuts = new TreeSet<>(periods.boundariesBetween(start, end));
    cuts.add(start);
    cuts.add(end);
    for (Seat seat : seats) {
      cuts.add(seat.from());
      if (seat.to() != null) {
        cuts.add(seat.to());
      }
    }
    for (PlanTerm term : terms) {
      cuts.add(term.from());
      if (term.to() != null) {
        cuts.add(term.to());
      }
    }
    List<Instant> points = List.copyOf(cuts.subSet(start, true, end, true));
    Map<Billed, BigDecimal> billed = new TreeMap<>(BILLED_ORDER);
    for (int i = 0; i + 1 < points.size(); i++) {
      Instant from = points.get(i);
      Instant to = points.get(i + 1);
      Optional<PlanTerm> term = termAt(terms, from);
      if (term.isEmpty()) {
        continue; // no plan, no included seats to bill beyond
      }
      Limit limit = includedOf.apply(term.get());
      if (limit.unlimited()) {
        continue; // every seat included
      }
      List<Seat> held =
          seats.stream().filter(s -> s.holdsAt(from)).sorted(LONGEST_STANDING).toList();
      BigDecimal seconds = Seconds.between(from, to); // exact: the pieces tile the range
      Instant periodStart = periods.periodStart(from);
      for (int rank = 0; rank < held.size(); rank++) {
        if (BigDecimal.valueOf(rank + 1L).compareTo(limit.amount()) > 0) {
          billed.merge(
              new Billed(limit.kind() == LimitKind.HARD, held.get(rank).memberId(), periodStart),
              seconds,
              BigDecimal::add);
        }
      }
    }
    return billed;
  }

  private static final Comparator<Billed> BILLED_ORDER =
      Comparator.comparing(Billed::hard)
          .thenComparing(Billed::memberId)
          .thenComparing(Billed::periodStart);

  /**
   * One line of seats: with {@code D} the product of the seconds of the periods it touches, a
   * member's exact share is {@code price × Σ_P seat-seconds(P) × D / seconds(P)}, over {@code D}.
   */
  private static SeatLine line(
      boolean hard,
      Map<Billed, BigDecimal> seatSeconds,
      BigDecimal price,
      BillingPeriods periods,
      Currency currency,
      Instant start,
      Instant end) {
    Map<Instant, BigDecimal> periodSeconds = new TreeMap<>();
    for (Billed billed : seatSeconds.keySet()) {
      Instant periodStart = billed.periodStart();
      periodSeconds.computeIfAbsent(periodStart, p -> Seconds.between(p, periods.periodEnd(p)));
    }
    BigDecimal divisor =
        periodSeconds.values().stream().reduce(BigDecimal.ONE, BigDecimal::multiply);
    Map<String, BigDecimal> seatPeriods = new TreeMap<>(); // × divisor: exact
    seatSeconds.forEach(
        (billed, seconds) ->
            seatPeriods.merge(
                billed.memberId(),
                seconds.multiply(divisor.divide(periodSeconds.get(billed.periodStart()))),
                BigDecimal::add));
    Map<String, BigDecimal> numerators = new TreeMap<>();
    Map<String, BigDecimal> quantities = new TreeMap<>();
    BigDecimal all = BigDecimal.ZERO;
    for (Map.Entry<String, BigDecimal> member : seatPeriods.entrySet()) {
      numerators.put(member.getKey(), member.getValue().multiply(price));
      quantities.put(member.getKey(), seatMonths(member.getValue(), divisor));
      all = all.add(member.getValue());
    }
    ChargeLine line =
        new ChargeLine(
            ChargeKind.OVERAGE,
            hard ? HARD_LINE : SOFT_LINE,
            Meter.MEMBERS,
            seatMonths(all, divisor),
            price,
            Money.lineTotal(all.multiply(price), divisor, currency),
            start,
            end);
    return new SeatLine(line, numerators, divisor, quantities);
  }

  /** Seat-seconds × divisor as seat-months, for display: six decimals, half up. */
  private static BigDecimal seatMonths(BigDecimal scaled, BigDecimal divisor) {
    return scaled.divide(divisor, 6, RoundingMode.HALF_UP).stripTrailingZeros();
  }

  /** The term in effect at {@code t}: the latest that started at or before it and had not ended. */
  private static Optional<PlanTerm> termAt(List<PlanTerm> terms, Instant t) {
    return terms.stream()
        .filter(term -> !term.from().isAfter(t) && (term.to() == null || term.to().isAfter(t)))
        .max(Comparator.comparing(PlanTerm::from));
  }

  /** The seat lines by their charge line: where {@link MemberShares} finds a line's parts. */
  static Map<ChargeLine, SeatLine> byLine(List<SeatLine> lines) {
    Map<ChargeLine, SeatLine> byLine = new HashMap<>();
    lines.forEach(line -> byLine.put(line.line(), line));
    return byLine;
  }
}

package io.streamspace.billing.invoicing;

import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.Meter.Aggregation;
import io.streamspace.billing.invoicing.ChargeLine.ChargeKind;
import io.streamspace.billing.invoicing.PeriodCharges.BucketOverage;
import io.streamspace.billing.money.LargestRemainder;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.UsageSum;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * A team organization's invoice lines shared out among its members and the organization itself:
 * the breakdown by member, of the subtotal (before credits, which are the organization's). Pure:
 * it reads nothing, and never rounds a line again: it splits each line's amount, rounded once
 * by {@link PeriodCharges}, so that its parts add up to it exactly.
 *
 * <ul>
 *   <li><b>Usage lines</b> (a resource at a unit price) are split among the members whose
 *       sessions made them, and the organization for what belongs to no member (storage), by
 *       {@link LargestRemainder} over their exact shares ({@code unit-seconds × unit price /
 *       unit-seconds per unit}): the rule of {@code GET /usage}'s {@code by_member}.
 *   <li><b>Resource overage lines</b> (hybrid): in each bucket (a clock hour), the overage
 *       unit-seconds are shared among the bucket's members and the organization in proportion
 *       to their unit-seconds in it, by largest remainder at six decimals below the overage's
 *       own ({@link #OVERAGE_DIGITS}); the line is then split as a usage line over those shares.
 *       An hour's overage is its members' together: whoever ran in that hour carries its part.
 *   <li><b>Counter overage lines</b> (bandwidth, transcoding, AI queries, custom meters summed
 *       from their reports): in each billing period the invoice bills, the counter's overage is
 *       shared among the members in proportion to what they reported in the billed part, by
 *       largest remainder at six decimals below the overage's own; the line is then split over
 *       those shares at its rate. A counter that is the largest report ({@code max}) rather than
 *       their sum is nobody's in particular: its overage is the organization's.
 *   <li><b>Seat lines</b> ({@code members}): each billed seat is the member's who holds it
 *       ({@link SeatCharges}: the members beyond the included seats, longest-standing
 *       included), so the line is split among them by largest remainder over their exact shares
 *       ({@code price × their billed seat-seconds / seconds of the period}).
 *   <li><b>Organization-wide lines</b>: plan fees and packs (the account's, whoever uses them)
 *       are wholly the organization's, and so is a coupon's discount of any line.
 * </ul>
 *
 * <p>So a member's amount is the sum of their parts, never more than a minor unit from their
 * exact share of any line, and the members' amounts plus the organization's add up to the
 * invoice's subtotal to the minor unit.
 */
final class MemberShares {

  /**
   * One part of one line.
   *
   * @param lineNo   the line's number on the invoice (1 for the first charge line)
   * @param memberId the member's user id; null for the organization's part
   * @param quantity the member's part of the line's quantity, in its unit (for display, like the
   *                 line's); for an organization-wide line, the line's own
   * @param amount   at the currency's minor unit
   */
  record Share(int lineNo, String memberId, BigDecimal quantity, BigDecimal amount) {}

  /** The organization's key among the parts: before every user id, so first on ties. */
  private static final String ORGANIZATION = "";

  /** How many decimals finer than an overage (an hour's, a period's) its shares are cut. */
  static final int OVERAGE_DIGITS = 6;

  private MemberShares() {}

  /**
   * @param lines the invoice's charge lines, in order (credits are not among them)
   * @param usage the usage the lines were computed from, per bucket and member
   * @param terms the plan terms the lines were computed with (for the overage per bucket)
   * @param counters the counters' use the overage lines were computed from, per period
   * @param seats the seat lines among {@code lines}, with their members' exact shares
   */
  static List<Share> of(
      List<ChargeLine> lines,
      List<MemberBucket> usage,
      List<PlanTerm> terms,
      List<MemberCounterUse> counters,
      List<SeatCharges.SeatLine> seats,
      Currency currency) {
    Map<ChargeLine, SeatCharges.SeatLine> seatLines = SeatCharges.byLine(seats);
    Map<UsageBucket, List<MemberBucket>> buckets = MemberBucket.byBucket(usage);
    Map<LineKey, Map<String, BigDecimal>> used = new HashMap<>();
    buckets.values().stream()
        .flatMap(List::stream)
        .forEach(part -> add(used, LineKey.of(part.usage()), part.memberId(), part.usage()));
    Map<LineKey, Map<String, BigDecimal>> over = new HashMap<>();
    for (BucketOverage overage :
        PeriodCharges.bucketOverage(terms, List.copyOf(buckets.keySet()))) {
      shareOverage(overage, buckets.get(overage.bucket()))
          .forEach(
              (member, unitSeconds) ->
                  add(over, LineKey.overage(overage.bucket()), member, unitSeconds));
    }
    Map<Meter, Map<String, BigDecimal>> counterOver = counterOverage(counters);
    List<Share> shares = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      ChargeLine line = lines.get(i);
      int lineNo = i + 1;
      SeatCharges.SeatLine seat = seatLines.get(line);
      if (seat != null) { // each billed seat's holder
        LargestRemainder.split(line.amount(), seat.numerators(), seat.divisor(), currency)
            .forEach(
                (member, amount) ->
                    shares.add(new Share(lineNo, member, seat.quantities().get(member), amount)));
        continue;
      }
      if (line.kind() == ChargeKind.OVERAGE && line.unit() instanceof Meter meter) {
        Map<String, BigDecimal> quantities = counterOver.get(meter);
        shares.addAll(
            quantities == null
                ? List.of(new Share(lineNo, null, line.quantity(), line.amount()))
                : split(lineNo, line, quantities, BigDecimal.ONE, q -> q, currency));
        continue;
      }
      Map<String, BigDecimal> unitSeconds =
          switch (line.kind()) {
            case USAGE -> used.get(LineKey.of(line));
            case OVERAGE -> over.get(LineKey.of(line));
            // the account's, whoever uses them (a coupon is the organization's)
            case PLAN_FEE, PACK, STORE, CORRECTION, DISCOUNT -> null;
          };
      if (unitSeconds == null) {
        shares.add(new Share(lineNo, null, line.quantity(), line.amount()));
      } else {
        UsageUnit unit = (UsageUnit) line.unit();
        shares.addAll(
            split(lineNo, line, unitSeconds, unit.unitSecondsPerUnit(), unit::quantity, currency));
      }
    }
    return shares;
  }

  /**
   * The line's amount split over its parts' quantities (in unit-seconds, or a counter's unit) at
   * its unit price, each part's exact share being {@code quantity × unit price / divisor}.
   *
   * @param shown a part's quantity as the line shows its own
   */
  private static List<Share> split(
      int lineNo,
      ChargeLine line,
      Map<String, BigDecimal> quantities,
      BigDecimal divisor,
      UnaryOperator<BigDecimal> shown,
      Currency currency) {
    Map<String, BigDecimal> priced = new TreeMap<>();
    quantities.forEach(
        (member, quantity) -> priced.put(member, quantity.multiply(line.unitPrice())));
    List<Share> shares = new ArrayList<>();
    LargestRemainder.split(line.amount(), priced, divisor, currency)
        .forEach(
            (member, amount) ->
                shares.add(
                    new Share(
                        lineNo,
                        member.equals(ORGANIZATION) ? null : member,
                        shown.apply(quantities.get(member)),
                        amount)));
    return shares;
  }

  /**
   * Each summed counter's overage over the periods, shared among the members in proportion to
   * what they reported in each (class comment); a {@code max} counter's is absent (the
   * organization's).
   */
  private static Map<Meter, Map<String, BigDecimal>> counterOverage(
      List<MemberCounterUse> counters) {
    Map<Meter, Map<String, BigDecimal>> shared = new HashMap<>();
    for (MemberCounterUse counter : counters) {
      BigDecimal overage = counter.use().overage();
      if (overage.signum() <= 0 || counter.use().meter().aggregation() == Aggregation.MAX) {
        continue;
      }
      Map<String, BigDecimal> numerators = new TreeMap<>();
      counter
          .duringByMember()
          .forEach((member, during) -> numerators.put(keyOf(member), overage.multiply(during)));
      int digits = Math.max(overage.stripTrailingZeros().scale(), 0) + OVERAGE_DIGITS;
      LargestRemainder.split(overage, numerators, counter.use().during(), digits)
          .forEach(
              (member, part) ->
                  shared
                      .computeIfAbsent(counter.use().meter(), m -> new TreeMap<>())
                      .merge(member, part, BigDecimal::add));
    }
    return shared;
  }

  /** A bucket's overage unit-seconds shared in proportion to its parts (class comment). */
  private static Map<String, BigDecimal> shareOverage(
      BucketOverage overage, List<MemberBucket> parts) {
    Map<String, BigDecimal> numerators = new TreeMap<>();
    for (MemberBucket part : parts) {
      numerators.merge(
          keyOf(part.memberId()),
          overage.unitSeconds().multiply(part.usage().unitSeconds()),
          BigDecimal::add);
    }
    int digits = Math.max(overage.unitSeconds().stripTrailingZeros().scale(), 0) + OVERAGE_DIGITS;
    return LargestRemainder.split(
        overage.unitSeconds(), numerators, overage.bucket().unitSeconds(), digits);
  }

  private static void add(
      Map<LineKey, Map<String, BigDecimal>> sums, LineKey key, String memberId, UsageBucket usage) {
    add(sums, key, keyOf(memberId), usage.unitSeconds());
  }

  private static void add(
      Map<LineKey, Map<String, BigDecimal>> sums, LineKey key, String member, BigDecimal seconds) {
    sums.computeIfAbsent(key, k -> new TreeMap<>()).merge(member, seconds, BigDecimal::add);
  }

  private static String keyOf(String memberId) {
    return memberId == null ? ORGANIZATION : memberId;
  }

  /**
   * A usage or overage line's resource, unit price and activity ({@link PeriodCharges}: idle
   * time is a usage line of its own, overage is not split by activity); prices compare by value.
   */
  private record LineKey(Object unit, BigDecimal unitPrice, String activity) {
    static LineKey of(UsageBucket bucket) {
      return new LineKey(bucket.unit(), bucket.unitPrice().stripTrailingZeros(), bucket.activity());
    }

    static LineKey overage(UsageBucket bucket) {
      return new LineKey(bucket.unit(), bucket.unitPrice().stripTrailingZeros(), UsageSum.ACTIVE);
    }

    static LineKey of(ChargeLine line) {
      return new LineKey(
          line.unit(),
          line.unitPrice().stripTrailingZeros(),
          line.activity() == null ? UsageSum.ACTIVE : line.activity());
    }
  }
}

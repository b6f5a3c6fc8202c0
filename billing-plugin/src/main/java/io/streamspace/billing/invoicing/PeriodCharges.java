package io.streamspace.billing.invoicing;

import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.invoicing.ChargeLine.ChargeKind;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.Seconds;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.UsageSum;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an account owes for one period under a billing mode, before credits: the domain core of
 * an invoice. Pure: it reads nothing and rounds each line once ({@link Money}).
 *
 * <ul>
 *   <li>{@code usage}: every resource at the rates, one line per resource and unit price. No
 *       plan fee.
 *   <li>{@code subscription}: the plan fee only; usage is not charged (quotas enforce the
 *       plan's limits).
 *   <li>{@code hybrid}: the plan fee, plus overage at the rates for what exceeds the plan. Per
 *       {@link UsageBucket} (a clock hour, or its part inside the period) and resource, the
 *       overage is {@code max(0, Σ unit-seconds − allowance)}: the account's concurrent
 *       allocation over the bucket (cores, GB, a held meter's GPUs) against what its plans
 *       include for that long ({@link PlanTerm#limit}), the allowance
 *       being {@code Σ limit × overlap seconds} over the plan terms overlapping the bucket (a
 *       plan change mid-hour counts each plan for its part; time no term covers includes
 *       nothing; a null limit on any of them is unlimited: no overage). Where one bucket holds
 *       usage at several unit prices (the rates changed
 *       between two rating runs), the allowance covers the dearest usage first, so the overage
 *       is charged at the lowest of them. One line per resource and unit price: Σ overage
 *       unit-seconds, divided and rounded once. A hibernated session's time holds nothing: it
 *       is left out.
 * </ul>
 *
 * <p><b>Plan fee, prorated to the second.</b> Each plan term overlapping the period is its own
 * {@code PLAN_FEE} line for the overlap, so a mid-cycle change shows as two lines. The fee is
 * prorated against the billing periods (invoice day to invoice day in the billing zone,
 * {@link BillingPeriods}) the overlap touches, whatever range the invoice covers: for each such
 * period P, a monthly plan costs {@code price × overlap seconds / seconds of P}, so a whole
 * period costs exactly the price, whatever its length, and an admin's invoice of 3 days of a
 * 31-day period costs 3/31 of it. A yearly plan costs a twelfth of its price per period the
 * same way, so twelve whole periods cost exactly the price, leap year or not. Each line sums its
 * periods exactly and is rounded once, half up, to the currency's minor unit. Lengths (overlaps,
 * allowances) are exact to the fraction of a second an instant carries ({@link Seconds}), so a
 * plan changed inside a second counts each plan for its part of it. A trial term costs nothing
 * (its price is 0) and its line says so: "Pro, trial until 2026-03-24".
 */
public final class PeriodCharges {

  /**
   * A line's resource, unit price and activity; prices compare by value (0.050 is 0.05). Idle
   * and disconnected time are lines of their own; overage is not split by activity.
   */
  private record PriceKey(UsageUnit unit, BigDecimal unitPrice, String activity) {
    static final Comparator<PriceKey> ORDER =
        Comparator.comparing(PriceKey::unit, UsageUnit.ORDER)
            .thenComparing(PriceKey::unitPrice)
            .thenComparing(PriceKey::activity);

    static PriceKey of(UsageBucket bucket) {
      return new PriceKey(
          bucket.unit(), bucket.unitPrice().stripTrailingZeros(), bucket.activity());
    }

    static PriceKey overage(UsageBucket bucket) {
      return new PriceKey(bucket.unit(), bucket.unitPrice().stripTrailingZeros(), UsageSum.ACTIVE);
    }
  }

  /** A line's exact sums: unit-seconds, and what its activity factor saved (× price). */
  private record LineSum(BigDecimal unitSeconds, BigDecimal savedUnitSeconds) {
    LineSum plus(LineSum other) {
      return new LineSum(
          unitSeconds.add(other.unitSeconds), savedUnitSeconds.add(other.savedUnitSeconds));
    }
  }

  /** The usage of one resource in one bucket, whatever its unit prices. */
  private record Slot(UsageUnit unit, Instant start, Instant end) {}

  private static final BigDecimal MONTHS_A_YEAR = BigDecimal.valueOf(12);

  private PeriodCharges() {}

  /**
   * @param periodStart the period's start (inclusive)
   * @param periodEnd   its end (exclusive)
   * @param terms       the plans the account was on, covering at least the period and every
   *                    bucket's hour
   * @param usage       the usage billed on this invoice: the period's buckets, plus those of
   *                    earlier periods that were rated after their invoice was finalized
   * @param periods     the billing periods (invoice day to invoice day in the billing zone):
   *                    what plan fees are prorated over; their zone is that of the dates in
   *                    plan-fee descriptions
   */
  public static List<ChargeLine> compute(
      BillingMode mode,
      Currency currency,
      Instant periodStart,
      Instant periodEnd,
      List<PlanTerm> terms,
      List<UsageBucket> usage,
      BillingPeriods periods) {
    List<ChargeLine> lines = new ArrayList<>();
    switch (mode) {
      case USAGE -> lines.addAll(usageLines(currency, periodStart, periodEnd, usage));
      case SUBSCRIPTION ->
          lines.addAll(planFeeLines(currency, periodStart, periodEnd, terms, periods));
      case HYBRID -> {
        lines.addAll(planFeeLines(currency, periodStart, periodEnd, terms, periods));
        lines.addAll(overageLines(currency, periodStart, periodEnd, terms, usage));
      }
    }
    return lines;
  }

  /**
   * One line per resource, unit price and activity: Σ unit-seconds, divided and rounded once. A
   * line of idle or disconnected time is named by its factor and says what it saved (as {@code
   * /usage}'s, {@link UsageSum#description}); a full-price line is as before activity was priced.
   */
  static List<ChargeLine> usageLines(
      Currency currency, Instant periodStart, Instant periodEnd, List<UsageBucket> usage) {
    Map<PriceKey, LineSum> unitSeconds = new TreeMap<>(PriceKey.ORDER);
    for (UsageBucket bucket : usage) {
      unitSeconds.merge(
          PriceKey.of(bucket),
          new LineSum(bucket.unitSeconds(), bucket.savedUnitSeconds()),
          LineSum::plus);
    }
    return pricedLines(ChargeKind.USAGE, "usage", currency, periodStart, periodEnd, unitSeconds);
  }

  /** One line per plan term overlapping the period, prorated to the second (class comment). */
  static List<ChargeLine> planFeeLines(
      Currency currency,
      Instant periodStart,
      Instant periodEnd,
      List<PlanTerm> terms,
      BillingPeriods periods) {
    ZoneId zone = periods.zone();
    List<ChargeLine> lines = new ArrayList<>();
    for (PlanTerm term : terms.stream().sorted(Comparator.comparing(PlanTerm::from)).toList()) {
      Instant from = latest(term.from(), periodStart);
      Instant to = endWithin(term, periodEnd);
      if (!from.isBefore(to)) {
        continue; // the term does not overlap the period (or lasted no time at all)
      }
      lines.add(
          new ChargeLine(
              ChargeKind.PLAN_FEE,
              term.trialEnd() != null // a trial term, free: its line says until when
                  ? term.planName() + ", trial until " + trialUntil(term).atZone(zone).toLocalDate()
                  : term.planName()
                      + ", "
                      + from.atZone(zone).toLocalDate()
                      + " – "
                      + to.atZone(zone).toLocalDate(),
              null,
              null,
              term.price(),
              prorated(term.price(), term.interval(), from, to, periods, currency),
              from,
              to));
    }
    return lines;
  }

  /**
   * The fee of {@code [from, to)} at {@code price} per {@code interval} (a plan's, or a
   * recurring pack's per month): Σ over the billing periods P it overlaps of {@code price ×
   * overlap seconds / seconds of P} (a yearly price being a twelfth of it per period). Against
   * the billing periods, not the invoice's own range: an admin's invoice of 3 days would
   * otherwise cost a whole month, one of two months a single month. The sum is kept as an exact
   * fraction and rounded once.
   */
  public static BigDecimal prorated(
      BigDecimal price,
      String interval,
      Instant from,
      Instant to,
      BillingPeriods periods,
      Currency currency) {
    BigDecimal numerator = BigDecimal.ZERO;
    BigDecimal denominator = BigDecimal.ONE;
    for (Instant cursor = from; cursor.isBefore(to); ) {
      Instant periodEnd = periods.periodEnd(cursor);
      BigDecimal periodSeconds = Seconds.between(periods.periodStart(cursor), periodEnd);
      BigDecimal overlap = Seconds.between(cursor, periodEnd.isBefore(to) ? periodEnd : to);
      // numerator / denominator + price × overlap / period seconds, exactly
      numerator =
          numerator.multiply(periodSeconds).add(price.multiply(overlap).multiply(denominator));
      denominator = denominator.multiply(periodSeconds);
      cursor = periodEnd;
    }
    if ("year".equals(interval)) {
      denominator = denominator.multiply(MONTHS_A_YEAR);
    }
    return Money.lineTotal(numerator, denominator, currency);
  }

  /** Hybrid overage per bucket and resource against the plan's limits (class comment). */
  static List<ChargeLine> overageLines(
      Currency currency,
      Instant periodStart,
      Instant periodEnd,
      List<PlanTerm> terms,
      List<UsageBucket> usage) {
    Map<PriceKey, LineSum> overage = new TreeMap<>(PriceKey.ORDER);
    for (BucketOverage over : bucketOverage(terms, usage)) {
      overage.merge(
          PriceKey.overage(over.bucket()),
          new LineSum(over.unitSeconds(), BigDecimal.ZERO),
          LineSum::plus);
    }
    return pricedLines(ChargeKind.OVERAGE, "overage", currency, periodStart, periodEnd, overage);
  }

  /**
   * Of a bucket's usage, the unit-seconds above what the plans include, exact.
   *
   * @param bucket one of the buckets {@link #bucketOverage} was given
   */
  public record BucketOverage(UsageBucket bucket, BigDecimal unitSeconds) {}

  /**
   * The hybrid overage of each bucket that has some (class comment), hibernated time left out:
   * what its {@code overage} line sums. Also what an invoice's breakdown by member shares out
   * ({@link MemberShares}).
   */
  public static List<BucketOverage> bucketOverage(List<PlanTerm> terms, List<UsageBucket> usage) {
    Map<Slot, List<UsageBucket>> slots = new LinkedHashMap<>();
    for (UsageBucket bucket : usage) {
      if (UsageSum.HIBERNATED.equals(bucket.activity())) {
        continue; // a hibernated session holds nothing: no part of the allowance, no overage
      }
      slots
          .computeIfAbsent(
              new Slot(bucket.unit(), bucket.start(), bucket.end()), s -> new ArrayList<>())
          .add(bucket);
    }
    List<BucketOverage> overage = new ArrayList<>();
    slots.forEach(
        (slot, buckets) -> {
          BigDecimal allowance = allowance(terms, slot);
          if (allowance == null) {
            return; // unlimited
          }
          List<UsageBucket> dearestFirst =
              buckets.stream()
                  .sorted(Comparator.comparing(UsageBucket::unitPrice).reversed())
                  .toList();
          for (UsageBucket bucket : dearestFirst) {
            BigDecimal covered = bucket.unitSeconds().min(allowance);
            allowance = allowance.subtract(covered);
            BigDecimal over = bucket.unitSeconds().subtract(covered);
            if (over.signum() > 0) {
              overage.add(new BucketOverage(bucket, over));
            }
          }
        });
    return overage;
  }

  /**
   * A line per key: its exact unit-seconds × the unit price, divided once by the unit's
   * unit-seconds and rounded once.
   */
  private static List<ChargeLine> pricedLines(
      ChargeKind kind,
      String what,
      Currency currency,
      Instant periodStart,
      Instant periodEnd,
      Map<PriceKey, LineSum> sums) {
    List<ChargeLine> lines = new ArrayList<>();
    sums.forEach(
        (key, sum) -> {
          BigDecimal priced = sum.unitSeconds().multiply(key.unitPrice());
          BigDecimal perUnit = key.unit().unitSecondsPerUnit();
          boolean full = UsageSum.ACTIVE.equals(key.activity());
          lines.add(
              new ChargeLine(
                  kind,
                  full
                      ? key.unit().resourceType() + " " + what
                      : UsageSum.description(
                          key.unit(), key.activity(), priced, sum.savedUnitSeconds()),
                  key.unit(),
                  key.unit().quantity(sum.unitSeconds()),
                  key.unitPrice(),
                  Money.lineTotal(priced, perUnit, currency),
                  periodStart,
                  periodEnd,
                  full ? null : key.activity(),
                  full ? null : Money.lineTotal(sum.savedUnitSeconds(), perUnit, currency)));
        });
    return lines;
  }

  /**
   * What the plans include in the slot: Σ over the terms overlapping it of limit × overlap
   * seconds; null (unlimited) when any of them has no limit. Summed over the overlaps, not
   * taken from the term at the slot's start: a first term starts at the account's creation
   * (10:17, inside the 10:00 bucket) and a plan may change mid-hour. Time no term covers
   * includes nothing.
   */
  private static BigDecimal allowance(List<PlanTerm> terms, Slot slot) {
    BigDecimal allowance = BigDecimal.ZERO;
    for (PlanTerm term : terms) {
      Instant from = latest(term.from(), slot.start());
      Instant to = endWithin(term, slot.end());
      if (!from.isBefore(to)) {
        continue;
      }
      BigDecimal limit = term.limit(slot.unit());
      if (limit == null) {
        return null;
      }
      allowance = allowance.add(limit.multiply(Seconds.between(from, to)));
    }
    return allowance;
  }

  /** When a trial term's trial stopped: its end, or the plan change that ended it before. */
  private static Instant trialUntil(PlanTerm term) {
    return term.to() != null && term.to().isBefore(term.trialEnd()) ? term.to() : term.trialEnd();
  }

  /** The term's end, or {@code end} if the term runs past it (or has not ended). */
  private static Instant endWithin(PlanTerm term, Instant end) {
    return term.to() == null || term.to().isAfter(end) ? end : term.to();
  }

  private static Instant latest(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}

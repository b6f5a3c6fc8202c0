package io.streamspace.billing.invoicing;

import io.streamspace.billing.config.BillingMode;
import io.streamspace.billing.invoicing.ChargeLine.ChargeKind;
import io.streamspace.billing.rating.Money;
import io.streamspace.billing.rating.UsageUnit;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an account owes for one period under a billing mode, before credits: the domain core of
 * an invoice. Pure: it reads nothing and rounds each line once ({@link Money}).
 *
 * <ul>
 *   <li>{@code usage}: every resource at the rates, one line per resource and unit price.
 * </ul>
 */
public final class PeriodCharges {

  private PeriodCharges() {}

  /**
   * @param periodStart the period's start (inclusive)
   * @param periodEnd   its end (exclusive)
   * @param terms       the plans the account was on, covering at least the period and every
   *                    bucket's hour
   * @param usage       the usage billed on this invoice: the period's buckets, plus those of
   *                    earlier periods that were rated after their invoice was finalized
   */
  public static List<ChargeLine> compute(BillingMode mode, Currency currency, Instant periodStart,
      Instant periodEnd, List<PlanTerm> terms, List<UsageBucket> usage) {
    return switch (mode) {
      case USAGE -> usageLines(currency, periodStart, periodEnd, usage);
      case SUBSCRIPTION, HYBRID -> throw new IllegalArgumentException(
          mode.configName() + " mode is not priced yet");
    };
  }

  /** One line per resource and unit price: Σ unit-seconds, divided and rounded once. */
  static List<ChargeLine> usageLines(Currency currency, Instant periodStart, Instant periodEnd,
      List<UsageBucket> usage) {
    record Key(UsageUnit unit, BigDecimal unitPrice) {}
    Map<Key, BigDecimal[]> sums = new TreeMap<>(Comparator
        .comparing((Key k) -> k.unit().ordinal())
        .thenComparing(Key::unitPrice));
    for (UsageBucket bucket : usage) {
      BigDecimal[] sum = sums.computeIfAbsent(
          new Key(bucket.unit(), bucket.unitPrice().stripTrailingZeros()),
          k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
      sum[0] = sum[0].add(bucket.unitSeconds());
      sum[1] = sum[1].add(bucket.unitSeconds().multiply(bucket.unitPrice()));
    }
    List<ChargeLine> lines = new ArrayList<>();
    sums.forEach((key, sum) -> lines.add(new ChargeLine(
        ChargeKind.USAGE,
        key.unit().resourceType() + " usage",
        key.unit(),
        key.unit().quantity(sum[0]),
        key.unitPrice(),
        Money.lineTotal(sum[1], key.unit().unitSecondsPerUnit(), currency),
        periodStart,
        periodEnd)));
    return lines;
  }
}

package io.streamspace.billing.spend;

import io.streamspace.billing.invoicing.ChargeLine;
import io.streamspace.billing.invoicing.ChargeLine.ChargeKind;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;

/**
 * What the current period's invoice would charge if it were finalized now, before credits
 * ({@link io.streamspace.billing.invoicing.InvoiceCalculator#periodSoFar}), by kind of line.
 * Each line was rounded once; these are their sums, {@code discounts} the discount lines of a
 * redeemed coupon (negative), and {@code total} the sum of the others.
 */
public record SpendEstimate(
    BigDecimal planFee,
    BigDecimal usage,
    BigDecimal overage,
    BigDecimal packs,
    BigDecimal store,
    BigDecimal discounts,
    BigDecimal total) {

  public static SpendEstimate of(List<ChargeLine> lines, Currency currency) {
    return new SpendEstimate(
        sum(lines, ChargeKind.PLAN_FEE, currency),
        sum(lines, ChargeKind.USAGE, currency),
        sum(lines, ChargeKind.OVERAGE, currency),
        sum(lines, ChargeKind.PACK, currency),
        sum(lines, ChargeKind.STORE, currency),
        sum(lines, ChargeKind.DISCOUNT, currency),
        lines.stream().map(ChargeLine::amount).reduce(Money.zero(currency), BigDecimal::add));
  }

  private static BigDecimal sum(List<ChargeLine> lines, ChargeKind kind, Currency currency) {
    return lines.stream()
        .filter(line -> line.kind() == kind)
        .map(ChargeLine::amount)
        .reduce(Money.zero(currency), BigDecimal::add);
  }
}

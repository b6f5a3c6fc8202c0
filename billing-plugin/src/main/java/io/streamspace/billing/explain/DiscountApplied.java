package io.streamspace.billing.explain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * What an explanation of a discount line says of its coupon ({@link DiscountRecords}).
 *
 * @param code the promotion code it was redeemed with
 * @param redeemedBy who redeemed it
 * @param percentOff the percentage off; null for an amount
 * @param amountOff the amount off, in {@code currency}; null for a percentage
 * @param discountsLine the line this discount line takes something off
 * @param lines every line the coupon took something off on the invoice
 * @param linesTotal what those lines come to (an amount off is shared among them)
 */
public record DiscountApplied(
    String couponId,
    String code,
    Instant redeemedAt,
    String redeemedBy,
    BigDecimal percentOff,
    BigDecimal amountOff,
    String currency,
    int discountsLine,
    List<Integer> lines,
    BigDecimal linesTotal) {

  public DiscountApplied {
    lines = List.copyOf(lines);
  }
}

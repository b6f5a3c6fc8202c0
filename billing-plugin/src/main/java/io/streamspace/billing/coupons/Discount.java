package io.streamspace.billing.coupons;

import io.streamspace.billing.money.MoneyText;
import java.math.BigDecimal;
import java.util.Currency;

/**
 * A redeemed coupon's discount, as invoicing takes it off an invoice the redemption covers: a
 * percentage of each line it applies to, or an amount in {@code currency} spread over them.
 *
 * @param code the promotion code the organization redeemed it by
 * @param percentOff null for an amount off
 * @param amountOff null for a percentage
 * @param currency the amount's; null for a percentage
 */
public record Discount(
    long redemptionId,
    String couponId,
    String code,
    BigDecimal percentOff,
    BigDecimal amountOff,
    Currency currency,
    AppliesTo appliesTo) {

  /** What it takes off, in words: {@code 20 % off}, {@code $10.00 off}. */
  public String describeTerms() {
    return percentOff != null
        ? percentOff.stripTrailingZeros().toPlainString() + " % off"
        : MoneyText.of(amountOff, currency) + " off";
  }
}

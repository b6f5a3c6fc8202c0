package io.streamspace.billing.coupons;

import io.streamspace.billing.money.MoneyText;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;

/**
 * A redeemed coupon's discount, as invoicing takes it off an invoice the redemption covers: a
 * percentage of each line it applies to, or an amount in {@code currency} spread over them.
 *
 * @param code the promotion code the organization redeemed it by
 * @param percentOff null for an amount off
 * @param amountOff null for a percentage
 * @param currency the amount's; null for a percentage
 * @param stripeFees on an invoice whose plan fee a Stripe Subscription charges, which of its fee
 *     lines the Subscription charges (and discounts at Stripe, when it carries the coupon); null
 *     when none charges it
 */
public record Discount(
    long redemptionId,
    String couponId,
    String code,
    BigDecimal percentOff,
    BigDecimal amountOff,
    Currency currency,
    AppliesTo appliesTo,
    StripeFees stripeFees) {

  /**
   * The plan fee a Stripe Subscription charges on an invoice: its fee lines from {@code from}
   * (null: all of them), as the Stripe invoice that mirrors ours leaves them and their discounts
   * to the Subscription.
   */
  public record StripeFees(Instant from) {

    /** Whether the Subscription charges a plan fee line starting at {@code lineFrom}. */
    public boolean charges(Instant lineFrom) {
      return from == null || lineFrom == null || !lineFrom.isBefore(from);
    }
  }

  /** The same discount on an invoice whose plan fee lines {@code fees} says are Stripe's. */
  public Discount withStripeFees(StripeFees fees) {
    return new Discount(
        redemptionId, couponId, code, percentOff, amountOff, currency, appliesTo, fees);
  }

  /** What it takes off, in words: {@code 20 % off}, {@code $10.00 off}. */
  public String describeTerms() {
    return percentOff != null
        ? percentOff.stripTrailingZeros().toPlainString() + " % off"
        : MoneyText.of(amountOff, currency) + " off";
  }
}

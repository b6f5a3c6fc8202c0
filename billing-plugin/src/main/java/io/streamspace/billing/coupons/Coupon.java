package io.streamspace.billing.coupons;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;

/**
 * A coupon as an admin reads it ({@code GET /admin/coupons/{id}}).
 *
 * @param percentOff the percentage taken off (20 for 20 %); null for an amount off
 * @param amountOff the amount taken off per billing period in {@code currency}; null for a
 *     percentage
 * @param duration {@code once}, {@code repeating} or {@code forever} ({@link CouponDuration})
 * @param durationInPeriods for {@code repeating}, how many billing periods; else null
 * @param maxRedemptions how many organizations may redeem it in all; null: no maximum
 * @param redemptions how many have
 * @param redeemBy after this instant it can no longer be redeemed; null: no end
 * @param codes its promotion codes (upper case)
 * @param createdBy who created it (the admin's user id)
 * @param active false once deactivated: no longer redeemable (redemptions made go on)
 */
public record Coupon(
    String id,
    BigDecimal percentOff,
    BigDecimal amountOff,
    String currency,
    String duration,
    Integer durationInPeriods,
    AppliesTo appliesTo,
    Integer maxRedemptions,
    int redemptions,
    Instant redeemBy,
    List<String> codes,
    String reason,
    String createdBy,
    Instant createdAt,
    boolean active,
    Instant deactivatedAt) {

  public Coupon {
    codes = List.copyOf(codes);
  }

  /** What it takes off, in words: {@code 20 % off}, {@code $10.00 off}. */
  public String describeTerms() {
    return discount(0, null).describeTerms();
  }

  /** Its discount for one redemption: what invoicing takes off the lines. */
  Discount discount(long redemptionId, String code) {
    return new Discount(
        redemptionId,
        id,
        code,
        percentOff,
        amountOff,
        currency == null ? null : Currency.getInstance(currency),
        appliesTo,
        null);
  }
}

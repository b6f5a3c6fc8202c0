package io.streamspace.billing.coupons;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An organization's redemption of a coupon by one of its codes: the discount it gets, over the
 * billing periods from {@code discountFrom} to {@code discountUntil} (null: every one on).
 *
 * @param via {@code redeem} ({@code POST /redeem}) or {@code checkout} (a plan Checkout's
 *     completion)
 * @param redeemedBy the user who redeemed it (the Owner, or an admin)
 * @param terms what the coupon takes off, as a customer may read it
 */
public record Redemption(
    long id,
    String orgId,
    String couponId,
    String code,
    Instant redeemedAt,
    String via,
    Instant discountFrom,
    Instant discountUntil,
    String redeemedBy,
    Terms terms) {

  /**
   * A coupon's terms without its admin's record (no reason, no other codes).
   *
   * @param description {@code 20 % off}, {@code $10.00 off}
   */
  public record Terms(
      BigDecimal percentOff,
      BigDecimal amountOff,
      String currency,
      String duration,
      Integer durationInPeriods,
      AppliesTo appliesTo,
      String description) {

    /** The coupon's terms, as a redemption of it keeps them. */
    public static Terms of(Coupon coupon) {
      return new Terms(
          coupon.percentOff(),
          coupon.amountOff(),
          coupon.currency(),
          coupon.duration(),
          coupon.durationInPeriods(),
          coupon.appliesTo(),
          coupon.describeTerms());
    }
  }

  /** Whether it still discounts a period at or after {@code now}. */
  public boolean activeAt(Instant now) {
    return discountUntil == null || discountUntil.isAfter(now);
  }
}

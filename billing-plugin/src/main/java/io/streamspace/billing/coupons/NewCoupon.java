package io.streamspace.billing.coupons;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;

/**
 * A coupon as {@code POST /admin/coupons} asks for it, its shape checked ({@link
 * Coupons#create} judges the rest: the plans and meters exist, the amount fits the currency,
 * {@code redeem_by} is ahead, the codes are free).
 *
 * @param percentOff or {@code amountOff} with {@code currency}, one of them
 * @param durationInPeriods for {@code repeating} only
 * @param maxRedemptions null: no maximum
 * @param redeemBy null: no end
 */
public record NewCoupon(
    String id,
    BigDecimal percentOff,
    BigDecimal amountOff,
    Currency currency,
    CouponDuration duration,
    Integer durationInPeriods,
    AppliesTo appliesTo,
    Integer maxRedemptions,
    Instant redeemBy,
    List<String> codes,
    String reason) {

  public NewCoupon {
    codes = List.copyOf(codes);
  }
}

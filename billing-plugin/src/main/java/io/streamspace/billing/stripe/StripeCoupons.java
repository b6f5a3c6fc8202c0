package io.streamspace.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.net.RequestOptions;
import com.stripe.param.CouponCreateParams;
import com.stripe.param.PromotionCodeCreateParams;
import com.stripe.param.SubscriptionUpdateParams;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Locale;

/**
 * Our coupons as Stripe coupons and their codes as Stripe promotion codes, for a Checkout
 * Session that starts a Stripe Subscription and for a Subscription already running: a coupon
 * {@code ss_coupon_<id>}, created with that id when Stripe lacks it (idempotency key {@code
 * ss-coupon-<id>}; one Stripe has already counts as made), a promotion code per code (key {@code
 * ss-promo-<coupon>-<code>}), and a Subscription's discounts set to the coupon.
 */
public final class StripeCoupons {

  /**
   * A coupon as Stripe is to have it.
   *
   * @param couponId ours (Stripe's is {@code ss_coupon_<id>})
   * @param percentOff or {@code amountOff} (with {@code currency}), one of them
   * @param duration {@code once}, {@code repeating} or {@code forever}
   * @param durationInMonths for {@code repeating}: a billing period is a month
   */
  public record Terms(
      String couponId,
      BigDecimal percentOff,
      BigDecimal amountOff,
      Currency currency,
      String duration,
      Integer durationInMonths) {

    /** Its id at Stripe. */
    public String stripeId() {
      return "ss_coupon_" + couponId;
    }

    /**
     * The coupon for the {@code months} a repeating discount has left (one held since an earlier
     * period): a coupon of its own at Stripe, {@code <id>_<months>mo}; these terms when it has
     * them all, or is not repeating.
     */
    public Terms withMonthsLeft(int months) {
      return !"repeating".equals(duration) || durationInMonths == null || months >= durationInMonths
          ? this
          : new Terms(
              couponId + "_" + months + "mo", percentOff, amountOff, currency, duration, months);
    }
  }

  private static final String ALREADY_EXISTS = "resource_already_exists";

  private StripeCoupons() {}

  /** The coupon made to exist at Stripe; answers its id there. */
  public static String coupon(StripeApi stripe, Terms terms) throws StripeFailure {
    return StripeFailure.calling(() -> coupon(stripe.client(), terms));
  }

  /**
   * A promotion code {@code code} of the coupon (made to exist first), created at Stripe;
   * answers its id, which the caller keeps (a code is created once).
   */
  public static String promotionCode(StripeApi stripe, Terms terms, String code)
      throws StripeFailure {
    return StripeFailure.calling(
        () -> {
          StripeClient client = stripe.client();
          String coupon = coupon(client, terms);
          return client
              .v1()
              .promotionCodes()
              .create(
                  PromotionCodeCreateParams.builder()
                      .setCode(code)
                      .setPromotion(
                          PromotionCodeCreateParams.Promotion.builder()
                              .setType(PromotionCodeCreateParams.Promotion.Type.COUPON)
                              .setCoupon(coupon)
                              .build())
                      .putMetadata("coupon_id", terms.couponId())
                      .build(),
                  idempotent("ss-promo-" + terms.couponId() + "-" + code))
              .getId();
        });
  }

  /**
   * The Subscription discounted by the coupon (made to exist first) from now on, as Stripe
   * applies a coupon to a running Subscription; {@code key} the idempotency key of the update.
   */
  public static void discountSubscription(
      StripeApi stripe, String subscriptionId, Terms terms, String key) throws StripeFailure {
    StripeFailure.calling(
        () -> {
          StripeClient client = stripe.client();
          String coupon = coupon(client, terms);
          return client
              .v1()
              .subscriptions()
              .update(
                  subscriptionId,
                  SubscriptionUpdateParams.builder()
                      .addDiscount(
                          SubscriptionUpdateParams.Discount.builder().setCoupon(coupon).build())
                      .build(),
                  idempotent(key));
        });
  }

  private static String coupon(StripeClient stripe, Terms terms) throws StripeException {
    CouponCreateParams.Builder params =
        CouponCreateParams.builder()
            .setId(terms.stripeId())
            .setName(terms.couponId())
            .putMetadata("coupon_id", terms.couponId())
            .setDuration(
                switch (terms.duration()) {
                  case "once" -> CouponCreateParams.Duration.ONCE;
                  case "repeating" -> CouponCreateParams.Duration.REPEATING;
                  default -> CouponCreateParams.Duration.FOREVER;
                });
    if (terms.durationInMonths() != null) {
      params.setDurationInMonths(terms.durationInMonths().longValue());
    }
    if (terms.percentOff() != null) {
      params.setPercentOff(terms.percentOff());
    } else {
      params
          .setAmountOff(StripeAmounts.toMinorUnits(terms.amountOff(), terms.currency()))
          .setCurrency(terms.currency().getCurrencyCode().toLowerCase(Locale.ROOT));
    }
    try {
      return stripe
          .v1()
          .coupons()
          .create(params.build(), idempotent("ss-coupon-" + terms.couponId()))
          .getId();
    } catch (InvalidRequestException e) {
      if (e.getStripeError() != null && ALREADY_EXISTS.equals(e.getStripeError().getCode())) {
        return terms.stripeId(); // made before (its key forgotten after 24 hours)
      }
      throw e;
    }
  }

  private static RequestOptions idempotent(String key) {
    return RequestOptions.builder().setIdempotencyKey(key).build();
  }
}

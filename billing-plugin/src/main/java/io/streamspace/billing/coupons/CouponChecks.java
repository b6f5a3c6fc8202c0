package io.streamspace.billing.coupons;

import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a new coupon must be, beyond its shape: each refusal names the field at fault as the
 * route's body does ({@code applies_to.plans[1]}), and nothing is stored.
 */
final class CouponChecks {

  static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,40}");

  /** A code as stored: Stripe's promotion codes allow letters, digits and dashes. */
  static final Pattern CODE = Pattern.compile("[A-Z0-9-]{3,40}");

  /** The most periods a repeating coupon may run: ten years of monthly periods. */
  static final int MAX_PERIODS = 120;

  /** A percentage's decimals at most (Stripe's {@code percent_off} takes two). */
  private static final int PERCENT_DECIMALS = 2;

  private CouponChecks() {}

  static void check(NewCoupon coupon, BillingConfig config, Instant now) throws CouponRefused {
    if (coupon.id() == null || !ID.matcher(coupon.id()).matches()) {
      throw CouponRefused.invalid(
          "id", "id is required: 1 to 40 letters, digits, underscores or dashes");
    }
    checkAmount(coupon);
    if ((coupon.duration() == CouponDuration.REPEATING) != (coupon.durationInPeriods() != null)) {
      throw CouponRefused.invalid(
          "duration_in_periods",
          "duration_in_periods is required with duration repeating, and only with it");
    }
    if (coupon.durationInPeriods() != null
        && (coupon.durationInPeriods() < 1 || coupon.durationInPeriods() > MAX_PERIODS)) {
      throw CouponRefused.invalid(
          "duration_in_periods", "duration_in_periods must be 1 to " + MAX_PERIODS);
    }
    checkAppliesTo(coupon.appliesTo(), config);
    if (coupon.maxRedemptions() != null && coupon.maxRedemptions() < 1) {
      throw CouponRefused.invalid("max_redemptions", "max_redemptions must be at least 1");
    }
    if (coupon.redeemBy() != null && !coupon.redeemBy().isAfter(now)) {
      throw CouponRefused.invalid("redeem_by", "redeem_by must be ahead: it is " + now + " now");
    }
    checkCodes(coupon.codes());
  }

  private static void checkAmount(NewCoupon coupon) throws CouponRefused {
    if ((coupon.percentOff() == null) == (coupon.amountOff() == null)) {
      throw CouponRefused.invalid("percent_off", "give percent_off or amount_off, one of them");
    }
    BigDecimal percent = coupon.percentOff();
    if (percent != null
        && (percent.signum() <= 0
            || percent.compareTo(BigDecimal.valueOf(100)) > 0
            || percent.stripTrailingZeros().scale() > PERCENT_DECIMALS)) {
      throw CouponRefused.invalid(
          "percent_off", "percent_off must be above 0 and at most 100, with 2 decimals at most");
    }
    if (coupon.amountOff() == null) {
      if (coupon.currency() != null) {
        throw CouponRefused.invalid("currency", "currency goes with amount_off only");
      }
      return;
    }
    if (coupon.currency() == null) {
      throw CouponRefused.invalid("currency", "currency is required with amount_off");
    }
    if (coupon.amountOff().signum() <= 0
        || !Money.fitsMinorUnit(coupon.amountOff(), coupon.currency())) {
      throw CouponRefused.invalid(
          "amount_off",
          "amount_off must be above 0, with no more decimals than "
              + coupon.currency().getCurrencyCode()
              + " has ("
              + Money.minorDigits(coupon.currency())
              + ")");
    }
  }

  private static void checkAppliesTo(AppliesTo appliesTo, BillingConfig config)
      throws CouponRefused {
    if (appliesTo == null || appliesTo.namesNothing()) {
      throw CouponRefused.invalid(
          "applies_to", "applies_to is required: plans, meters or store, at least one");
    }
    List<String> plans = appliesTo.plans();
    for (int i = 0; i < plans.size(); i++) {
      String plan = plans.get(i);
      if (config.plan(plan).isEmpty()) {
        throw CouponRefused.invalid(
            "applies_to.plans[" + i + "]",
            "no plan \"%s\": the plans are %s"
                .formatted(
                    plan,
                    String.join(
                        ", ",
                        config.subscriptionPlans().stream().map(SubscriptionPlan::id).toList())));
      }
    }
    List<String> meters = appliesTo.meters();
    for (int i = 0; i < meters.size(); i++) {
      if (config.meters().named(meters.get(i)).isEmpty()) {
        throw CouponRefused.invalid(
            "applies_to.meters[" + i + "]",
            "no meter \"%s\": the meters are %s"
                .formatted(meters.get(i), config.meters().listed()));
      }
    }
  }

  private static void checkCodes(List<String> codes) throws CouponRefused {
    if (codes.isEmpty()) {
      throw CouponRefused.invalid(
          "codes", "codes is required: at least one promotion code customers type");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < codes.size(); i++) {
      String code = codes.get(i);
      if (!CODE.matcher(code).matches()) {
        throw CouponRefused.invalid(
            "codes[" + i + "]", "a code is 3 to 40 letters, digits or dashes: " + code);
      }
      if (!seen.add(code)) {
        throw CouponRefused.invalid("codes[" + i + "]", "code " + code + " is given twice");
      }
    }
  }
}

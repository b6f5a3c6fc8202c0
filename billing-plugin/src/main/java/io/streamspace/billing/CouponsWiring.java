package io.streamspace.billing;

import io.streamspace.billing.coupons.Coupons;
import io.streamspace.billing.http.CouponAdminRoutes;
import io.streamspace.billing.http.CouponRoutes;
import io.streamspace.billing.payments.subscription.CouponsAtStripe;
import io.streamspace.billing.payments.webhook.CheckoutCodes;
import io.streamspace.billing.payments.webhook.StripePayments;

/**
 * Coupons and promotion codes: the admin's coupon routes, and an organization's redemption
 * ({@code POST /redeem}, which discounts its Stripe Subscription too where one collects its plan
 * fee) and discount ({@code GET /discount}). Invoicing reads the redemptions itself; a plan
 * Checkout carries a code ({@link #atStripe}), redeemed by the webhook ({@link #checkoutCodes}).
 */
record CouponsWiring(Coupons coupons, CouponsAtStripe atStripe) {

  static CouponsWiring wire(Wiring wiring, PaymentsWiring payments) {
    Coupons coupons = new Coupons(wiring.dataSource(), wiring.events(), wiring.config());
    CouponsAtStripe atStripe = new CouponsAtStripe(coupons, payments.clients(), wiring.config());
    new CouponAdminRoutes(coupons, wiring.clock()).register(wiring.routes());
    new CouponRoutes(wiring.orgAccess(), coupons, atStripe.onSubscriptions(), wiring.clock())
        .register(wiring.routes());
    return new CouponsWiring(coupons, atStripe);
  }

  /** The discount an organization holds, carried to a Subscription the Customer Portal moved. */
  StripePayments.HeldDiscounts heldDiscounts() {
    return atStripe::carryHeldDiscount;
  }

  /** A plan Checkout's promotion code, redeemed when the webhook applies its completion. */
  CheckoutCodes checkoutCodes() {
    return new CheckoutCodes(coupons);
  }
}

package io.streamspace.billing;

import io.streamspace.billing.coupons.Coupons;
import io.streamspace.billing.http.CouponAdminRoutes;
import io.streamspace.billing.http.CouponRoutes;
import io.streamspace.billing.payments.subscription.CouponsAtStripe;

/**
 * Coupons and promotion codes: the admin's coupon routes, and an organization's redemption
 * ({@code POST /redeem}, which discounts its Stripe Subscription too where one collects its plan
 * fee) and discount ({@code GET /discount}). Invoicing reads the redemptions itself; a plan
 * Checkout carries a code, redeemed by the webhook ({@link PaymentsWiring#serveStripe}).
 */
final class CouponsWiring {

  private CouponsWiring() {}

  static Coupons wire(Wiring wiring, PaymentsWiring payments) {
    Coupons coupons = new Coupons(wiring.dataSource(), wiring.events(), wiring.config());
    new CouponAdminRoutes(coupons, wiring.clock()).register(wiring.routes());
    new CouponRoutes(
            wiring.orgAccess(),
            coupons,
            new CouponsAtStripe(coupons, payments.clients(), wiring.config()).onSubscriptions(),
            wiring.clock())
        .register(wiring.routes());
    return coupons;
  }
}

package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.coupons.CouponRefused;
import io.streamspace.billing.coupons.Coupons;
import io.streamspace.billing.coupons.Redeeming;
import io.streamspace.billing.stripe.StripeEvent;
import io.streamspace.common.text.SafeText;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plan Checkout's promotion code (its metadata {@code promotion_code}, checked when the session
 * was created), redeemed for the organization when the session is applied, in the event's
 * transaction, as {@code POST /redeem} redeems one ({@code via} {@code checkout}); {@code
 * billing.coupon.redeemed} after the commit. A code refused by then (its coupon ran out,
 * expired or was deactivated meanwhile) is not redeemed, and the plan change stands: the refusal
 * is logged.
 */
public final class CheckoutCodes {

  private static final Logger log = LoggerFactory.getLogger(CheckoutCodes.class);

  private final Coupons coupons;

  public CheckoutCodes(Coupons coupons) {
    this.coupons = coupons;
  }

  void redeem(Connection c, StripeEvent event, String account, Instant now, List<Runnable> after)
      throws SQLException {
    String code = event.text("metadata/promotion_code");
    if (code == null) {
      return;
    }
    try {
      Redeeming.Redeemed redeemed =
          coupons.redeem(
              c,
              new Redeeming.Request(
                  account, code, "checkout", event.text("id"), Cause.stripe(event.id()), now));
      after.add(() -> coupons.announce(redeemed));
    } catch (CouponRefused e) {
      log.warn(
          "Stripe Checkout Session {}: promotion code {} not redeemed ({}): {}",
          event.logged("id"),
          SafeText.forLog(code),
          e.code(),
          SafeText.forLog(e.getMessage()));
    }
  }
}

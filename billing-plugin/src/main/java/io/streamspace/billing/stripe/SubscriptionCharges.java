package io.streamspace.billing.stripe;

/**
 * Which Stripe Subscription charges an organization's plan fee over a billing period, as SQL:
 * one rule for what a mirrored invoice leaves to the Subscription ({@code
 * payments/mirror/MirrorRepository}) and what a coupon the Subscription carries takes off at
 * Stripe ({@code coupons/Coverage}).
 */
public final class SubscriptionCharges {

  private SubscriptionCharges() {}

  /**
   * A condition on {@code billing_stripe_subscriptions c}: whether it charges the plan fee of the
   * organization {@code org} over {@code [start, end)} (three SQL expressions): it is live, or it
   * was cancelled after the period began, having charged a plan the organization was on in it (a
   * refused Checkout's never did): it collected that plan fee before it ended.
   */
  public static String chargesPlanFee(String org, String start, String end) {
    return """
        c.account_id = %1$s
        AND (c.status <> 'canceled'
             OR (c.event_at > %2$s
                 AND EXISTS (SELECT 1 FROM billing_subscriptions p
                             WHERE p.user_id = %1$s AND p.plan_id = c.plan_id
                               AND p.started_at < %3$s
                               AND (p.ended_at IS NULL OR p.ended_at > %2$s))))"""
        .formatted(org, start, end);
  }

  /**
   * A lateral subquery of the Subscription that charges the plan fee ({@link #chargesPlanFee}),
   * the latest: its {@code subscription_id} and {@code started_at} (when it began to; null: the
   * whole period).
   */
  public static String charging(String org, String start, String end) {
    return """
        SELECT c.subscription_id, c.started_at FROM billing_stripe_subscriptions c
        WHERE %s
        ORDER BY c.event_at DESC LIMIT 1"""
        .formatted(chargesPlanFee(org, start, end));
  }
}

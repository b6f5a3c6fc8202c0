package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.payments.subscription.StripeSubscriptions;
import io.streamspace.billing.payments.subscription.StripeSubscriptions.Seen;
import io.streamspace.billing.payments.subscription.StripeSubscriptions.Stored;
import io.streamspace.billing.stripe.StripeEvent;
import io.streamspace.common.text.SafeText;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code customer.subscription.updated}, in the event's transaction, for a Stripe Subscription a
 * plan Checkout of ours created ({@code billing_stripe_subscriptions}, metadata {@code
 * account_id} the same): its status, {@code cancel_at_period_end} and period end are kept, and a
 * change of its price to another plan's (made in the Customer Portal: the price's {@code
 * metadata.plan_id}, else its lookup key {@code ss_plan_<plan>_<currency>}) moves the
 * organization to that plan as {@code PUT /subscription} does ({@link SubscriptionPlanMoves}).
 * A Subscription moved without a discount at Stripe is given the one the organization holds when
 * its coupon applies to the new plan ({@link StripePayments.HeldDiscounts}, key {@code
 * ss-portal-<event>}): a code redeemed while the Subscription was on a plan the coupon does not
 * apply to was kept off Stripe, and the fee it does apply to, which our invoices leave to the
 * Subscription, would otherwise be charged in full. A Subscription with a discount keeps it
 * (Stripe carries a coupon through Portal changes).
 * An event not newer than the last one applied to the subscription, or about one cancelled,
 * changes nothing; another subscription is ignored.
 */
final class UpdatedSubscriptions {

  static final String UPDATED = "customer.subscription.updated";

  private static final String PLAN_KEY = "ss_plan_";

  private static final Logger log = LoggerFactory.getLogger(UpdatedSubscriptions.class);

  private final SubscriptionPlanMoves moves;
  private final StripePayments.HeldDiscounts heldDiscounts;

  UpdatedSubscriptions(SubscriptionPlanMoves moves, StripePayments.HeldDiscounts heldDiscounts) {
    this.moves = moves;
    this.heldDiscounts = heldDiscounts;
  }

  void updated(Connection c, StripeEvent event, Instant now, List<Runnable> after)
      throws SQLException {
    Optional<Stored> stored = ours(c, event);
    if (stored.isEmpty()) {
      return;
    }
    String planId = planOf(event).orElse(stored.get().planId());
    Seen seen =
        new Seen(
            planId,
            event.text("status"),
            Boolean.TRUE.equals(bool(event, "cancel_at_period_end")),
            periodEnd(event),
            event.created());
    if (seen.status() == null
        || !StripeSubscriptions.seen(c, stored.get().subscriptionId(), seen, now)) {
      log.info(
          "Stripe event {}: subscription {} has a newer state, or ended: nothing changed",
          SafeText.forLog(event.id()),
          SafeText.forLog(stored.get().subscriptionId()));
      return;
    }
    if (!planId.equals(stored.get().planId())) {
      moves.move(c, stored.get().orgId(), planId, event, now, after);
      if (!discounted(event)) {
        heldDiscounts.carry(
            c,
            stored.get().subscriptionId(),
            stored.get().orgId(),
            planId,
            "ss-portal-" + event.id(),
            event.created());
      }
    }
  }

  /** Whether the Subscription has a discount at Stripe. */
  private static boolean discounted(StripeEvent event) {
    return !event.object().path("discounts").isEmpty()
        || event.object().path("discount").isObject();
  }

  /**
   * The subscription of the event when it is ours: stored, its metadata naming the same
   * account; else empty (logged).
   */
  static Optional<Stored> ours(Connection c, StripeEvent event) throws SQLException {
    String id = event.text("id");
    String account = event.text("metadata/account_id");
    Optional<Stored> stored =
        id == null || account == null ? Optional.empty() : StripeSubscriptions.find(c, id);
    if (stored.isEmpty() || !stored.get().orgId().equals(account)) {
      log.info(
          "Stripe event {}: subscription {} is not one of ours: ignored",
          SafeText.forLog(event.id()),
          SafeText.forLog(id));
      return Optional.empty();
    }
    return stored;
  }

  /** The plan the subscription's (first) item's price sells, if it names one of ours. */
  private static Optional<String> planOf(StripeEvent event) {
    String byMetadata = event.text("items/data/0/price/metadata/plan_id");
    if (byMetadata != null) {
      return Optional.of(byMetadata);
    }
    String key = event.text("items/data/0/price/lookup_key");
    if (key == null || !key.startsWith(PLAN_KEY) || key.lastIndexOf('_') <= PLAN_KEY.length()) {
      return Optional.empty();
    }
    return Optional.of(key.substring(PLAN_KEY.length(), key.lastIndexOf('_')));
  }

  /** The current period's end: on the item since Stripe's 2025 API, on the subscription before. */
  private static Instant periodEnd(StripeEvent event) {
    Long end = event.number("items/data/0/current_period_end");
    end = end == null ? event.number("current_period_end") : end;
    return end == null ? null : Instant.ofEpochSecond(end);
  }

  private static Boolean bool(StripeEvent event, String path) {
    var node = event.object().at("/" + path);
    return node.isBoolean() ? node.booleanValue() : null;
  }
}

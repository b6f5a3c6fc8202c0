package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.payments.subscription.StripeSubscriptions;
import io.streamspace.billing.payments.subscription.StripeSubscriptions.Stored;
import io.streamspace.billing.plans.SubscriptionRepository;
import io.streamspace.billing.stripe.StripeEvent;
import io.streamspace.common.text.SafeText;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code customer.subscription.deleted}, in the event's transaction, for a Stripe Subscription
 * of ours ({@link UpdatedSubscriptions#ours}): it is marked cancelled for good, and the
 * organization, while still on the plan the subscription paid for, moves to the free plan
 * ({@code defaultPlan}) when the event is applied. Stripe sends it when the subscription ends:
 * at the end of the paid period for a cancellation at period end (the Customer Portal's), at once
 * for one cancelled immediately; the plugin has no scheduled downgrade of its own, so that is
 * the instant of the change. Whatever its order, a deletion ends the subscription once; a
 * subscription cancelled already (a refused Checkout's) changes nothing.
 */
final class DeletedSubscriptions {

  static final String DELETED = "customer.subscription.deleted";

  private static final Logger log = LoggerFactory.getLogger(DeletedSubscriptions.class);

  private final SubscriptionPlanMoves moves;
  private final Supplier<BillingConfig> config;

  DeletedSubscriptions(SubscriptionPlanMoves moves, Supplier<BillingConfig> config) {
    this.moves = moves;
    this.config = config;
  }

  void deleted(Connection c, StripeEvent event, Instant now, List<Runnable> after)
      throws SQLException {
    Optional<Stored> stored = UpdatedSubscriptions.ours(c, event);
    if (stored.isEmpty()
        || !StripeSubscriptions.cancelled(c, stored.get().subscriptionId(), event.created(), now)) {
      return;
    }
    String account = stored.get().orgId();
    if (!stored.get().planId().equals(SubscriptionRepository.activePlan(c, account))) {
      log.info(
          "Stripe subscription {} ended; {} is no longer on its plan {}: plan kept",
          SafeText.forLog(stored.get().subscriptionId()),
          SafeText.forLog(account),
          SafeText.forLog(stored.get().planId()));
      return;
    }
    moves.move(c, account, config.get().defaultPlan(), event, now, after);
  }
}

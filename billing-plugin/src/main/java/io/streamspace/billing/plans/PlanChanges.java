package io.streamspace.billing.plans;

import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.SubscriptionChanged;
import io.streamspace.billing.invoicing.PlanTerm;
import io.streamspace.billing.plans.SubscriptionRepository.ChangeRefused;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves accounts between plans, then tells the platform ({@value
 * BillingEvents#SUBSCRIPTION_CHANGED}).
 */
public final class PlanChanges {

  private static final Logger log = LoggerFactory.getLogger(PlanChanges.class);

  private final SubscriptionRepository subscriptions;
  private final BillingEvents events;

  public PlanChanges(SubscriptionRepository subscriptions, BillingEvents events) {
    this.subscriptions = subscriptions;
    this.events = events;
  }

  /**
   * Moves the account onto {@code next} at {@code now} (see
   * {@link SubscriptionRepository#change}).
   *
   * @return the id of the plan the account left
   * @throws ChangeRefused when nothing was changed, and why
   */
  public String change(String userId, PlanTerm next, Currency currency, Instant now)
      throws SQLException, ChangeRefused {
    String previous = subscriptions.change(userId, next, currency, now);
    log.info("user {} moved from plan {} to {} at {}", userId, previous, next.planId(), now);
    events.subscriptionChanged(
        new SubscriptionChanged(
            userId, previous, next.planId(), next.price(), currency.getCurrencyCode(), now));
    return previous;
  }
}

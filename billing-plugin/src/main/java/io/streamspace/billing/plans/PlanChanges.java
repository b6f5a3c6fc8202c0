package io.streamspace.billing.plans;

import io.streamspace.billing.invoicing.PlanTerm;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.billing.plans.SubscriptionRepository.ChangeRefused;
import io.streamspace.plugin.api.event.EventPublisher;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Moves accounts between plans, then tells the platform ({@value #CHANGED_EVENT}). */
public final class PlanChanges {

  /** Published once a change is committed. */
  public static final String CHANGED_EVENT = "billing.subscription.changed";

  private static final Logger log = LoggerFactory.getLogger(PlanChanges.class);

  /** The payload of {@link #CHANGED_EVENT}. */
  record ChangedEvent(
      String userId,
      String previousPlanId,
      String planId,
      BigDecimal price,
      String currency,
      Instant changedAt) {}

  private final SubscriptionRepository subscriptions;
  private final EventPublisher events;

  public PlanChanges(SubscriptionRepository subscriptions, EventPublisher events) {
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
    events.publish(
        CHANGED_EVENT,
        JsonMapper.write(
            new ChangedEvent(
                userId, previous, next.planId(), next.price(), currency.getCurrencyCode(), now)));
    return previous;
  }
}

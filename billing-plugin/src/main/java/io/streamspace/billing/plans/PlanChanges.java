package io.streamspace.billing.plans;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.SubscriptionChanged;
import io.streamspace.billing.invoicing.PlanTerm;
import io.streamspace.billing.plans.SubscriptionRepository.ChangeRefused;
import io.streamspace.billing.quota.OverLimitSuspensions;
import io.streamspace.billing.trials.Trials;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves accounts between plans, then tells the platform ({@value
 * BillingEvents#SUBSCRIPTION_CHANGED}) and weighs the account against its new limits at once: an
 * upgrade that fits its use resumes a suspended account without waiting for check-quotas.
 */
public final class PlanChanges {

  private static final Logger log = LoggerFactory.getLogger(PlanChanges.class);

  private final SubscriptionRepository subscriptions;
  private final BillingEvents events;
  private final OverLimitSuspensions suspensions;

  public PlanChanges(
      SubscriptionRepository subscriptions,
      BillingEvents events,
      OverLimitSuspensions suspensions) {
    this.subscriptions = subscriptions;
    this.events = events;
    this.suspensions = suspensions;
  }

  /**
   * The term of {@code plan} at {@code price} (in the account's currency) from {@code now},
   * offering the plan's trial when it has one ({@link PlanTerm#trialEnd}: its store begins it for
   * an organization's first start of the plan only).
   */
  public static PlanTerm termOf(SubscriptionPlan plan, BigDecimal price, Instant now) {
    return new PlanTerm(
        plan.id(),
        plan.name(),
        price,
        plan.interval(),
        plan.cpuLimit(),
        plan.memoryLimit(),
        plan.storageLimit(),
        plan.heldLimits(),
        now,
        null,
        null,
        plan.trialDays() > 0 ? now.plus(Duration.ofDays(plan.trialDays())) : null);
  }

  /**
   * Moves the account onto {@code next} at {@code now} (see
   * {@link SubscriptionRepository#change}).
   *
   * @return the id of the plan the account left
   * @throws ChangeRefused when nothing was changed, and why
   */
  public String change(String orgId, PlanTerm next, Currency currency, Instant now, Cause cause)
      throws SQLException, ChangeRefused {
    SubscriptionRepository.Changed change = subscriptions.change(orgId, next, currency, now, cause);
    changed(orgId, change.previousPlan(), next.withTrialEnd(change.trialEnd()), currency, now);
    return change.previousPlan();
  }

  /**
   * The same change in the caller's transaction (a Stripe event applied with it).
   *
   * @return what to run once the transaction is committed: the event and the limits' check
   * @throws ChangeRefused when nothing was changed, and why
   */
  public Runnable changeInTransaction(
      Connection connection,
      String orgId,
      PlanTerm next,
      Currency currency,
      Instant now,
      Cause cause)
      throws SQLException, ChangeRefused {
    SubscriptionRepository.Changed change =
        SubscriptionRepository.change(connection, orgId, next, currency, now, cause);
    PlanTerm started = next.withTrialEnd(change.trialEnd());
    return () -> changed(orgId, change.previousPlan(), started, currency, now);
  }

  /**
   * A plan migration's move of the organization onto {@code next} (another version of its plan)
   * at {@code at}, in the caller's transaction ({@link SubscriptionRepository#migrate}).
   *
   * @return what to run once the transaction is committed (the event and the limits' check);
   *     empty when the organization was not moved
   */
  public Optional<Runnable> migrateInTransaction(
      Connection connection,
      String orgId,
      int fromVersion,
      PlanTerm next,
      Currency currency,
      Instant at,
      long migrationId,
      Cause cause)
      throws SQLException {
    return SubscriptionRepository.migrate(
            connection, orgId, next.planId(), fromVersion, next, currency, at, migrationId, cause)
        .map(
            previousPrice ->
                () -> changed(orgId, next.planId(), next.withTrialEnd(null), currency, at));
  }

  /**
   * A trial's end: the organization's trial term ends at the trial's end and {@code next} starts
   * then, in the caller's transaction ({@link SubscriptionRepository#endTrial}).
   *
   * @return what to run once the transaction is committed (the event and the limits' check);
   *     empty when a plan change ended the term first
   */
  public Optional<Runnable> endTrialInTransaction(
      Connection connection,
      Trials.Running trial,
      PlanTerm next,
      Map<String, Object> said,
      Cause cause)
      throws SQLException {
    Currency currency = Currency.getInstance(trial.currency());
    return SubscriptionRepository.endTrial(connection, trial, next, said, cause)
        ? Optional.of(
            () ->
                changed(
                    trial.orgId(),
                    trial.planId(),
                    next.withTrialEnd(null),
                    currency,
                    trial.endsAt()))
        : Optional.empty();
  }

  /** Tells of the term {@code next} started, free until its {@code trialEnd} when it has one. */
  private void changed(
      String orgId, String previous, PlanTerm next, Currency currency, Instant now) {
    log.info("user {} moved from plan {} to {} at {}", orgId, previous, next.planId(), now);
    events.subscriptionChanged(
        new SubscriptionChanged(
            orgId,
            previous,
            next.planId(),
            next.trialEnd() == null ? next.price() : BigDecimal.ZERO,
            currency.getCurrencyCode(),
            now,
            next.trialEnd()));
    try {
      suspensions.check(orgId);
    } catch (SQLException e) {
      // the change is made; the next check-quotas weighs the account instead
      log.warn("user {}: limits not checked after the plan change", orgId, e);
    }
  }
}

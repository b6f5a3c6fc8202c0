package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.invoicing.PlanTerm;
import io.streamspace.billing.plans.PlanChanges;
import io.streamspace.billing.plans.SubscriptionRepository.ChangeRefused;
import io.streamspace.billing.plans.SubscriptionRepository.Refusal;
import io.streamspace.billing.stripe.StripeEvent;
import io.streamspace.common.text.SafeText;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves an organization onto a plan for a Stripe Subscription's event, in the event's
 * transaction, as {@code PUT /subscription} does: the change at the instant the event is applied,
 * the invoice prorating both plans to the second, {@code billing.subscription.changed} after the
 * commit. Already on the plan, or a plan not sold in its currency: nothing (logged). A plan with a
 * trial begins it (once per organization and plan) as the Subscription does: until the {@code
 * trial_end} Stripe has, so that our trial term ends when Stripe starts charging; none when Stripe
 * has none. A setup-mode Checkout's completion (Stripe charges nothing) begins the plan's own. A
 * trial whose end has come before the trials run that ends it is ended first, and a migration
 * whose instant has come before the run that moves the organization moves it first, in the
 * event's transaction, as {@code PUT /subscription} does: the move starts from the term they make
 * (the trial converted or lapsed at its end; the organization on the migration's version from its
 * instant), never from a term running past them.
 */
final class SubscriptionPlanMoves {

  private static final Logger log = LoggerFactory.getLogger(SubscriptionPlanMoves.class);

  private final PlanChanges plans;
  private final StripePayments.DueChanges due;
  private final Supplier<BillingConfig> config;

  SubscriptionPlanMoves(
      PlanChanges plans, StripePayments.DueChanges due, Supplier<BillingConfig> config) {
    this.plans = plans;
    this.due = due;
    this.config = config;
  }

  void move(
      Connection c,
      String account,
      String planId,
      StripeEvent event,
      Instant now,
      List<Runnable> after)
      throws SQLException {
    BillingConfig current = config.get();
    Optional<Currency> currency =
        Optional.ofNullable(AccountRepository.currencyOf(c, account)).map(Currency::getInstance);
    Optional<SubscriptionPlan> plan = current.plan(planId);
    Optional<BigDecimal> price = plan.flatMap(p -> currency.flatMap(in -> current.priceOf(p, in)));
    if (price.isEmpty()) {
      log.warn(
          "Stripe event {}: plan {} of {} is not sold: not applied",
          SafeText.forLog(event.id()),
          SafeText.forLog(planId),
          SafeText.forLog(account));
      return;
    }
    PlanTerm next = PlanChanges.termOf(plan.get(), price.get(), now);
    if (next.trialEnd() != null && !"setup".equals(event.text("mode"))) {
      next = next.withTrialEnd(stripeTrialEnd(event, now)); // Stripe charges: its trial, or none
    }
    after.addAll(due.makeDue(c, account));
    try {
      after.add(
          plans.changeInTransaction(
              c, account, next, currency.get(), now, Cause.stripe(event.id())));
    } catch (ChangeRefused e) {
      if (e.refusal() == Refusal.CONCURRENT_CHANGE) {
        // rolled back: Stripe delivers the event again, and then it applies
        throw new IllegalStateException(e.getMessage(), e);
      }
      log.info(
          "Stripe event {}: plan {} of {}: {}",
          SafeText.forLog(event.id()),
          SafeText.forLog(planId),
          SafeText.forLog(account),
          SafeText.forLog(e.getMessage()));
    }
  }

  /**
   * The end of the trial a Stripe Subscription gives the plan, when it is after {@code now}: the
   * {@code trial_end} its Checkout Session asked for (its metadata, put there by {@code
   * StripeCheckout}), or the subscription's own; null when it charges from now.
   */
  private static Instant stripeTrialEnd(StripeEvent event, Instant now) {
    String asked = event.text("metadata/trial_end");
    Long seconds = asked != null && asked.matches("\\d{1,12}") ? Long.valueOf(asked) : null;
    if (seconds == null && "subscription".equals(event.text("object"))) {
      seconds = event.number("trial_end");
    }
    Instant end = seconds == null ? null : Instant.ofEpochSecond(seconds);
    return end != null && end.isAfter(now) ? end : null;
  }
}

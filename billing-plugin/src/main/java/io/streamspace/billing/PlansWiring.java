package io.streamspace.billing;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.http.PlanMigrationRoutes;
import io.streamspace.billing.http.PlanRoutes;
import io.streamspace.billing.http.PlanVersionRoutes;
import io.streamspace.billing.http.ReadOnlyLock;
import io.streamspace.billing.http.ScheduledChangeJson;
import io.streamspace.billing.http.SubscriptionRoutes;
import io.streamspace.billing.http.TrialJson;
import io.streamspace.billing.invoicing.InvoiceCalculator;
import io.streamspace.billing.jobs.TellThenChangeJob;
import io.streamspace.billing.payments.subscription.StripeSubscriptions;
import io.streamspace.billing.payments.webhook.StripePayments;
import io.streamspace.billing.plans.MigrationPreview;
import io.streamspace.billing.plans.MigrationRuns;
import io.streamspace.billing.plans.PlanChanges;
import io.streamspace.billing.plans.PlanMigrations;
import io.streamspace.billing.plans.SubscriptionRepository;
import io.streamspace.billing.plans.TrialRuns;
import io.streamspace.billing.quota.OverLimitSuspensions;
import io.streamspace.billing.whatif.WhatIfRun;
import java.util.ArrayList;
import java.util.List;

/**
 * Subscriptions and plan changes (a change can lift an over-limit suspension) and their routes;
 * plan versions and migrations: their routes, their preview (a what-if of invoicing's
 * calculator) and plan-migrations, which tells and moves the organizations; trials, which tells
 * and ends the plans' trials.
 */
record PlansWiring(
    SubscriptionRepository subscriptions,
    PlanChanges planChanges,
    TrialRuns trialRuns,
    MigrationRuns migrationRuns) {

  /**
   * What trials and plan-migrations would make of an organization at their next runs (a trial's
   * end, then a migration's move), in a Stripe event's transaction, before the plan change it
   * makes.
   */
  StripePayments.DueChanges dueChangesInTransaction() {
    return (connection, orgId) -> {
      List<Runnable> told = new ArrayList<>();
      trialRuns
          .endDueInTransaction(connection, orgId, Cause.job(TellThenChangeJob.TRIALS))
          .ifPresent(told::add);
      told.addAll(
          migrationRuns.moveDueInTransaction(
              connection, orgId, Cause.job(TellThenChangeJob.PLAN_MIGRATIONS)));
      return told;
    };
  }

  static PlansWiring wire(
      Wiring wiring,
      OverLimitSuspensions suspensions,
      ReadOnlyLock readOnlyLock,
      InvoiceCalculator calculator) {
    SubscriptionRepository subscriptions = new SubscriptionRepository(wiring.dataSource());
    PlanChanges planChanges = new PlanChanges(subscriptions, wiring.events(), suspensions);
    PlanMigrations migrations = new PlanMigrations(wiring.dataSource(), wiring.events());
    TrialRuns trialRuns =
        new TrialRuns(
            wiring.dataSource(), planChanges, wiring.events(), wiring.config(), wiring.clock());
    MigrationRuns migrationRuns =
        new MigrationRuns(
            wiring.dataSource(), planChanges, wiring.events(), wiring.config(), wiring.clock());
    new SubscriptionRoutes(
            wiring.orgAccess(),
            subscriptions,
            planChanges,
            new StripeSubscriptions(wiring.dataSource()),
            readOnlyLock,
            ScheduledChangeJson.of(migrations, wiring.config()),
            TrialJson.of(wiring.dataSource(), wiring.config()),
            orgId -> {
              trialRuns.endDue(orgId, Cause.job(TellThenChangeJob.TRIALS));
              migrationRuns.moveDue(orgId, Cause.job(TellThenChangeJob.PLAN_MIGRATIONS));
            },
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
    new PlanRoutes(
            wiring.orgAccess(), wiring.accounts(), subscriptions, readOnlyLock, wiring.config())
        .register(wiring.routes());
    new PlanVersionRoutes(wiring.dataSource(), migrations, wiring.config())
        .register(wiring.routes());
    MigrationPreview preview =
        new MigrationPreview(
            new WhatIfRun(wiring.dataSource(), calculator), wiring.config(), wiring.clock());
    new PlanMigrationRoutes(
            wiring.dataSource(), migrations, preview, wiring.config(), wiring.clock())
        .register(wiring.routes());
    TellThenChangeJob.trials(trialRuns, wiring.config()).scheduleOn(wiring.scheduler());
    TellThenChangeJob.planMigrations(migrationRuns, wiring.config()).scheduleOn(wiring.scheduler());
    return new PlansWiring(subscriptions, planChanges, trialRuns, migrationRuns);
  }
}

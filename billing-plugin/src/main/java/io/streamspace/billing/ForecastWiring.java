package io.streamspace.billing;

import io.streamspace.billing.account.Memberships;
import io.streamspace.billing.forecast.BudgetAlerts;
import io.streamspace.billing.forecast.Budgets;
import io.streamspace.billing.forecast.Forecasts;
import io.streamspace.billing.http.BudgetRoutes;
import io.streamspace.billing.http.ForecastRoutes;
import io.streamspace.billing.http.ReadOnlyLock;
import io.streamspace.billing.jobs.CheckBudgetsJob;
import io.streamspace.billing.spend.SpendingLimits;

/**
 * The forecast and budgets: {@code /forecast} from the period's estimate (the spending limits')
 * and the organization's own days; {@code /budgets}; and check-budgets (scheduled), which
 * announces the budgets the forecast crosses. Nothing else limits a path here: a prepaid
 * balance, where one is kept, plugs into {@link Forecasts.MoreLimits} ({@code prepaid_balance});
 * what is left of each member's budget, which a runway to it needs, is {@link
 * Forecasts#membersLeft}.
 */
final class ForecastWiring {

  private ForecastWiring() {}

  static void wire(Wiring wiring, SpendingLimits spendingLimits, ReadOnlyLock readOnlyLock) {
    Budgets budgets = new Budgets(wiring.dataSource());
    Forecasts forecasts =
        new Forecasts(
            wiring.dataSource(),
            spendingLimits,
            budgets,
            Forecasts.MoreLimits.NONE,
            wiring.config(),
            wiring.clock());
    new CheckBudgetsJob(
            new BudgetAlerts(
                wiring.dataSource(),
                budgets,
                forecasts,
                wiring.accounts(),
                wiring.events(),
                wiring.clock()),
            wiring.config())
        .scheduleOn(wiring.scheduler());
    new ForecastRoutes(wiring.orgAccess(), wiring.accounts(), forecasts).register(wiring.routes());
    new BudgetRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            new Memberships(wiring.dataSource()),
            budgets,
            readOnlyLock,
            wiring.clock())
        .register(wiring.routes());
  }
}

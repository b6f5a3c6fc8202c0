package io.streamspace.billing;

import io.streamspace.billing.account.Memberships;
import io.streamspace.billing.advice.AdviceNotices;
import io.streamspace.billing.advice.Advisor;
import io.streamspace.billing.forecast.BudgetAlerts;
import io.streamspace.billing.forecast.Budgets;
import io.streamspace.billing.forecast.Forecasts;
import io.streamspace.billing.http.BudgetRoutes;
import io.streamspace.billing.http.ForecastRoutes;
import io.streamspace.billing.http.ReadOnlyLock;
import io.streamspace.billing.jobs.CheckBudgetsJob;
import io.streamspace.billing.prepaid.PrepaidLedger;
import io.streamspace.billing.spend.SpendingLimits;
import java.util.List;

/**
 * The forecast and budgets: {@code /forecast} from the period's estimate (the spending limits')
 * and the organization's own days, its paths crossing the spending limit, the budgets and a
 * prepaid balance the ledger holds ({@code prepaid_balance}: the period's cost reaching what is
 * available of it); {@code /budgets}; and check-budgets (scheduled), which announces the budgets
 * the forecast crosses, and tells of the advisor's savings. Answers the forecasts, whose {@link
 * Forecasts#membersLeft} live cost's runway to a member's budget reads.
 */
final class ForecastWiring {

  /** What a crossing of the prepaid balance is called in {@code crosses}. */
  static final String PREPAID_BALANCE = "prepaid_balance";

  private ForecastWiring() {}

  static Forecasts wire(
      Wiring wiring,
      SpendingLimits spendingLimits,
      ReadOnlyLock readOnlyLock,
      PrepaidLedger ledger,
      Advisor advisor) {
    Budgets budgets = new Budgets(wiring.dataSource());
    Forecasts.MoreLimits balance =
        (account, spent) ->
            ledger
                .held(account.orgId(), account.currency())
                .map(held -> List.of(new Forecasts.Limit(PREPAID_BALANCE, held.available())))
                .orElse(List.of());
    Forecasts forecasts =
        new Forecasts(
            wiring.dataSource(), spendingLimits, budgets, balance, wiring.config(), wiring.clock());
    new CheckBudgetsJob(
            new BudgetAlerts(
                wiring.dataSource(),
                budgets,
                forecasts,
                wiring.accounts(),
                wiring.events(),
                wiring.clock()),
            new AdviceNotices(
                wiring.dataSource(), advisor, wiring.events(), wiring.config(), wiring.clock()),
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
    return forecasts;
  }
}

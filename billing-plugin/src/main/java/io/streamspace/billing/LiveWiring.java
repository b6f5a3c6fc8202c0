package io.streamspace.billing;

import io.streamspace.billing.forecast.Forecasts;
import io.streamspace.billing.hibernation.Hibernation;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.http.EventStreams;
import io.streamspace.billing.http.LiveRoutes;
import io.streamspace.billing.jobs.CheckBalancesJob;
import io.streamspace.billing.live.BalanceSource;
import io.streamspace.billing.live.LiveCosts;
import io.streamspace.billing.live.MemberBudgets;
import io.streamspace.billing.prepaid.PrepaidLedger;
import io.streamspace.billing.winddown.WindDown;

/**
 * Live cost: the period's cost so far, fresh within a second, at {@code GET /live} as JSON or as
 * server-sent events, running toward the prepaid balance the ledger holds and what is left of
 * each member's budget (the forecast's count of it, {@link Forecasts#membersLeft}); and the
 * wind-down its runway to the balance drives: check-balances (scheduled), and the resuming of a
 * spent balance's sessions as money arrives ({@link Wiring#moneyIn}).
 *
 * @param streams the streams, which the plugin closes when it stops
 * @param checkBalances the job, rescheduled when the config changes
 */
record LiveWiring(EventStreams streams, CheckBalancesJob checkBalances) {

  /** Serves {@code /live} and schedules check-balances. */
  static LiveWiring wire(
      Wiring wiring,
      UsageWiring usage,
      PrepaidLedger ledger,
      Forecasts forecasts,
      AccountHolds holds) {
    BalanceSource balances =
        (orgId, currency, periodStart, previousStart) ->
            ledger
                .inPeriod(orgId, currency, periodStart, previousStart)
                .map(
                    held ->
                        new BalanceSource.Held(held.balance(), held.burned(), held.burnedBefore()));
    MemberBudgets budgets =
        (orgId, currency) ->
            forecasts.membersLeft(orgId, currency).stream()
                .map(member -> new MemberBudgets.Left(member.memberId(), member.left()))
                .toList();
    LiveCosts live =
        new LiveCosts(
            wiring.dataSource(),
            usage.calculator(),
            usage.spendingLimits(),
            balances,
            budgets,
            wiring.config(),
            wiring.clock());
    wiring.costsSoFar().wired(live);
    EventStreams streams = new EventStreams();
    new LiveRoutes(wiring.orgAccess(), live, streams).register(wiring.routes());
    WindDown windDown =
        new WindDown(
            wiring.dataSource(), live, holds, wiring.events(), wiring.config(), wiring.clock());
    wiring.moneyIn().listen(windDown::moneyArrived);
    Hibernation hibernation =
        new Hibernation(
            wiring.dataSource(),
            wiring.context().sessions(),
            wiring.events(),
            wiring.config(),
            wiring.clock());
    CheckBalancesJob checkBalances = new CheckBalancesJob(windDown, hibernation, wiring.config());
    checkBalances.scheduleOn(wiring.scheduler());
    return new LiveWiring(streams, checkBalances);
  }
}

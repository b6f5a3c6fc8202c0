package io.streamspace.billing;

import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.Memberships;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.http.DescribedRoutes;
import io.streamspace.billing.http.OrgAccess;
import io.streamspace.billing.pace.BackgroundLane;
import io.streamspace.billing.prepaid.BalanceChange;
import io.streamspace.plugin.api.PluginContext;
import io.streamspace.plugin.api.jobs.JobScheduler;
import java.time.Clock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * What every feature's wiring shares: the host's context, the config in effect (read at each use,
 * so a change applies without rewiring), the events the plugin publishes, the accounts, the
 * routes, each added with its description, who is told of money put on a prepaid balance, live
 * cost's total as admission reads it once live cost is wired, and the lane the background work
 * takes turns on while events are metered.
 */
record Wiring(
    PluginContext context,
    Supplier<BillingConfig> config,
    BillingEvents events,
    AccountRepository accounts,
    DescribedRoutes routes,
    MoneyArrivals moneyIn,
    CostsSoFar costsSoFar,
    BackgroundLane lane) {

  static Wiring of(PluginContext context, Supplier<BillingConfig> config, BackgroundLane lane) {
    return new Wiring(
        context,
        config,
        new BillingEvents(context.events()),
        new AccountRepository(context.dataSource()),
        new DescribedRoutes(context.routes()),
        new MoneyArrivals(),
        new CostsSoFar(),
        lane);
  }

  /**
   * What money put on a prepaid balance (a grant, a Checkout or auto top-up) is told to once it
   * committed: {@code billing.balance.topped_up}, then {@link #moneyIn}.
   */
  Consumer<BalanceChange> toppedUp() {
    return change -> {
      events.publish(BillingEvents.BALANCE_TOPPED_UP, change);
      moneyIn.arrived(change.orgId());
    };
  }

  /** Who may act on which organization, by the memberships its events left. */
  OrgAccess orgAccess() {
    return new OrgAccess(new Memberships(dataSource()));
  }

  DataSource dataSource() {
    return context.dataSource();
  }

  Clock clock() {
    return context.clock();
  }

  JobScheduler scheduler() {
    return context.scheduler();
  }
}

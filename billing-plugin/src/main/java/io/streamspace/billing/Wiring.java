package io.streamspace.billing;

import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.Memberships;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.http.DescribedRoutes;
import io.streamspace.billing.http.OrgAccess;
import io.streamspace.plugin.api.PluginContext;
import io.streamspace.plugin.api.jobs.JobScheduler;
import java.time.Clock;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * What every feature's wiring shares: the host's context, the config in effect (read at each use,
 * so a change applies without rewiring), the events the plugin publishes, the accounts, and the
 * routes, each added with its description.
 */
record Wiring(
    PluginContext context,
    Supplier<BillingConfig> config,
    BillingEvents events,
    AccountRepository accounts,
    DescribedRoutes routes) {

  static Wiring of(PluginContext context, Supplier<BillingConfig> config) {
    return new Wiring(
        context,
        config,
        new BillingEvents(context.events()),
        new AccountRepository(context.dataSource()),
        new DescribedRoutes(context.routes()));
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

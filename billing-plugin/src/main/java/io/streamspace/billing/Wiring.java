package io.streamspace.billing;

import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.Memberships;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.http.OrgAccess;
import io.streamspace.plugin.api.PluginContext;
import io.streamspace.plugin.api.http.HttpRoutes;
import io.streamspace.plugin.api.jobs.JobScheduler;
import java.time.Clock;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * What every feature's wiring shares: the host's context, the config in effect (read at each use,
 * so a change applies without rewiring), the events the plugin publishes and the accounts.
 */
record Wiring(
    PluginContext context,
    Supplier<BillingConfig> config,
    BillingEvents events,
    AccountRepository accounts) {

  static Wiring of(PluginContext context, Supplier<BillingConfig> config) {
    return new Wiring(
        context,
        config,
        new BillingEvents(context.events()),
        new AccountRepository(context.dataSource()));
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

  HttpRoutes routes() {
    return context.routes();
  }

  JobScheduler scheduler() {
    return context.scheduler();
  }
}

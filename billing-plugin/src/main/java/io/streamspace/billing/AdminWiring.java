package io.streamspace.billing;

import io.streamspace.billing.admin.AccountOverviewQueries;
import io.streamspace.billing.admin.DashboardQueries;
import io.streamspace.billing.admin.DashboardSnapshots;
import io.streamspace.billing.analytics.AnalyticsSnapshots;
import io.streamspace.billing.analytics.Cohorts;
import io.streamspace.billing.analytics.Receivables;
import io.streamspace.billing.analytics.RevenueAnalytics;
import io.streamspace.billing.analytics.SalesLeads;
import io.streamspace.billing.analytics.TrialConversions;
import io.streamspace.billing.http.AdminDashboardRoutes;
import io.streamspace.billing.http.AdminUserRoutes;
import io.streamspace.billing.http.AnalyticsRoutes;
import io.streamspace.billing.http.LeadRoutes;
import io.streamspace.billing.jobs.RefreshDashboardJob;
import io.streamspace.billing.quota.Quotas;

/** The platform admin's accounts overview and dashboard, each figure judged by the quotas. */
final class AdminWiring {

  private AdminWiring() {}

  static void wire(Wiring wiring, Quotas quotas) {
    new AdminUserRoutes(new AccountOverviewQueries(wiring.dataSource()), quotas, wiring.config())
        .register(wiring.routes());
    DashboardQueries dashboard = new DashboardQueries(wiring.dataSource());
    DashboardSnapshots snapshots = new DashboardSnapshots(wiring.dataSource(), dashboard, quotas);
    RevenueAnalytics analytics =
        new RevenueAnalytics(wiring.dataSource(), () -> wiring.config().get().billingMode());
    Cohorts cohorts = new Cohorts(wiring.dataSource());
    Receivables receivables = new Receivables(wiring.dataSource());
    AnalyticsSnapshots analyticsSnapshots =
        new AnalyticsSnapshots(wiring.dataSource(), analytics, cohorts, receivables);
    new RefreshDashboardJob(
            snapshots, analyticsSnapshots, wiring.lane(), wiring.config(), wiring.clock())
        .scheduleOn(wiring.scheduler());
    new AdminDashboardRoutes(dashboard, snapshots, wiring.config(), wiring.clock())
        .register(wiring.routes());
    new AnalyticsRoutes(
            analytics,
            cohorts,
            analyticsSnapshots,
            receivables,
            new TrialConversions(wiring.dataSource()),
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
    new LeadRoutes(new SalesLeads(wiring.dataSource()), wiring.config(), wiring.clock())
        .register(wiring.routes());
  }
}

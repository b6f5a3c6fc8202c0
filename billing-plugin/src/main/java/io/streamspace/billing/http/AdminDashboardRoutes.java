package io.streamspace.billing.http;

import io.streamspace.billing.admin.DashboardQueries;
import io.streamspace.billing.admin.DashboardQueries.HourPeak;
import io.streamspace.billing.admin.DashboardQueries.LineRevenue;
import io.streamspace.billing.admin.DashboardQueries.MonthRevenue;
import io.streamspace.billing.admin.DashboardQueries.Outstanding;
import io.streamspace.billing.admin.DashboardQueries.PackSales;
import io.streamspace.billing.admin.DashboardQueries.Periods;
import io.streamspace.billing.admin.DashboardSnapshots;
import io.streamspace.billing.admin.DashboardSnapshots.Snapshot;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.common.http.Page;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** {@code GET /admin/dashboard}: the business at a glance, for the admin page. */
public final class AdminDashboardRoutes {

  static final int DEFAULT_MONTHS = 12;
  static final int MAX_MONTHS = 120;

  record PlanRevenueJson(String planId, String currency, BigDecimal amount) {}

  record ResourceRevenueJson(String resourceType, String currency, BigDecimal amount) {}

  record UsagePatternsJson(Instant from, Instant to, String timeZone, List<HourPeak> hours) {}

  record NearLimitsJson(Instant at, long warning, long exceeded, long confirmationRequired) {}

  /** The JSON body; see the route's description in openapi.json (docs/reference/api.md). */
  record DashboardJson(
      int months,
      Instant from,
      Instant to,
      List<MonthRevenue> revenueByMonth,
      List<PlanRevenueJson> revenueByPlan,
      List<ResourceRevenueJson> revenueByResource,
      List<Outstanding> outstanding,
      List<PackSales> popularPacks,
      UsagePatternsJson usagePatterns,
      NearLimitsJson accountsNearLimits) {}

  private final DashboardQueries queries;
  private final DashboardSnapshots snapshots;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public AdminDashboardRoutes(
      DashboardQueries queries,
      DashboardSnapshots snapshots,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.queries = queries;
    this.snapshots = snapshots;
    this.config = config;
    this.clock = clock;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/admin/dashboard", JsonRoute.of(this::dashboard));
  }

  /**
   * 200 with the figures of the last {@code months} billing periods (1 to {@value #MAX_MONTHS},
   * default {@value #DEFAULT_MONTHS}, the current one included) and the open invoices now, from
   * the figures kept as invoices change; the accounts near their limits and the usage patterns
   * of the 30 days before, as of the latest snapshot (DashboardSnapshots: taken by
   * refresh-dashboard, or by this request when there is none of the billing zone at most 10
   * minutes old); 400 naming {@code months}; 401/403 unless admin.
   */
  DashboardJson dashboard(HttpRequest request) throws Exception {
    Access.admin(request);
    int months = Page.intParam(request, "months", DEFAULT_MONTHS, 1, MAX_MONTHS);
    BillingConfig current = config.get();
    Instant now = clock.instant();
    Periods periods =
        periods(new BillingPeriods(current.invoiceDay(), current.billingTimeZone()), now, months);
    List<PlanRevenueJson> byPlan = new ArrayList<>();
    List<ResourceRevenueJson> byResource = new ArrayList<>();
    for (LineRevenue line : queries.revenueByLine(periods)) {
      if (line.planFee()) {
        byPlan.add(new PlanRevenueJson(line.billed(), line.currency(), line.amount()));
      } else {
        byResource.add(new ResourceRevenueJson(line.billed(), line.currency(), line.amount()));
      }
    }
    Snapshot snapshot = snapshots.current(current, now);
    return new DashboardJson(
        months,
        periods.from(),
        periods.to(),
        queries.revenueByMonth(periods),
        byPlan,
        byResource,
        queries.outstanding(),
        queries.popularPacks(periods),
        new UsagePatternsJson(
            snapshot.patternsFrom(), snapshot.at(), snapshot.timeZone(), snapshot.hours()),
        new NearLimitsJson(
            snapshot.at(),
            snapshot.warning(),
            snapshot.exceeded(),
            snapshot.confirmationRequired()));
  }

  /** The {@code months} billing periods up to the current one, oldest first. */
  private static Periods periods(BillingPeriods billing, Instant now, int months) {
    List<Instant> starts = new ArrayList<>();
    List<Instant> ends = new ArrayList<>();
    Instant start = billing.periodStart(now);
    for (int i = 0; i < months; i++) {
      starts.add(0, start);
      ends.add(0, billing.periodEnd(start));
      start = billing.periodStart(start.minusNanos(1));
    }
    return new Periods(starts, ends);
  }
}

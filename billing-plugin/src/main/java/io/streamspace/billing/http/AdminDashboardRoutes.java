package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.admin.DashboardQueries;
import io.streamspace.billing.admin.DashboardQueries.FaultCredits;
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
import io.streamspace.plugin.api.http.HttpRequest;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** {@code GET /admin/dashboard}: the business at a glance, for the admin page. */
public final class AdminDashboardRoutes {

  // the bodies and answers of these routes

  static final Schema DASHBOARD =
      Schema.component(
          "Dashboard",
          object()
              .req("months", integer())
              .req("from", string().format("date-time"))
              .req("to", string().format("date-time"))
              .req(
                  "revenue_by_month",
                  array(
                      object()
                          .req("period_start", string().format("date-time"))
                          .req("currency", string())
                          .req("invoiced", number())
                          .req("paid", number())
                          .req("invoices", integer())))
              .req(
                  "revenue_by_plan",
                  array(
                      object()
                          .req("plan_id", string().orNull())
                          .req("currency", string())
                          .req("amount", number())))
              .req(
                  "revenue_by_resource",
                  array(
                      object()
                          .req("resource_type", string())
                          .req("currency", string())
                          .req("amount", number())))
              .req(
                  "outstanding",
                  array(
                      object()
                          .req("currency", string())
                          .req("sent_total", number())
                          .req("sent_count", integer())
                          .req("overdue_total", number())
                          .req("overdue_count", integer())))
              .req(
                  "popular_packs",
                  array(
                      object()
                          .req("pack_id", string())
                          .req("pack_name", string())
                          .req("currency", string())
                          .req("purchases", integer())
                          .req("renewals", integer())
                          .req("revenue", number())))
              .req(
                  "fault_credits",
                  array(
                      object()
                          .req("period_start", string().format("date-time"))
                          .req("reason", string())
                          .req("currency", string())
                          .req("sessions", integer())
                          .req("cost", number())
                          .req("credited", number())
                          .req("capped", integer())))
              .req(
                  "usage_patterns",
                  object()
                      .req("from", string().format("date-time"))
                      .req("to", string().format("date-time"))
                      .req("time_zone", string())
                      .req(
                          "hours",
                          array(
                              object()
                                  .req("hour", integer())
                                  .req("peak_sessions", integer())
                                  .req("peak_cores", number()))))
              .req(
                  "accounts_near_limits",
                  object()
                      .req("warning", integer())
                      .req("exceeded", integer())
                      .req("confirmation_required", integer())));

  static final int DEFAULT_MONTHS = 12;
  static final int MAX_MONTHS = 120;

  record PlanRevenueJson(String planId, String currency, BigDecimal amount) {}

  record ResourceRevenueJson(String resourceType, String currency, BigDecimal amount) {}

  record UsagePatternsJson(Instant from, Instant to, String timeZone, List<HourPeak> hours) {}

  record NearLimitsJson(Instant at, long warning, long exceeded, long confirmationRequired) {}

  /** The JSON body, as {@link #DASHBOARD_ROUTE} describes it (docs/reference/api.md). */
  record DashboardJson(
      int months,
      Instant from,
      Instant to,
      List<MonthRevenue> revenueByMonth,
      List<PlanRevenueJson> revenueByPlan,
      List<ResourceRevenueJson> revenueByResource,
      List<Outstanding> outstanding,
      List<PackSales> popularPacks,
      List<FaultCredits> faultCredits,
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

  public void register(DescribedRoutes routes) {
    routes.add(DASHBOARD_ROUTE, JsonRoute.of(this::dashboard));
  }

  static final Operation DASHBOARD_ROUTE =
      Operation.get("/admin/dashboard")
          .admin()
          .summary("The business at a glance")
          .description(
              """
              Who: admin.

              The business at a glance, for the admin page: \
              `{"months","from","to","revenue_by_month":[{"period_start","currency","invoiced","pai\
              d","invoices"}],"revenue_by_plan":[{"plan_id","currency","amount"}],"revenue_by_resou\
              rce":[{"resource_type","currency","amount"}],"outstanding":[{"currency","sent_total",\
              "sent_count","overdue_total","overdue_count"}],"popular_packs":[{"pack_id","pack_name\
              ","currency","purchases","renewals","revenue"}],"fault_credits":[{"period_start","re\
              ason","currency","sessions","cost","credited","capped"}],"usage_patterns":{"from","t\
              o","time_zone","hours":[{"hour","peak_sessions","peak_cores"}]},"accounts_near_limit\
              s":{"at","warning","exceeded","confirmation_required"}}`. Amounts per currency, \
              never converted, each at its currency's decimals. The history is the last `months` \
              billing periods (1 to 120, default 12, the current one included; 400 naming \
              `months`), `[from, to)`: `revenue_by_month` per billing period holding each \
              invoice's `period_start` (periods without invoices left out) and currency, Σ `total` \
              − `credited` (net of their credit notes, each at least 0) of the finalized \
              invoices that are not void (`sent`, `paid`, `overdue`: drafts and voided ones \
              never count) and Σ of the `paid` ones; `revenue_by_plan` and \
              `revenue_by_resource` from the lines of those same \
              invoices (credit lines left out), each net of what credit notes credited of it: \
              a plan fee under the plan of the account's subscription term its period starts in, \
              as the terms stood when the invoice was finalized (`plan_id` null for a line without \
              a period), a usage or overage line under its `resource_type`, a pack line under \
              `packs` in `revenue_by_resource`; `popular_packs` per pack and currency from the \
              purchases (`bought`) and renewals in `[from, to)`, `revenue` Σ what each cost then \
              (a recurring pack's purchase: its price for one period; its later periods are \
              invoiced as pack lines), most purchases first, then by pack id and currency; \
              `fault_credits`, what platform faults cost, per billing period of the sessions' ends \
              in `[from, to)`, terminate `reason` and currency: the `sessions` a fault credit was \
              decided for (once each), the `cost` of their credited minutes, what was `credited` \
              after `faultCreditCap` and how many the cap cut (`capped`). Now, whatever `months`: \
              `outstanding` per currency, Σ `amount_due` and count of `sent` and of `overdue` \
              invoices. \
              As of the latest snapshot (`at`, and `usage_patterns`' `to`: taken by the \
              refresh-dashboard job every 5 minutes, or by the request itself when there is none \
              of the billing zone at most 10 minutes old): `accounts_near_limits`, how many \
              accounts had at least one meter in each state then, judged by the very SQL of \
              `/admin/quotas` (an account with one meter in warning and another exceeded counts in \
              both); `usage_patterns` over the 30 days before it, its own `[from, to)` = `[at − 30 \
              days, at)`, in the billing zone: for each hour of the day 0-23 (all 24 listed), \
              `peak_sessions` is the most sessions open together at any instant of the 30 days \
              whose local time falls in that hour, `peak_cores` likewise the most cores (the two \
              peaks may be at different instants); a session is open over `[started_at, \
              ended_at)`, an open one until `to` while its heartbeat is fresh and until its last \
              heartbeat once stale (as calculate-usage ends it), with its sizes over time; \
              computed in SQL as a running sum of +1/−1 and core steps at each change (the changes \
              at one instant taken together, so a session ending as another starts makes no \
              overlap), read after every change and at every clock hour's start. The revenue \
              figures and `outstanding` read sums kept as invoices change (V40), a row per invoice \
              `period_start` and currency (and what a line bills), never the invoices; \
              `popular_packs` reads the pack events in the window through an index; the snapshot's \
              statements read the sessions not settled and the settled ones that ended in the 30 \
              days (and each one's sizes by its key), and every account, judged with its open \
              sessions by organization.""")
          .params(Param.query("months", integer().min(1).max(120).defaultValue(12)))
          .answers(200, DASHBOARD)
          .errors(400);

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
        queries.faultCredits(periods),
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

package io.streamspace.benchmark;

import io.streamspace.benchmark.AdminReadsWorkload.Route;
import java.sql.Connection;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * What the subscription analytics and the sales leads cost with a year of history: M requests each
 * of {@code GET /admin/analytics} (its default 12 months, with the cohorts and the receivables) as
 * JSON and as CSV, and of {@code GET /admin/leads} (its first page) as JSON and as CSV, one
 * request at a time as the admin, p50 and p99 of each.
 *
 * <p>Seeded by SQL, for N organizations opened through the year (a twelfth of them each month,
 * copies of one opened through intake): each starts free; two in three move to Pro 35 days after
 * opening, one in seven of those to Enterprise 40 days later, one in thirteen of those back to
 * free 25 days after that, and one organization in seventeen closes 120 days after opening (the
 * plan terms as plan changes leave them). A quarter of them owe an invoice, due from 110 days ago
 * to 10 days ahead (the receivables), and one in twenty of them ran near a limit of its plan on
 * each of the last 30 days, one in a hundred at a hard limit (the days check-quotas keeps).
 */
final class AnalyticsReadsWorkload implements Workload {

  private static final Duration TARGET = Duration.ofMillis(100);

  // the organizations: copies of the template's account, opened through the year
  private static final String ACCOUNTS =
      """
      INSERT INTO billing_accounts (user_id, email, currency, status, created_at, personal, name,
                                    user_created_at, closed_at)
      SELECT ? || i, NULL, t.currency, t.status, o.opened, false, 'Org ' || i, o.opened,
             CASE WHEN i % 17 = 0 AND o.opened + interval '120 days' < ?
                  THEN o.opened + interval '120 days' END
      FROM billing_accounts t CROSS JOIN generate_series(1, ?) i
      CROSS JOIN LATERAL (SELECT ?::timestamptz + (i % 12) * interval '1 month'
                                 + (i % 28) * interval '1 day' AS opened) o
      WHERE t.user_id = ?
      """;
  // each organization's plan terms, in the same transaction as its account (one is active)
  private static final String TERMS =
      """
      WITH o AS (
        SELECT i, ?::timestamptz + (i % 12) * interval '1 month' + (i % 28) * interval '1 day'
               AS opened
        FROM generate_series(1, ?) i),
      steps AS (
        SELECT i, 1 AS k, 'free' AS plan, 'Hobby' AS name, 0 AS price, opened AS at FROM o
        UNION ALL
        SELECT i, 2, 'pro', 'Pro', 29.99, opened + interval '35 days' FROM o WHERE i % 3 <> 0
        UNION ALL
        SELECT i, 3, 'enterprise', 'Enterprise', 99.99, opened + interval '75 days'
        FROM o WHERE i % 3 <> 0 AND i % 7 = 0
        UNION ALL
        SELECT i, 4, 'free', 'Hobby', 0, opened + interval '100 days'
        FROM o WHERE i % 3 <> 0 AND i % 7 = 0 AND i % 13 = 0),
      live AS (SELECT * FROM steps WHERE at < ?)
      INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
                                         billing_interval, cpu_limit, memory_limit,
                                         storage_limit, started_at, ended_at)
      SELECT ? || i, plan, name, price, 'USD', 'month', 8, 16, 100, at,
             lead(at) OVER (PARTITION BY i ORDER BY k)
      FROM live ORDER BY i, k
      """;
  // a quarter of the organizations owe an invoice: sent, or overdue once due
  private static final String OWED =
      """
      INSERT INTO billing_invoices (user_id, period_start, period_end, currency, status,
                                    invoice_number, subtotal, total, finalize_after,
                                    finalized_at, due_at, created_at)
      SELECT ? || i, ?, ?, 'USD', CASE WHEN d.due_at < ? THEN 'overdue' ELSE 'sent' END,
             'BENCH-' || ? || '-' || i, 29.99, 29.99, ?, ?, d.due_at, ?
      FROM generate_series(4, ?, 4) i
      CROSS JOIN LATERAL (SELECT ?::timestamptz + (i % 120 - 110) * interval '1 day' AS due_at) d
      ORDER BY i
      """;
  // one in twenty ran near a limit on each of the last 30 days, one in a hundred at a hard one
  private static final String LEAD_DAYS =
      """
      INSERT INTO billing_lead_days (org_id, meter, day, highest_share, hard_limit_at)
      SELECT ? || i, 'storage_gb', ?::date - n, 0.9,
             CASE WHEN i % 100 = 0 THEN (?::date - n)::timestamptz + interval '12 hours' END
      FROM generate_series(20, ?, 20) i CROSS JOIN generate_series(0, 29) n
      ORDER BY n, i
      """;

  @Override
  public String name() {
    return "analytics-reads";
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    int orgs = context.size().pick(300, 100_000);
    int requests = context.size().pick(10, 200);
    Duration budget = Duration.ofSeconds(context.size().pick(60, 300));
    BillingClient billing = new BillingClient(context);
    long run = System.currentTimeMillis();
    String prefix = "ana" + run + "-o";
    Instant now = Instant.now();
    // the year before this month (the billing zone is UTC by default, as the benchmark runs it)
    YearMonth thisMonth = YearMonth.from(now.atZone(ZoneOffset.UTC));
    Instant yearStart = thisMonth.minusMonths(12).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();

    context.progress().line("analytics-reads: opening a template organization through intake");
    String template = prefix + "-template";
    billing.postEvents(
        List.of(
            BenchEvents.userCreated(template + "-uc", template, now.minus(Duration.ofDays(1)))));
    billing.awaitCaughtUp();
    try (Connection connection = context.dataSource().getConnection()) {
      context
          .progress()
          .line("analytics-reads: %,d organizations and a year of plan terms".formatted(orgs));
      connection.setAutoCommit(false);
      AdminReadsWorkload.execute(
          connection, ACCOUNTS, prefix, ts(now), orgs, ts(yearStart), template);
      AdminReadsWorkload.execute(connection, TERMS, ts(yearStart), orgs, ts(now), prefix);
      connection.commit();
      connection.setAutoCommit(true);
      context.progress().line("analytics-reads: invoices owed, and 30 days near the limits");
      Instant periodStart =
          thisMonth.minusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
      Instant periodEnd = thisMonth.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
      AdminReadsWorkload.execute(
          connection,
          OWED,
          prefix,
          ts(periodStart),
          ts(periodEnd),
          ts(now),
          Long.toString(run),
          ts(periodEnd),
          ts(periodEnd),
          ts(periodEnd),
          orgs,
          ts(now));
      String today = now.atZone(ZoneOffset.UTC).toLocalDate().toString();
      AdminReadsWorkload.execute(connection, LEAD_DAYS, prefix, today, today, orgs);
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            "VACUUM ANALYZE billing_accounts, billing_subscriptions, billing_invoices,"
                + " billing_lead_days");
      }
    }
    // the leads of what was seeded, judged now: a check-quotas the schedule fired during the
    // seeding judged them before it, and its judgement would be read for ten minutes
    context.progress().line("analytics-reads: judging the leads (check-quotas)");
    billing.runJob("check-quotas");
    String size =
        "%,d organizations with a year of plan terms, a quarter owing an invoice, a twentieth near"
                .formatted(orgs)
            + " their limits (seeded by SQL), %,d requests".formatted(requests);
    List<Route> routes =
        List.of(
            new Route(
                "GET /api/plugins/billing/admin/analytics (JSON, 12 months)",
                () ->
                    AdminReadsWorkload.checked(
                        billing.get("/admin/analytics", context.adminToken()), "months")),
            new Route(
                "GET /api/plugins/billing/admin/analytics (CSV, 12 months)",
                () -> csv(billing.getText("/admin/analytics?format=csv", context.adminToken()))),
            new Route(
                "GET /api/plugins/billing/admin/leads (JSON, first page)",
                () ->
                    AdminReadsWorkload.checked(
                        billing.get("/admin/leads", context.adminToken()), "leads")),
            new Route(
                "GET /api/plugins/billing/admin/leads (CSV)",
                () -> csv(billing.getText("/admin/leads?format=csv", context.adminToken()))));
    List<BenchRow> rows = new ArrayList<>();
    for (Route route : routes) {
      context.progress().line("analytics-reads: %,d × %s".formatted(requests, route.name()));
      rows.add(
          AdminReadsWorkload.measure(route, requests, size, budget, "analytics-reads", TARGET));
    }
    return rows;
  }

  private static void csv(String csv) {
    if (csv.lines().count() < 2) {
      throw new IllegalStateException("the CSV has no rows: " + csv);
    }
  }

  private static Timestamp ts(Instant instant) {
    return Timestamp.from(instant);
  }
}

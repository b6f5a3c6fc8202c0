package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.plugin.api.jobs.JobOutcome.SUCCEEDED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.ExplainingDataSource;
import io.streamspace.billing.support.ExplainingDataSource.Plan;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.jobs.JobRun;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every query behind the admin dashboard, the reports and an organization's usage by member
 * reads the big tables through an index, and so do the forecast's own: PostgreSQL is asked to
 * plan each statement the route runs ({@code EXPLAIN (FORMAT JSON)}, with the values it binds)
 * on a database seeded by SQL with a year of history, analyzed, and no plan may hold a {@code
 * Seq Scan} on a big table.
 *
 * <p>The seeded shape, as calculate-usage and the invoice runs leave it, in the order they write
 * it: {@value #ORGS} team organizations with two years of invoices (three lines each: so that
 * the dashboard's default 12 months are part of them, as in a platform's second year) and a
 * one-day session a week, {@value #METERED} of them with a year of hourly cpu and storage
 * records (written hour by hour, all organizations' records of an hour together, as
 * calculate-usage rates them), {@value #OPEN} sessions still open. Its sizes are chosen so that
 * what a query reads (a month of records, 30 days of sessions, a period's invoices, one
 * organization's records) is a small part of each table, as it is at full size: on a table
 * a query reads nearly whole a sequential scan would be the right plan, and the question here
 * is whether an index exists that lets PostgreSQL avoid it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IndexedReadsTest {

  /** The tables that grow with the history and the number of organizations. */
  static final List<String> BIG_TABLES =
      List.of(
          "billing_usage_records",
          "billing_usage_daily",
          "billing_sessions",
          "billing_session_sizes",
          "billing_invoices",
          "billing_invoice_lines",
          "billing_invoice_member_amounts");

  static final int ORGS = 2_000;
  static final int METERED = 40;
  static final int OPEN = 200;

  private final ExplainingDataSource explaining =
      new ExplainingDataSource(TestDatabase.dataSource());
  private BillingHarness billing;

  @BeforeAll
  void seedAYearOfHistory() {
    billing = new BillingHarness(at("2026-03-15T12:00:00Z"), "{}", explaining.dataSource());
    OrgFixtures.opened(billing, "org-a", "Acme", "olivia", "USD", "pro", "2025-03-01T00:00:00Z");
    OrgFixtures.added("org-a", "mia", "member", "2025-03-01T00:00:00Z");
    OrgFixtures.added("org-a", "max", "member", "2025-03-01T00:00:00Z");
    billing.created("2026-03-15T08:00:00Z", "live", "mia", size("2", "4", "10"));
    billing.flush();
    TestDatabase.execute(SEED.formatted(ORGS, METERED, OPEN));
    // the daily rollup built, then the last two hours rated again (as a void re-stamps them):
    // the reads' tail, rated after the rollup's watermark
    assertEquals(SUCCEEDED, billing.runAt(ROLL_UP, "2026-03-15T12:00:00Z").outcome());
    TestDatabase.execute(RATED_AFTER_THE_ROLL_UP);
    // as autovacuum leaves the tables: statistics, and the visibility map index-only scans read
    TestDatabase.execute("VACUUM ANALYZE");
    TestDatabase.execute(
        "SELECT brin_summarize_new_values('billing_usage_records_slice_start'),"
            + " brin_summarize_new_values('billing_usage_records_run_brin')");
  }

  /**
   * The roll-up-usage job finds the records rated after its watermark through an index (the BRIN
   * index on their run), not by reading every record: the two hours above (rated again after, so
   * that the routes' reads, before or after this, have a tail to read).
   */
  @Test
  void theRollUpReadsTheRecordsRatedAfterItsWatermarkThroughAnIndex() {
    explaining.record();
    JobRun run = billing.runAt(ROLL_UP, "2026-03-15T12:01:00Z");
    List<Plan> plans = explaining.stop();

    assertEquals(SUCCEEDED, run.outcome(), run.message());
    assertTrue(run.rowsTouched() > 0, "the job rolled the tail up: " + run.message());
    assertFalse(plans.isEmpty(), "the job ran queries");
    assertNoSeqScans(plans);
    TestDatabase.execute(RATED_AFTER_THE_ROLL_UP);
    TestDatabase.execute("ANALYZE billing_usage_records, billing_usage_daily");
  }

  /**
   * refresh-dashboard, which takes the dashboard's usage patterns (30 days of sessions) and
   * accounts near their limits for its requests to read, reads the big tables through an index.
   */
  @Test
  void theDashboardsRefreshReadsTheBigTablesThroughAnIndex() {
    explaining.record();
    JobRun run = billing.runAt("refresh-dashboard", "2026-03-15T12:00:00Z");
    List<Plan> plans = explaining.stop();

    assertEquals(SUCCEEDED, run.outcome(), run.message());
    assertTrue(
        plans.stream().anyMatch(plan -> plan.sql().contains("billing_session_sizes")),
        "the usage patterns were planned");
    assertNoSeqScans(plans);
  }

  /**
   * The statements V40's triggers run with the invoices a statement changed (a finalization
   * chunk's 250) read each invoice's lines and its account's plan terms by key, not the history:
   * planned on an analyzed table of the transition table's shape (which only a trigger can read)
   * holding 250 finalized invoices of the seeded history.
   */
  @Test
  void theRevenueFiguresTriggersReadEachChangedInvoicesLinesByKey() throws Exception {
    List<Plan> plans = new ArrayList<>();
    try (Connection connection = TestDatabase.dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(
          """
          CREATE TEMP TABLE changed_invoices AS
          SELECT id, NULL::int AS line_no, false AS lines_only, user_id, period_start, currency,
                 status, total, 1 AS sign
          FROM billing_invoices WHERE status IN ('sent', 'paid', 'overdue') ORDER BY id LIMIT 250;
          ANALYZE changed_invoices""");
      List<String> templates = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery("SELECT unnest(billing_revenue_statements())")) {
        while (rs.next()) {
          templates.add(rs.getString(1));
        }
      }
      for (String template : templates) {
        String sql = template.replace("%1$s", "changed_invoices");
        try (ResultSet rs = statement.executeQuery("EXPLAIN (FORMAT JSON) " + sql)) {
          rs.next();
          plans.add(new Plan(sql, new ObjectMapper().readTree(rs.getString(1))));
        }
      }
      statement.execute("DROP TABLE changed_invoices");
    }

    assertEquals(3, plans.size(), "periods, lines and outstanding");
    assertNoSeqScans(plans);
    assertTrue(
        plans.get(1).tree().contains("on billing_invoice_lines using billing_invoice_lines_pkey"),
        plans.get(1).tree());
  }

  @AfterAll
  void unload() {
    billing.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/admin/dashboard",
        "/admin/dashboard?months=1",
        "/admin/dashboard?months=3",
        "/admin/reports?group_by=user",
        "/admin/reports?group_by=user&format=csv",
        "/admin/reports?group_by=resource",
        "/admin/reports?group_by=day&format=csv",
        "/admin/reports?group_by=plan",
        "/admin/reports?group_by=member&format=csv",
        "/admin/reports?group_by=user&from=2026-03-10&to=2026-03-11",
        "/admin/reports?group_by=member&from=2026-03-01T05:00:00Z&to=2026-03-15T11:00:00Z",
        "/admin/reports?group_by=day&from=2025-03-15&to=2026-03-15",
        "/admin/reports?group_by=user&limit=100",
        "/admin/reports?group_by=member&limit=100&after=org-00100&format=csv",
        "/usage?org_id=org-a",
        "/usage?org_id=org-a&from=2025-03-15&to=2026-03-15",
        "/usage?org_id=org-a&member_id=mia",
        "/usage?org_id=org-a&from=2026-03-14T07:00:00Z&to=2026-03-15T12:00:00Z",
        "/admin/users",
        "/admin/users?sort=-current_period_cost",
        "/admin/users?from=2026-03-01&to=2026-03-15",
        "/admin/users?from=2026-03-14T00:00:00Z&sort=-current_period_cost"
      })
  void everyQueryOfTheRouteReadsTheBigTablesThroughAnIndex(String route) {
    explaining.record();
    int status =
        billing.text(route, route.startsWith("/usage") ? user("olivia") : admin("root")).status();
    List<Plan> plans = explaining.stop();

    assertEquals(200, status, route);
    assertFalse(plans.isEmpty(), "the route ran queries");
    assertNoSeqScans(plans);
  }

  /** How the usage claims' statement begins (invoicing's UsageClaims). */
  private static final String USAGE_CLAIMS = "-- the invoices, in the order they are claimed";

  /**
   * The forecast's own reads (its days through the daily rollup, the running sessions, the
   * budgets) go through an index. The estimate it starts from is the spending limit's ({@code
   * InvoiceCalculator.periodSoFar}), whose usage claim statement is left out here: planned for
   * the one invoice it is, it hash-joins every session ({@code GET /spending-limit} does the same).
   */
  @Test
  void theForecastsOwnReadsGoThroughAnIndex() {
    explaining.record();
    int status = billing.text("/forecast?org_id=org-a", user("olivia")).status();
    List<Plan> plans = explaining.stop();

    assertEquals(200, status);
    List<Plan> own = plans.stream().filter(plan -> !plan.sql().contains(USAGE_CLAIMS)).toList();
    assertTrue(own.size() >= 3, "the forecast's own reads: " + own.size());
    assertNoSeqScans(own);
  }

  private static void assertNoSeqScans(List<Plan> plans) {
    List<String> scans = new ArrayList<>();
    for (Plan plan : plans) {
      for (String table : plan.seqScansOf(BIG_TABLES)) {
        scans.add("Seq Scan on " + table + " in\n" + plan.sql() + "\n" + plan.tree());
      }
    }
    assertTrue(scans.isEmpty(), String.join("\n\n", scans));
  }

  private static final String ROLL_UP = "roll-up-usage";

  // the records of the last two hours, stamped with a run after the rollup's watermark
  private static final String RATED_AFTER_THE_ROLL_UP =
      """
      UPDATE billing_usage_records SET rating_run = nextval('billing_rating_runs')
      WHERE user_id LIKE 'org-%' AND slice_start >= timestamptz '2026-03-15 10:00'""";

  /**
   * The history, by SQL (parameters: organizations, metered ones, open sessions).
   * Organizations are copies of org-a's account and subscription; each has a one-day session
   * every 7th day of the year (started at the day's midnight, settled), sized 1 core; the metered
   * ones a cpu record per hour of their sessions and a storage record per hour, written hour by
   * hour; every organization an invoice per month for two years, paid but the last period's (sent), with a plan fee, a cpu and a storage
   * line; open sessions started today.
   */
  private static final String SEED =
      """
      INSERT INTO billing_accounts (user_id, email, currency, status, created_at, personal, name,
                                    user_created_at)
      SELECT 'org-' || lpad(n::text, 5, '0'), NULL, a.currency, a.status, a.created_at, false,
             'Org ' || n, a.user_created_at
      FROM billing_accounts a, generate_series(1, %1$d) n WHERE a.user_id = 'org-a';
      INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
                                         billing_interval, cpu_limit, memory_limit,
                                         storage_limit, started_at)
      SELECT o.user_id, s.plan_id, s.plan_name, s.price, s.currency, s.billing_interval,
             s.cpu_limit, s.memory_limit, s.storage_limit, s.started_at
      FROM billing_subscriptions s
      CROSS JOIN billing_accounts o
      WHERE s.user_id = 'org-a' AND s.ended_at IS NULL AND o.user_id LIKE 'org-0%%';
      CREATE TEMP TABLE seeded_orgs AS
        SELECT user_id, row_number() OVER (ORDER BY user_id) AS n FROM billing_accounts
        WHERE user_id LIKE 'org-%%';
      INSERT INTO billing_sessions (session_id, user_id, org_id, org_fixed, started_at,
                                    last_heartbeat, ended_at, end_reason, rated_until, settled)
      SELECT o.user_id || '-' || d, CASE WHEN o.user_id = 'org-a' THEN 'mia' ELSE o.user_id END,
             o.user_id, true, day, day + interval '1 day', day + interval '1 day', 'terminated',
             day + interval '1 day', true
      FROM seeded_orgs o
      CROSS JOIN generate_series(0, 364, 7) d
      CROSS JOIN LATERAL (SELECT timestamptz '2025-03-15' + d * interval '1 day' AS day) x
      ORDER BY day, o.user_id;
      INSERT INTO billing_sessions (session_id, user_id, org_id, org_fixed, started_at,
                                    last_heartbeat, rated_until)
      SELECT o.user_id || '-open', o.user_id, o.user_id, true, timestamptz '2026-03-15',
             timestamptz '2026-03-15 11:59', timestamptz '2026-03-15 11:00'
      FROM seeded_orgs o WHERE o.n > 1 AND o.n <= %3$d + 1;
      INSERT INTO billing_session_sizes (session_id, effective_from, cpu_cores, memory_gb)
      SELECT session_id, started_at, 1, 2 FROM billing_sessions WHERE session_id <> 'live';
      INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
          slice_end, unit_seconds, unit, unit_price, currency, created_at, rating_run)
      SELECT o.user_id, r.session_id, r.resource_type, h, h + interval '1 hour', r.unit_seconds,
             r.unit, r.unit_price, 'USD', h + interval '70 minutes', 0
      FROM generate_series(timestamptz '2025-03-15', timestamptz '2026-03-15 11:00',
                           interval '1 hour') h
      CROSS JOIN seeded_orgs o
      CROSS JOIN LATERAL (
        SELECT s.session_id, 'cpu', 3600, 'core-hours', 0.05
        FROM billing_sessions s
        WHERE s.org_id = o.user_id AND s.started_at <= h AND h < s.ended_at
        UNION ALL
        SELECT '', 'storage', 36000, 'gb-months', 0.1) r(session_id, resource_type,
                                                          unit_seconds, unit, unit_price)
      WHERE o.n <= %2$d
      ORDER BY h, o.user_id;
      INSERT INTO billing_invoices (user_id, period_start, period_end, currency, status,
                                    invoice_number, subtotal, total, finalize_after,
                                    finalized_at, due_at, paid_at, created_at)
      SELECT o.user_id, p, p + interval '1 month', 'USD',
             CASE WHEN p < timestamptz '2026-02-01' THEN 'paid' ELSE 'sent' END,
             'INV-' || to_char(p, 'YYYYMM') || '-' || o.n, 13, 13,
             p + interval '1 month 1 hour', p + interval '1 month 1 hour',
             p + interval '1 month 15 days',
             CASE WHEN p < timestamptz '2026-02-01' THEN p + interval '1 month 3 days' END,
             p + interval '1 month'
      FROM generate_series(timestamptz '2024-03-01', timestamptz '2026-02-01',
                           interval '1 month') p
      CROSS JOIN seeded_orgs o
      ORDER BY p, o.user_id;
      INSERT INTO billing_invoice_lines (invoice_id, line_no, kind, description, resource_type,
                                         quantity, unit, unit_price, amount, period_start,
                                         period_end)
      SELECT i.id, l.line_no, l.kind, l.kind, l.resource_type, 1, l.unit, l.amount, l.amount,
             i.period_start, i.period_end
      FROM billing_invoices i
      CROSS JOIN (VALUES (1, 'plan_fee', NULL, NULL, 10),
                         (2, 'usage', 'cpu', 'core-hours', 2),
                         (3, 'usage', 'storage', 'gb-months', 1))
        AS l(line_no, kind, resource_type, unit, amount)
      ORDER BY i.id, l.line_no;
      SELECT brin_summarize_new_values('billing_usage_records_slice_start');
      """;
}

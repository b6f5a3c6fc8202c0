package io.streamspace.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.Host;
import io.streamspace.host.HostOptions;
import io.streamspace.host.db.Database;
import io.streamspace.host.e2e.PackagedPlugin;
import io.streamspace.host.support.HostClient;
import io.streamspace.testing.TestDatabases;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The billing workloads of the benchmark command run at size small against a real host with the
 * packaged billing plugin, on the system clock as the command runs them: each checks its own
 * results (it throws otherwise) and answers its rows. No timing is asserted. Invoicing seeds a day
 * of usage per account rather than the period's month (see its test).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BillingWorkloadsTest {

  private static final String ADMIN_TOKEN = "bench-admin-token-0123456789abcdefghijk";

  /** The hours of usage the invoicing test seeds for each account. */
  private static final int DAY = 24;

  private Host host;
  private Database database;
  private final List<String> progress = new ArrayList<>();
  private final List<BenchRow> rows = new ArrayList<>();
  private BenchContext context;

  @BeforeAll
  void startHost(@TempDir Path work) throws Exception {
    String dbUrl = TestDatabases.freshDatabaseUrl();
    host =
        Host.start(
            HostOptions.builder()
                .port(0)
                .quickStopForTests()
                .dbUrl(dbUrl)
                .pluginsDir(PackagedPlugin.copyInto(work.resolve("plugins")))
                .dataDir(work.resolve("data"))
                .clock(Clock.systemUTC())
                .secrets(Map.of("BILLING_ADMIN_TOKEN", ADMIN_TOKEN))
                .build());
    database = Database.external(dbUrl, Map.of());
    String platformToken =
        new HostClient(host.port())
            .post(
                "/api/admin/tokens",
                ADMIN_TOKEN,
                HostClient.json(Map.of("user_id", "platform", "roles", List.of("platform"))))
            .expect(201)
            .get("token")
            .asText();
    context =
        new BenchContext(
            "http://127.0.0.1:" + host.port(),
            ADMIN_TOKEN,
            platformToken,
            database.dataSource(),
            BenchSize.SMALL,
            progress::add,
            null);
  }

  @AfterAll
  void stopHost() {
    // what was measured, for whoever reads the test's output; nothing here is asserted
    rows.forEach(row -> System.out.println("bench row: " + row));
    database.close();
    host.close();
  }

  @Test
  void calculateUsageRatesTheHourOfEverySession_againstACopyOfAsManyRows() throws Exception {
    List<BenchRow> rows = ran(new CalculateUsageWorkload());

    assertEquals(2, rows.size(), "the job's own time, then its wall time");
    BenchRow own = rows.get(0);
    BenchRow wall = rows.get(1);
    assertEquals("1,000 sessions with storage (3,000 usage records)", own.size());
    assertTrue(own.time().toNanos() > 0 && own.baselineTime().toNanos() > 0);
    assertTrue(own.time().compareTo(wall.time()) <= 0, "its own time is within its wall time");
    assertEquals(own.baselineTime(), wall.baselineTime(), "one COPY for both");
    assertNotNull(own.ratio());
    assertNotNull(own.met());
    assertNull(wall.met(), "the wall time has no target");
    assertTrue(progress.stream().anyMatch(line -> line.startsWith("calculate-usage: ")));
  }

  @Test
  void invoicingFinalizesOneInvoicePerAccount_againstAnInsertSelectOfAsManyLines()
      throws Exception {
    // a day of usage, not the month's 744 hours: each account still has a storage line and a
    // credit's, and seeding a day costs a thirtieth of the month's (the month is seeded by the
    // command's own small run, BenchCommandTest)
    List<BenchRow> rows = ran(new InvoicingWorkload(null, DAY));

    assertEquals(2, rows.size());
    BenchRow row = rows.get(0);
    assertTrue(row.size().startsWith("1,000 accounts × 24 hourly "), row.size());
    assertEquals(1_000, Math.round(row.rate() * row.time().toNanos() / 1e9));
    // 1,000 invoices of two lines each: the storage usage line and the credit's line
    assertTrue(
        row.baseline().startsWith("one INSERT … SELECT of as many lines (2,000)"), row.baseline());
    assertTrue(row.baselineTime().toNanos() > 0);
    assertNotNull(row.ratio());
    assertEquals("≤ 60 s and ≤ 5 × the INSERT … SELECT", row.target());
    assertNotNull(row.met());
    // the seeded usage was rolled up before generate-invoices, which read the rollup's days
    BenchRow rollUp = rows.get(1);
    assertTrue(rollUp.workload().startsWith("invoicing: roll-up-usage"), rollUp.workload());
    assertTrue(rollUp.size().startsWith("1,000 accounts × "), rollUp.size());
    assertNull(rollUp.target());
    try (Connection c = context.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                """
                SELECT (SELECT count(*) FROM billing_usage_records WHERE user_id LIKE 'inv%'
                          AND rating_run <= (SELECT rolled_up_to FROM billing_usage_rollup)),
                       (SELECT count(*) FROM billing_usage_records WHERE user_id LIKE 'inv%'),
                       (SELECT sum(records) FROM billing_usage_daily WHERE user_id LIKE 'inv%')
                """)) {
      rs.next();
      assertTrue(rs.getLong(2) > 0);
      assertEquals(rs.getLong(2), rs.getLong(1), "every seeded record below the watermark");
      assertEquals(rs.getLong(2), rs.getLong(3), "and in the rollup, once");
    }
  }

  @Test
  void usageReadsMeasureEachRouteOfAnAccountWithAYearOfUsage_andOfOneWithOnlyAMonth()
      throws Exception {
    List<BenchRow> rows = ran(new UsageReadsWorkload());

    String usage = "usage-reads: GET /api/plugins/billing/usage, one request at a time";
    String quota = "usage-reads: GET /api/plugins/billing/quota, one request at a time";
    String preview =
        "usage-reads: GET /api/plugins/billing/invoices/{id} (draft preview), one request at a"
            + " time";
    assertEquals(
        List.of(usage, usage, quota, quota, preview, preview),
        rows.stream().map(BenchRow::workload).toList());
    String year = "records (a year, seeded by SQL, 12 months invoiced), 100 requests";
    String month =
        "records (from the previous period on, seeded by SQL, 1 month invoiced), 100 requests";
    for (int i = 0; i < rows.size(); i++) {
      BenchRow row = rows.get(i);
      assertTrue(row.size().startsWith("1 account, "), row.size());
      assertTrue(row.size().endsWith(i % 2 == 0 ? year : month), row.size());
      assertTrue(row.p50().compareTo(row.p99()) <= 0);
      assertNotNull(row.met());
    }
    assertFalse(progress.isEmpty());
  }

  @Test
  void adminReadsMeasureTheDashboardAPageOfEachReportAndUsageByMember_thenTheWholeReports()
      throws Exception {
    List<BenchRow> rows = ran(new AdminReadsWorkload());

    assertEquals(
        List.of(
            "admin-reads: GET /api/plugins/billing/admin/dashboard (12 months), one request at a"
                + " time",
            "admin-reads: GET /api/plugins/billing/admin/reports (JSON, current month, by user, a"
                + " page of 100 organizations), one request at a time",
            "admin-reads: GET /api/plugins/billing/admin/reports (CSV, current month, by user, a"
                + " page of 100 organizations), one request at a time",
            "admin-reads: GET /api/plugins/billing/usage?org_id= (a team's usage by member,"
                + " current period), one request at a time",
            "admin-reads: GET /api/plugins/billing/admin/reports (JSON, current month, by user,"
                + " every organization), one request at a time",
            "admin-reads: GET /api/plugins/billing/admin/reports (CSV, current month, by user,"
                + " every organization), one request at a time"),
        rows.stream().map(BenchRow::workload).toList());
    for (BenchRow row : rows) {
      assertTrue(row.size().startsWith("300 organizations, a year of "), row.size());
      assertTrue(row.p50().compareTo(row.p99()) <= 0);
    }
    for (BenchRow measured : rows.subList(0, 4)) {
      assertTrue(measured.size().endsWith(" 10 requests"), measured.size());
      assertNotNull(measured.met());
    }
    for (BenchRow whole : rows.subList(4, 6)) {
      assertTrue(whole.size().endsWith(" 3 requests; no target: read a page at a time above"));
      assertNull(whole.target(), "no target: its pages are measured instead");
      assertNull(whole.met());
    }
  }

  private List<BenchRow> ran(Workload workload) throws Exception {
    List<BenchRow> answered = workload.run(context);
    rows.addAll(answered);
    return answered;
  }

  @Test
  void eachInvoicedAccountsCreditIsUsedUpWhole_halfADollarOnAMonthACentOnADay() {
    BigDecimal rate = new BigDecimal("0.10");
    // a month: 0.10 × 10 GB × 744 / 730 = 1.019... ≥ 0.50
    assertEquals(new BigDecimal("0.50"), InvoicingWorkload.creditBelow(rate, 744));
    // a day: 0.10 × 10 GB × 24 / 730 = 0.0328... < 0.50, so a cent
    assertEquals(new BigDecimal("0.01"), InvoicingWorkload.creditBelow(rate, 24));
  }

  @Test
  void aPercentileIsTheNearestRank() {
    long[] sorted = new long[200];
    for (int i = 0; i < sorted.length; i++) {
      sorted[i] = i + 1;
    }
    assertEquals(100, UsageReadsWorkload.percentile(sorted, 50).toNanos());
    assertEquals(198, UsageReadsWorkload.percentile(sorted, 99).toNanos());
  }
}

package io.streamspace.billing.admin;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.admin.DashboardQueries.LineRevenue;
import io.streamspace.billing.admin.DashboardQueries.MonthRevenue;
import io.streamspace.billing.admin.DashboardQueries.Outstanding;
import io.streamspace.billing.admin.DashboardQueries.Periods;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's revenue and outstanding figures, kept by V40's triggers as invoices change, are
 * exactly what its statements before V40 summed per request from the invoices and their lines
 * (kept below as the oracle, {@link #OLD_REVENUE_BY_MONTH} and the others). The history is varied
 * on purpose: billing periods in America/New_York (October 2025's ends at 04:00Z under daylight
 * time, November's at 05:00Z, so a period's start is not a fixed hour of UTC), three currencies,
 * invoices made by generate-invoices (drafts finalized in a chunk), a credit applied (a credit
 * line, left out), a plan change, an invoice paid and one voided through PATCH /admin/invoices,
 * and invoices seeded by SQL as the benchmark seeds them (finalized rows first, their lines
 * after), moved in multi-row statements (overdue, paid, void, a total corrected, a due date that
 * changes no figure).
 */
class RevenueFiguresTest {

  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  private BillingHarness billing;

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void theKeptFiguresAreThoseTheInvoicesSumTo_afterEveryKindOfChange() throws Exception {
    billing =
        new BillingHarness(
            at("2025-09-01T04:00:00Z"),
            BillingHarness.USD_AND_VND_CONFIG.replaceFirst(
                "\\{", "{\"billingTimeZone\": \"America/New_York\", "));
    billing.userCreated("ann", Map.of());
    billing.userCreated("cid", Map.of());
    billing.userCreated("bob", Map.of("currency", "VND"));
    billing.flush();
    // ann on pro from the start, on enterprise from November (a plan fee's plan is its term's)
    TestDatabase.execute(
        """
        UPDATE billing_subscriptions SET plan_id = 'pro', started_at = '2025-09-01T04:00:00Z'
        WHERE user_id IN ('ann', 'bob');
        UPDATE billing_subscriptions SET ended_at = '2025-11-01T04:00:00Z' WHERE user_id = 'ann';
        INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
            billing_interval, started_at)
        VALUES ('ann', 'enterprise', 'Enterprise', 99.99, 'USD', 'month',
                '2025-11-01T04:00:00Z');
        """);
    assertSameFigures("before any invoice", 0);

    // September, October, November through the invoice runs; a credit of 5.00 for ann in
    // October
    month("2025-09", "2025-10-01T04:00:00Z");
    grant("ann", "5.00");
    month("2025-10", "2025-11-01T04:00:00Z");
    month("2025-11", "2025-12-01T05:00:00Z");
    assertSameFigures("after three invoice runs", 9);

    // ann's September invoice paid, bob's October one voided, by the admin
    patch(invoiceOf("ann", "2025-09-01T04:00:00Z"), "paid");
    patch(invoiceOf("bob", "2025-10-01T04:00:00Z"), "void");
    assertSameFigures("after a payment and a void", 8);

    // seeded by SQL in EUR, as the benchmark seeds: finalized rows, then their lines
    // (40 counted: 60 less the 20 drafts)
    TestDatabase.execute(SEEDED_IN_EUR);
    assertSameFigures("after invoices seeded by SQL", 8 + 40);

    // moved in multi-row statements, as the jobs and webhooks move them
    TestDatabase.execute(
        """
        UPDATE billing_invoices SET status = 'overdue'
        WHERE currency = 'EUR' AND status = 'sent' AND user_id = 'cid';
        UPDATE billing_invoices SET status = 'paid', paid_at = now()
        WHERE currency = 'EUR' AND status = 'sent' AND user_id = 'ann';
        UPDATE billing_invoices SET status = 'void', voided_at = now()
        WHERE currency = 'EUR' AND user_id = 'bob' AND period_start < '2025-03-01';
        UPDATE billing_invoices SET total = total - 1, credits_applied = credits_applied + 1
        WHERE currency = 'EUR' AND status = 'overdue';
        UPDATE billing_invoices SET due_at = due_at + interval '3 days' WHERE currency = 'USD';
        """);
    // bob's 14 periods before March 2025, 4 of them drafts (n = 2, 5, 8, 11): 10 voided
    assertSameFigures("after overdue, paid, void and a correction in bulk", 48 - 10);
  }

  @Test
  void aFinalizedInvoicesLinesAreNeverRewritten_aDraftsMayBe() throws Exception {
    billing = new BillingHarness(at("2025-12-10T00:00:00Z"), "{}");
    for (String user : List.of("ann", "bob", "cid")) {
      billing.userCreated(user, Map.of());
    }
    billing.flush();
    TestDatabase.execute(SEEDED_IN_EUR);

    RuntimeException refused =
        assertThrows(
            RuntimeException.class,
            () -> TestDatabase.execute("UPDATE billing_invoice_lines SET amount = amount + 1"));
    assertTrue(String.valueOf(refused.getCause()).contains("never changed"), refused.getMessage());
    // a draft's lines are not counted: deleting them changes no figure and is not refused;
    // June 2025 (n = 17) back to drafts: ann's and cid's (bob's is one): 40 - 2 counted
    TestDatabase.execute(
        """
        UPDATE billing_invoices SET status = 'draft', invoice_number = NULL, finalized_at = NULL
        WHERE period_start = '2025-06-01';
        DELETE FROM billing_invoice_lines
        WHERE invoice_id IN (SELECT id FROM billing_invoices WHERE status = 'draft')""");
    assertSameFigures("after drafts' lines deleted", 38);
  }

  /**
   * One month's usage (a session of ann's, of cid's and of bob's, an hour each on the 10th)
   * rated, invoiced and finalized by the invoice run after the period's end and its grace.
   */
  private void month(String month, String periodEnd) {
    String day = month + "-10T";
    billing.session("a" + month, "ann", day + "14:00:00Z", day + "15:00:00Z", size("2", "4", "10"));
    billing.session("c" + month, "cid", day + "14:00:00Z", day + "16:00:00Z", size("1", "2", "0"));
    billing.session("b" + month, "bob", day + "15:00:00Z", day + "16:00:00Z", size("4", "8", "0"));
    String afterGrace = Instant.parse(periodEnd).plusSeconds(2 * 3600).toString();
    billing.calculateUsageAt(afterGrace);
    billing.runAt("generate-invoices", afterGrace);
  }

  private void grant(String user, String amount) {
    assertEquals(
        201,
        billing
            .call(
                HttpMethod.POST,
                "/admin/credits",
                admin("root"),
                """
                {"user_id": "%s", "amount": %s, "reason": "goodwill"}"""
                    .formatted(user, amount))
            .status());
  }

  private void patch(long invoice, String status) {
    assertEquals(
        200,
        billing
            .call(
                HttpMethod.PATCH,
                "/admin/invoices/" + invoice,
                admin("root"),
                """
                {"status": "%s", "note": "by hand"}"""
                    .formatted(status))
            .status());
  }

  private static long invoiceOf(String user, String periodStart) {
    return (Long)
        BillingHarness.value(
            "SELECT id FROM billing_invoices WHERE user_id = ? AND period_start = ?::timestamptz",
            user,
            periodStart);
  }

  /**
   * The kept figures and the oracle's agree for windows of 1, 3, 12 and 120 billing periods
   * ending now (the harness's clock), and the 120 hold {@code invoices} counted invoices.
   */
  private void assertSameFigures(String when, long invoices) throws SQLException {
    DashboardQueries queries = new DashboardQueries(TestDatabase.dataSource());
    Instant now = billing.clock.instant();
    for (int months : new int[] {1, 3, 12, 120}) {
      Periods periods = periods(now, months);
      assertEquals(
          oldRevenueByMonth(periods), queries.revenueByMonth(periods), when + ", " + months);
      assertEquals(oldRevenueByLine(periods), queries.revenueByLine(periods), when + ", " + months);
    }
    assertEquals(oldOutstanding(), queries.outstanding(), when);
    long counted =
        queries.revenueByMonth(periods(now, 120)).stream().mapToLong(MonthRevenue::invoices).sum();
    assertEquals(invoices, counted, when + ": the invoices counted");
  }

  /** The {@code months} billing periods up to now's, as the dashboard's route makes them. */
  private static Periods periods(Instant now, int months) {
    BillingPeriods billing = new BillingPeriods(1, NEW_YORK);
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

  private static List<MonthRevenue> oldRevenueByMonth(Periods periods) throws SQLException {
    String[] starts = periods.starts().stream().map(Instant::toString).toArray(String[]::new);
    String[] ends = periods.ends().stream().map(Instant::toString).toArray(String[]::new);
    List<MonthRevenue> rows = new ArrayList<>();
    try (Connection connection = TestDatabase.dataSource().getConnection();
        PreparedStatement statement =
            OLD_REVENUE_BY_MONTH
                .bind("period_starts", starts)
                .bind("period_ends", ends)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        rows.add(
            new MonthRevenue(
                rs.getTimestamp("period_start").toInstant(),
                rs.getString("currency"),
                money(rs, "invoiced"),
                money(rs, "paid"),
                rs.getLong("invoices")));
      }
    }
    return rows;
  }

  private static List<LineRevenue> oldRevenueByLine(Periods periods) throws SQLException {
    List<LineRevenue> rows = new ArrayList<>();
    try (Connection connection = TestDatabase.dataSource().getConnection();
        PreparedStatement statement = periods.bind(OLD_REVENUE_BY_LINE).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        rows.add(
            new LineRevenue(
                rs.getBoolean("plan_fee"),
                rs.getString("billed"),
                rs.getString("currency"),
                money(rs, "amount")));
      }
    }
    return rows;
  }

  private static List<Outstanding> oldOutstanding() throws SQLException {
    List<Outstanding> rows = new ArrayList<>();
    try (Connection connection = TestDatabase.dataSource().getConnection();
        PreparedStatement statement = OLD_OUTSTANDING.binding().prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        rows.add(
            new Outstanding(
                rs.getString("currency"),
                money(rs, "sent_total"),
                rs.getLong("sent_count"),
                money(rs, "overdue_total"),
                rs.getLong("overdue_count")));
      }
    }
    return rows;
  }

  private static BigDecimal money(ResultSet rs, String column) throws SQLException {
    return Money.shown(rs.getBigDecimal(column), Currency.getInstance(rs.getString("currency")));
  }

  /**
   * Monthly EUR invoices for the 20 periods from 2024-01-01 to 2025-08-01 (midnight UTC: not the
   * billing zone's, as a history under an earlier zone would be; before the USD and VND ones)
   * for ann, bob and cid: 60, of which 20 drafts (one of the three each period) that never
   * count; the last period's and every 4th one's sent, the rest paid; lines: a plan fee, a cpu
   * usage line, a pack line and a credit line, the plan fee dated and the others not.
   */
  private static final String SEEDED_IN_EUR =
      """
      INSERT INTO billing_invoices (user_id, period_start, period_end, currency, status,
                                    invoice_number, subtotal, credits_applied, total,
                                    finalize_after, finalized_at, due_at, paid_at, created_at)
      SELECT u, p, p + interval '1 month', 'EUR',
             CASE WHEN (n + k) % 3 = 0 THEN 'draft'
                  WHEN p = timestamptz '2025-08-01' THEN 'sent'
                  WHEN n % 4 = 0 THEN 'sent' ELSE 'paid' END,
             CASE WHEN (n + k) % 3 <> 0 THEN 'EUR-' || u || '-' || n END,
             20 + n, 2, 18 + n, p + interval '1 month',
             CASE WHEN (n + k) % 3 <> 0 THEN p + interval '1 month' END,
             p + interval '45 days', NULL, p
      FROM generate_series(0, 19) n
      CROSS JOIN LATERAL (SELECT timestamptz '2024-01-01 00:00Z' + n * interval '1 month' AS p) x
      CROSS JOIN (VALUES ('ann', 0), ('bob', 1), ('cid', 2)) AS users(u, k)
      ORDER BY p, u;
      INSERT INTO billing_invoice_lines (invoice_id, line_no, kind, description, resource_type,
                                         quantity, unit, unit_price, amount, period_start,
                                         period_end)
      SELECT i.id, l.line_no, l.kind, l.kind, l.resource_type, 1, NULL, l.amount,
             CASE WHEN l.kind = 'usage' THEN i.subtotal - 15 ELSE l.amount END,
             CASE WHEN l.dated THEN i.period_start END, CASE WHEN l.dated THEN i.period_end END
      FROM billing_invoices i
      CROSS JOIN (VALUES (1, 'plan_fee', NULL, 10.00, true),
                         (2, 'usage', 'cpu', 0, false),
                         (3, 'pack', NULL, 5.00, false),
                         (4, 'credit', NULL, -2.00, false))
        AS l(line_no, kind, resource_type, amount, dated)
      WHERE i.currency = 'EUR'
      ORDER BY i.id, l.line_no;
      """;

  // The dashboard's statements before V40 (DashboardQueries at eb9608e), which summed every
  // finalized invoice of the window and its lines per request.

  private static final String BILLED = "i.status IN ('sent', 'paid', 'overdue')";

  private static final NamedSql OLD_REVENUE_BY_MONTH =
      NamedSql.of(
          """
          SELECT p.period_start, i.currency, sum(i.total) AS invoiced,
                 coalesce(sum(i.total) FILTER (WHERE i.status = 'paid'), 0) AS paid,
                 count(*) AS invoices
          FROM unnest(:period_starts::text[]::timestamptz[], :period_ends::text[]::timestamptz[])
            AS p(period_start, period_end)
          JOIN billing_invoices i
            ON i.period_start >= p.period_start AND i.period_start < p.period_end
          WHERE %s
          GROUP BY p.period_start, i.currency
          ORDER BY p.period_start, i.currency
          """
              .formatted(BILLED));

  private static final NamedSql OLD_REVENUE_BY_LINE =
      NamedSql.of(
          """
          SELECT l.kind = 'plan_fee' AS plan_fee,
                 CASE l.kind WHEN 'plan_fee' THEN t.plan_id WHEN 'pack' THEN 'packs'
                             ELSE l.resource_type END AS billed,
                 i.currency, sum(l.amount) AS amount
          FROM billing_invoices i
          CROSS JOIN LATERAL (
            SELECT * FROM billing_invoice_lines l WHERE l.invoice_id = i.id OFFSET 0) l
          LEFT JOIN LATERAL (
            SELECT s.plan_id FROM billing_subscriptions s
            WHERE l.kind = 'plan_fee' AND s.user_id = i.user_id
              AND s.started_at <= l.period_start
            ORDER BY s.started_at DESC, s.id DESC LIMIT 1) t ON true
          WHERE %s AND l.kind <> 'credit'
            AND i.period_start >= :from AND i.period_start < :to
          GROUP BY 1, 2, 3
          ORDER BY 1, 2, 3
          """
              .formatted(BILLED));

  private static final NamedSql OLD_OUTSTANDING =
      NamedSql.of(
          """
          SELECT i.currency,
                 coalesce(sum(i.total) FILTER (WHERE i.status = 'sent'), 0) AS sent_total,
                 count(*) FILTER (WHERE i.status = 'sent') AS sent_count,
                 coalesce(sum(i.total) FILTER (WHERE i.status = 'overdue'), 0) AS overdue_total,
                 count(*) FILTER (WHERE i.status = 'overdue') AS overdue_count
          FROM billing_invoices i
          WHERE i.status IN ('sent', 'overdue')
          GROUP BY i.currency
          ORDER BY i.currency
          """);
}

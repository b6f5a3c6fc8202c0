package io.streamspace.billing.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.streamspace.testing.TestDatabases;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The revenue figures (V40) of a database that has invoices already: the migration sums them
 * once, so the dashboard's first answer after the upgrade is the one it summed per request.
 */
class RevenueFiguresMigrationTest {

  // ann: January paid 40.00 (a plan fee 30.00 on pro, cpu 12.00, a credit -2.00), February
  // sent 25.00 (cpu), March void 9.00 and draft 5.00 (never count); bob: February overdue
  // 100,000 VND (cpu)
  private static final String SEED =
      """
      INSERT INTO billing_accounts (user_id, currency, status, created_at, personal)
      VALUES ('ann', 'USD', 'active', '2026-01-01Z', true),
             ('bob', 'VND', 'active', '2026-01-01Z', true);
      INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
          billing_interval, cpu_limit, memory_limit, storage_limit, started_at)
      VALUES ('ann', 'pro', 'Pro', 30, 'USD', 'month', NULL, NULL, NULL, '2026-01-01Z'),
             ('bob', 'free', 'Free', 0, 'VND', 'month', NULL, NULL, NULL, '2026-01-01Z');
      INSERT INTO billing_invoices (id, user_id, period_start, period_end, currency, status,
          invoice_number, total, finalize_after, finalized_at, created_at)
      OVERRIDING SYSTEM VALUE
      VALUES (1, 'ann', '2026-01-01Z', '2026-02-01Z', 'USD', 'paid', 'INV-1', 40,
              '2026-02-01Z', '2026-02-01Z', '2026-02-01Z'),
             (2, 'ann', '2026-02-01Z', '2026-03-01Z', 'USD', 'sent', 'INV-2', 25,
              '2026-03-01Z', '2026-03-01Z', '2026-03-01Z'),
             (3, 'ann', '2026-03-01Z', '2026-04-01Z', 'USD', 'void', 'INV-3', 9,
              '2026-04-01Z', '2026-04-01Z', '2026-04-01Z'),
             (4, 'ann', '2026-03-01Z', '2026-04-01Z', 'USD', 'draft', NULL, 5,
              '2026-04-01Z', NULL, '2026-04-01Z'),
             (5, 'bob', '2026-02-01Z', '2026-03-01Z', 'VND', 'overdue', 'INV-4', 100000,
              '2026-03-01Z', '2026-03-01Z', '2026-03-01Z');
      INSERT INTO billing_invoice_lines (invoice_id, line_no, kind, description, resource_type,
          amount, period_start, period_end)
      VALUES (1, 1, 'plan_fee', 'Pro', NULL, 30, '2026-01-01Z', '2026-02-01Z'),
             (1, 2, 'usage', 'cpu', 'cpu', 12, NULL, NULL),
             (1, 3, 'credit', 'credit', NULL, -2, NULL, NULL),
             (2, 1, 'usage', 'cpu', 'cpu', 25, NULL, NULL),
             (3, 1, 'usage', 'cpu', 'cpu', 9, NULL, NULL),
             (4, 1, 'usage', 'cpu', 'cpu', 5, NULL, NULL),
             (5, 1, 'usage', 'cpu', 'cpu', 100000, NULL, NULL);
      """;

  private final HikariDataSource dataSource = freshDatabase();

  @AfterEach
  void closePool() {
    dataSource.close();
  }

  @Test
  void theMigrationSumsTheInvoicesThereAre_voidsDraftsAndCreditsLeftOut() throws Exception {
    BillingMigrations.run(dataSource, MigrationVersion.fromVersion("38"));
    execute(SEED);

    BillingMigrations.run(dataSource, MigrationVersion.LATEST);

    assertEquals(
        List.of(
            List.of("2026-01-01 00:00:00+00", "USD", "40", "40", 1L),
            List.of("2026-02-01 00:00:00+00", "USD", "25", "0", 1L),
            List.of("2026-02-01 00:00:00+00", "VND", "100000", "0", 1L)),
        rows(
            "SELECT period_start::text, currency, invoiced, paid, invoices"
                + " FROM billing_revenue_periods ORDER BY 1, 2"));
    assertEquals(
        List.of(
            List.of("2026-01-01 00:00:00+00", "USD", false, "cpu", "12", 1L),
            List.of("2026-01-01 00:00:00+00", "USD", true, "pro", "30", 1L),
            List.of("2026-02-01 00:00:00+00", "USD", false, "cpu", "25", 1L),
            List.of("2026-02-01 00:00:00+00", "VND", false, "cpu", "100000", 1L)),
        rows(
            "SELECT period_start::text, currency, plan_fee, billed, amount, lines"
                + " FROM billing_revenue_lines ORDER BY 1, 2, 3"));
    assertEquals(
        List.of(List.of("USD", "25", 1L, "0", 0L), List.of("VND", "0", 0L, "100000", 1L)),
        rows(
            "SELECT currency, sent_total, sent_count, overdue_total, overdue_count"
                + " FROM billing_revenue_outstanding ORDER BY 1"));
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** The rows, numbers as plain text (exact sums of the seeded ones), instants as UTC text. */
  private List<List<Object>> rows(String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET TIME ZONE 'UTC'");
      ResultSet rs = s.executeQuery(sql);
      List<List<Object>> rows = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          Object value = rs.getObject(i);
          row.add(value instanceof BigDecimal amount ? amount.toPlainString() : value);
        }
        rows.add(row);
      }
      return rows;
    }
  }

  private static HikariDataSource freshDatabase() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(TestDatabases.freshDatabaseUrl());
    config.setMaximumPoolSize(2);
    return new HikariDataSource(config);
  }
}

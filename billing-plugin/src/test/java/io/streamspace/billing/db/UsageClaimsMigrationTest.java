package io.streamspace.billing.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.streamspace.testing.TestDatabases;
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
 * The schema before usage claims (V31), each record's invoice stored on it, migrated to claims
 * (V32): every record is attributed by the claims' rule to the invoice that had it, late records
 * and a voided invoice's released ones included; and what no invoice had stays unbilled.
 */
class UsageClaimsMigrationTest {

  // ann: January (1), February (2) invoiced; March voided, then invoiced again (3); bob's
  // March (4) finalized between ann's February and her second March. Records: a late January
  // hour billed by February, a late February hour billed by the second March, a March hour
  // the void released and the second March billed, and, on no invoice, a late January hour
  // and an April one of ann's and a late March one of bob's.
  private static final String SEED =
      """
      INSERT INTO billing_accounts (user_id, currency, status, created_at, personal)
      VALUES ('ann', 'USD', 'active', '2026-01-01Z', true),
             ('bob', 'USD', 'active', '2026-01-01Z', true);
      INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
          billing_interval, cpu_limit, memory_limit, storage_limit, started_at)
      VALUES ('ann', 'payg', 'Pay as you go', 0, 'USD', 'month', NULL, NULL, NULL, '2026-01-01Z'),
             ('bob', 'payg', 'Pay as you go', 0, 'USD', 'month', NULL, NULL, NULL, '2026-01-01Z');
      INSERT INTO billing_invoices (id, user_id, period_start, period_end, currency, status,
          invoice_number, finalize_after, finalized_at, voided_at, created_at)
      OVERRIDING SYSTEM VALUE
      VALUES (1, 'ann', '2026-01-01Z', '2026-02-01Z', 'USD', 'sent', 'INV-1', '2026-02-01Z',
              '2026-02-01T01:00Z', NULL, '2026-02-01Z'),
             (2, 'ann', '2026-02-01Z', '2026-03-01Z', 'USD', 'paid', 'INV-2', '2026-03-01Z',
              '2026-03-01T01:00Z', NULL, '2026-03-01Z'),
             (5, 'ann', '2026-03-01Z', '2026-04-01Z', 'USD', 'void', 'INV-3', '2026-04-01Z',
              '2026-04-01T01:00Z', '2026-04-01T12:00Z', '2026-04-01Z'),
             (4, 'bob', '2026-03-01Z', '2026-04-01Z', 'USD', 'sent', 'INV-4', '2026-04-01Z',
              '2026-04-01T01:30Z', NULL, '2026-04-01Z'),
             (3, 'ann', '2026-03-01Z', '2026-04-01Z', 'USD', 'overdue', 'INV-5', '2026-04-01Z',
              '2026-04-02T00:00Z', NULL, '2026-04-02Z');
      INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
          slice_end, unit_seconds, unit, unit_price, currency, created_at, invoice_id)
      SELECT u, 's', 'cpu', h, h + interval '1 hour', 3600, 'core-hours', 0.05, 'USD', h, i
      FROM (VALUES ('ann', timestamptz '2026-01-10T10:00Z', 1),
                   ('ann', '2026-01-31T23:00Z', 2),
                   ('ann', '2026-02-15T10:00Z', 2),
                   ('ann', '2026-02-20T10:00Z', 3),
                   ('ann', '2026-03-10T10:00Z', 3),
                   ('ann', '2026-01-20T10:00Z', NULL),
                   ('ann', '2026-04-03T10:00Z', NULL),
                   ('bob', '2026-03-03T10:00Z', 4),
                   ('bob', '2026-03-30T10:00Z', NULL)) r(u, h, i);
      SELECT setval(pg_get_serial_sequence('billing_invoices', 'id'), 5);
      """;

  private static final String EACH_RECORDS_INVOICE =
      "SELECT user_id, slice_start::text, %s FROM %s ORDER BY user_id, slice_start";

  private final HikariDataSource dataSource = freshDatabase();

  @AfterEach
  void closePool() {
    dataSource.close();
  }

  @Test
  void everyRecordIsAttributedByTheClaimsToTheInvoiceThatHadIt_unbilledOnesStayUnbilled()
      throws Exception {
    BillingMigrations.run(dataSource, MigrationVersion.fromVersion("31"));
    execute(SEED);
    List<List<Object>> before =
        rows(EACH_RECORDS_INVOICE.formatted("invoice_id", "billing_usage_records"));

    BillingMigrations.run(dataSource, MigrationVersion.LATEST);

    assertEquals(
        before, rows(EACH_RECORDS_INVOICE.formatted("invoice_id", "billing_usage_billed")));
    assertEquals(
        List.of(
            List.of("ann", "2026-01-10 10:00:00+00", 1L),
            List.of("ann", "2026-01-20 10:00:00+00", -1L),
            List.of("ann", "2026-01-31 23:00:00+00", 2L),
            List.of("ann", "2026-02-15 10:00:00+00", 2L),
            List.of("ann", "2026-02-20 10:00:00+00", 3L),
            List.of("ann", "2026-03-10 10:00:00+00", 3L),
            List.of("ann", "2026-04-03 10:00:00+00", -1L),
            List.of("bob", "2026-03-03 10:00:00+00", 4L),
            List.of("bob", "2026-03-30 10:00:00+00", -1L)),
        rows(EACH_RECORDS_INVOICE.formatted("coalesce(invoice_id, -1)", "billing_usage_billed")));
    // ranks by finalization within each account; claim numbers across accounts in that order
    assertEquals(
        List.of(
            List.of(1L, "ann", 1L, 1L),
            List.of(2L, "ann", 2L, 2L),
            List.of(4L, "bob", 3L, 1L),
            List.of(3L, "ann", 4L, 3L)),
        rows(
            "SELECT invoice_id, user_id, claim_no, run_high FROM billing_usage_claims"
                + " ORDER BY claim_no"));
    // the next runs come after every migrated one
    assertEquals(List.of(List.of(1_000_000_001L)), rows("SELECT nextval('billing_rating_runs')"));
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private List<List<Object>> rows(String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET TIME ZONE 'UTC'"); // the instants as text
      ResultSet rs = s.executeQuery(sql);
      List<List<Object>> rows = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  /** A database of its own: the shared test database is at the latest schema already. */
  private static HikariDataSource freshDatabase() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(TestDatabases.freshDatabaseUrl());
    config.setMaximumPoolSize(2);
    return new HikariDataSource(config);
  }
}

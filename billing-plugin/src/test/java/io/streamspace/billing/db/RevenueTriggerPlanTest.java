package io.streamspace.billing.db;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.streamspace.testing.TestDatabases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The plan of the revenue figures' trigger on inserted lines (V60), as PostgreSQL's auto_explain
 * shows it for the statements a trigger runs: finalization writes a chunk's lines while their
 * invoices are drafts, and the trigger looks each invoice up to find none counted yet. With the
 * statistics generate-invoices takes when every invoice is a draft, the lookup must still go by
 * the invoice's key, not through the partial index of the invoices that count
 * (billing_invoices_billed), which the planner then takes as empty and which holds every invoice
 * finalized since: scanned whole for each invoice, it slowed each chunk more than the last
 * (docs/benchmark-history.md, run V).
 */
class RevenueTriggerPlanTest {

  private final HikariDataSource dataSource = freshDatabase();

  @AfterEach
  void closePool() {
    dataSource.close();
  }

  @Test
  void aDraftsLinesLookItsInvoiceUpByKey_withStatisticsTakenWhileEveryInvoiceWasADraft()
      throws SQLException {
    BillingMigrations.run(dataSource, MigrationVersion.LATEST);
    twoThousandInvoicesDraftedAnalyzedAndFinalizedButOne();

    String lookup = triggerLookupPlan();

    assertTrue(lookup.contains("billing_invoices_pkey"), lookup);
    assertFalse(lookup.contains("billing_invoices_billed"), lookup);
  }

  /** The same statistics made V56's lookup scan the partial index: what V60 removes. */
  @Test
  void beforeV60TheSameStatisticsSentTheLookupThroughThePartialIndex() throws SQLException {
    BillingMigrations.run(dataSource, MigrationVersion.fromVersion("59"));
    twoThousandInvoicesDraftedAnalyzedAndFinalizedButOne();

    String lookup = triggerLookupPlan();

    assertTrue(lookup.contains("billing_invoices_billed"), lookup);
  }

  private void twoThousandInvoicesDraftedAnalyzedAndFinalizedButOne() throws SQLException {
    // 2,000 invoices drafted and analyzed as generate-invoices does, 1,999 finalized since
    // (autovacuum off: it would analyze them again)
    execute(
        """
        ALTER TABLE billing_invoices SET (autovacuum_enabled = false);
        INSERT INTO billing_accounts (user_id, currency, status, created_at, personal)
        SELECT 'u' || n, 'USD', 'active', '2026-01-01Z', true FROM generate_series(1, 2000) n;
        INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
            billing_interval, started_at)
        SELECT user_id, 'free', 'Free', 0, 'USD', 'month', '2026-01-01Z' FROM billing_accounts;
        INSERT INTO billing_invoices (user_id, period_start, period_end, currency, status, total,
            finalize_after, created_at)
        SELECT 'u' || n, '2026-01-01Z', '2026-02-01Z', 'USD', 'draft', 10, '2026-02-01Z',
               '2026-02-01Z'
        FROM generate_series(1, 2000) n;
        ANALYZE billing_invoices;
        UPDATE billing_invoices
        SET status = 'sent', invoice_number = 'INV-' || id, finalized_at = '2026-02-01Z'
        WHERE user_id <> 'u1';
        """);
  }

  /** The plan auto_explain gives of the trigger's lookup, as u1's draft gets a line. */
  private String triggerLookupPlan() throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("LOAD 'auto_explain'");
      s.execute("SET auto_explain.log_min_duration = 0");
      s.execute("SET auto_explain.log_nested_statements = on");
      s.execute("SET auto_explain.log_level = notice");
      s.execute("SET client_min_messages = notice");
      s.execute(
          """
          INSERT INTO billing_invoice_lines (invoice_id, line_no, kind, description, amount)
          SELECT id, 1, 'plan_fee', 'Pro', 10 FROM billing_invoices WHERE user_id = 'u1'""");
      List<String> plans = new ArrayList<>();
      for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
        if (w.getMessage().contains("FROM new_rows")) {
          plans.add(w.getMessage());
        }
      }
      assertTrue(plans.size() == 1, "one lookup of the trigger's: " + plans);
      return plans.get(0);
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static HikariDataSource freshDatabase() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(TestDatabases.freshDatabaseUrl());
    config.setMaximumPoolSize(2);
    return new HikariDataSource(config);
  }
}

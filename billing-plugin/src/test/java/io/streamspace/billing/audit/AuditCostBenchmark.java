package io.streamspace.billing.audit;

import io.streamspace.billing.db.BillingMigrations;
import io.streamspace.billing.invoicing.InvoiceDrafts;
import io.streamspace.billing.support.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the audit trail costs generate-invoices, on the embedded PostgreSQL: the drafts of {@code
 * bench.accounts} personal accounts opened by {@link InvoiceDrafts#generate} (its statement
 * writes one {@code invoice.created} entry per draft) against the same drafts inserted without
 * entries, and the entries alone, written set-based into new chains (a first run) and onto
 * chains that exist (every later run). Not a test: nothing is asserted, the figures are logged.
 *
 * <pre>
 * mvn -o -pl billing-plugin -am test -Dtest=AuditCostBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dbench.accounts=20000
 * </pre>
 */
class AuditCostBenchmark {

  private static final Logger log = LoggerFactory.getLogger(AuditCostBenchmark.class);
  private static final Instant MARCH = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant APRIL = Instant.parse("2026-04-01T00:00:00Z");

  private static final String ACCOUNTS =
      """
      INSERT INTO billing_accounts (user_id, currency, created_at, personal)
        SELECT 'u' || i, 'USD', '2026-02-01T00:00:00Z', true FROM generate_series(1, %1$d) i;
      INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
          billing_interval, started_at)
        SELECT 'u' || i, 'free', 'Free Tier', 0, 'USD', 'month', '2026-02-01T00:00:00Z'
        FROM generate_series(1, %1$d) i;
      ANALYZE billing_accounts""";

  // the drafts as generate-invoices opens them, without their entries
  private static final String PLAIN_DRAFTS =
      """
      INSERT INTO billing_invoices (user_id, period_start, period_end, currency, status,
                                    finalize_after, created_at)
      SELECT a.user_id, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', a.currency, 'draft',
             '2026-04-01T00:00:00Z', '2026-04-01T00:00:00Z'
      FROM billing_accounts a
      ON CONFLICT DO NOTHING""";

  private static final String ENTRIES =
      """
      INSERT INTO billing_audit_entries (occurred_at, actor_type, actor_id, org_id, kind,
                                         subject, after)
      SELECT now(), 'job', 'bench', 'u' || i, 'bench', 'invoice:' || i,
             jsonb_build_object('id', i, 'status', 'draft', 'currency', 'USD')
      FROM generate_series(1, %d) i""";

  @Test
  @EnabledIfSystemProperty(named = "bench.accounts", matches = "\\d+")
  void theTrailsCostOnGenerateInvoices() throws Exception {
    int accounts = Integer.parseInt(System.getProperty("bench.accounts"));
    DataSource dataSource = TestDatabase.dataSource();
    BillingMigrations.migrate(dataSource);
    for (int round = 1; round <= 2; round++) {
      long plain = timed(dataSource, accounts, () -> execute(dataSource, PLAIN_DRAFTS));
      long audited =
          timed(
              dataSource,
              accounts,
              () ->
                  new InvoiceDrafts(dataSource)
                      .generate(MARCH, APRIL, APRIL, APRIL, Cause.job("generate-invoices")));
      TestDatabase.clean();
      long start = System.nanoTime();
      execute(dataSource, ENTRIES.formatted(accounts));
      long newChains = System.nanoTime() - start;
      start = System.nanoTime();
      execute(dataSource, ENTRIES.formatted(accounts));
      long existingChains = System.nanoTime() - start;
      log.info(
          "round {}, {} accounts: drafts without entries {} ms, with their entries {} ms ({}×);"
              + " the entries alone: {} ms into new chains ({} µs each), {} ms onto existing"
              + " chains ({} µs each)",
          round,
          accounts,
          plain / 1_000_000,
          audited / 1_000_000,
          "%.2f".formatted((double) audited / plain),
          newChains / 1_000_000,
          newChains / 1_000 / accounts,
          existingChains / 1_000_000,
          existingChains / 1_000 / accounts);
    }
  }

  @FunctionalInterface
  private interface Work {
    void run() throws SQLException;
  }

  /** The work's time, on fresh tables with the accounts (their setup not timed). */
  private static long timed(DataSource dataSource, int accounts, Work work) throws SQLException {
    TestDatabase.clean();
    execute(dataSource, ACCOUNTS.formatted(accounts));
    long start = System.nanoTime();
    work.run();
    return System.nanoTime() - start;
  }

  private static void execute(DataSource dataSource, String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}

package io.streamspace.billing.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.BillingMigrations;
import io.streamspace.billing.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * generate-invoices opens its drafts a range of accounts at a time, two statements at once: every
 * account opened before the period's end gets one draft and one {@code invoice.created} entry,
 * the accounts at the ranges' ends included, and a re-run opens none.
 */
class DraftsByRangeOfAccountsTest {

  private static final Instant MARCH = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant APRIL = Instant.parse("2026-04-01T00:00:00Z");

  private final DataSource dataSource = TestDatabase.dataSource();

  @BeforeEach
  void accounts() throws Exception {
    BillingMigrations.migrate(dataSource);
    TestDatabase.clean();
    // ten accounts opened in February, whose ids sort in bytes (C) as they would not in a
    // language's order (upper case first, u10 before u2, é last), and one opened in April (after
    // the period: no draft)
    TestDatabase.execute(
        """
        INSERT INTO billing_accounts (user_id, currency, created_at, personal)
          SELECT 'u' || i, 'USD', '2026-02-01T00:00:00Z', true FROM generate_series(1, 7) i;
        INSERT INTO billing_accounts (user_id, currency, created_at, personal)
          VALUES ('U9', 'USD', '2026-02-01T00:00:00Z', true),
                 ('u10', 'USD', '2026-02-01T00:00:00Z', true),
                 ('é', 'USD', '2026-02-01T00:00:00Z', true);
        INSERT INTO billing_accounts (user_id, currency, created_at, personal)
          VALUES ('u8', 'USD', '2026-04-02T00:00:00Z', true);
        INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
            billing_interval, started_at)
          SELECT user_id, 'free', 'Free Tier', 0, 'USD', 'month', created_at
          FROM billing_accounts""");
  }

  @Test
  void rangesOfTwoAccountsOnTwoWorkersOpenOneDraftPerAccountAndARerunOpensNone() throws Exception {
    InvoiceDrafts drafts = new InvoiceDrafts(dataSource, 2, 2);

    assertEquals(10, drafts.generate(MARCH, APRIL, APRIL, APRIL, Cause.job("generate-invoices")));
    assertEquals(0, drafts.generate(MARCH, APRIL, APRIL, APRIL, Cause.job("generate-invoices")));

    List<String> expected =
        List.of("U9", "u1", "u10", "u2", "u3", "u4", "u5", "u6", "u7", "é"); // in C order
    assertEquals(
        expected,
        column(
            "SELECT user_id FROM billing_invoices WHERE period_start = '2026-03-01T00:00:00Z'"
                + " AND period_end = '2026-04-01T00:00:00Z' AND status = 'draft'"
                + " ORDER BY user_id COLLATE \"C\""));
    assertEquals(
        expected,
        column(
            "SELECT org_id FROM billing_audit_entries WHERE kind = 'invoice.created'"
                + " ORDER BY org_id COLLATE \"C\""));
  }

  @Test
  void oneRangeOfAllAccountsOpensTheSameDrafts() throws Exception {
    assertEquals(
        10,
        new InvoiceDrafts(dataSource, 1, 1_000)
            .generate(MARCH, APRIL, APRIL, APRIL, Cause.job("generate-invoices")));
    assertEquals(10, column("SELECT user_id FROM billing_invoices").size());
  }

  @Test
  void aRunThatOpensManyDraftsTellsThePlannerOfThemBeforeAnyIsFinalized() throws Exception {
    TestDatabase.execute(
        """
        INSERT INTO billing_accounts (user_id, currency, created_at, personal)
          SELECT 'many' || i, 'USD', '2026-02-01T00:00:00Z', true
          FROM generate_series(1, %d) i;
        INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
            billing_interval, started_at)
          SELECT user_id, 'free', 'Free Tier', 0, 'USD', 'month', created_at
          FROM billing_accounts WHERE user_id LIKE 'many%%'"""
            .formatted(InvoiceDrafts.ANALYZE_AFTER));

    int opened =
        new InvoiceDrafts(dataSource, 2, 5_000)
            .generate(MARCH, APRIL, APRIL, APRIL, Cause.job("generate-invoices"));

    assertEquals(InvoiceDrafts.ANALYZE_AFTER + 10, opened);
    // ANALYZE counts the table's rows into pg_class: the drafts are all its rows
    assertEquals(
        List.of(String.valueOf(opened)),
        column("SELECT reltuples::bigint FROM pg_class WHERE oid = 'billing_invoices'::regclass"));
  }

  private List<String> column(String sql) throws Exception {
    List<String> values = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }
}

package io.streamspace.billing.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.account.Memberships;
import io.streamspace.testing.TestDatabases;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The release before organizations (schema V24), with a saved fixture of its rows ({@code
 * v24-release.sql}: ann with an invoice, a credit, a pack, a spending limit and a Stripe
 * customer; bob with a hold), migrated to the latest schema: nothing that decides money moves,
 * and each account is its user's personal organization.
 */
class OrganizationsMigrationTest {

  /** What decides money, by kind: each query's rows must read the same after the migration. */
  private static final Map<String, String> MONEY =
      Map.of(
          "invoices",
          """
          SELECT i.user_id, i.invoice_number, i.status, i.subtotal::text,
                 i.credits_applied::text, i.total::text,
                 (SELECT sum(l.amount) FROM billing_invoice_lines l
                  WHERE l.invoice_id = i.id)::text
          FROM billing_invoices i ORDER BY i.id""",
          "invoice numbers",
          "SELECT year, last_number FROM billing_invoice_numbers ORDER BY year",
          "credits",
          """
          SELECT c.user_id, c.amount::text, c.remaining::text,
                 (SELECT sum(a.amount) FROM billing_credit_applications a
                  WHERE a.credit_id = c.id)::text
          FROM billing_credits c ORDER BY c.id""",
          "plan terms",
          """
          SELECT user_id, plan_id, price::text, currency::text, started_at, ended_at
          FROM billing_subscriptions ORDER BY user_id, started_at""",
          "usage records",
          """
          SELECT user_id, invoice_id, count(*), sum(unit_seconds)::text
          FROM %s GROUP BY user_id, invoice_id ORDER BY user_id""",
          "packs",
          """
          SELECT user_id, pack_id, price::text, valid_until FROM billing_pack_purchases
          ORDER BY id""",
          "holds",
          "SELECT user_id, reason, lifted_at FROM billing_account_holds ORDER BY id",
          "spending limits",
          "SELECT user_id, amount::text, action FROM billing_spending_limits ORDER BY user_id",
          "stripe customers",
          "SELECT account_id, customer_id FROM billing_stripe_customers ORDER BY account_id");

  private final HikariDataSource dataSource = freshDatabase();

  @AfterEach
  void closePool() {
    dataSource.close();
  }

  @Test
  void theReleaseBeforeOrganizationsMigratesWithEveryAmountKeptAndEachUserOwningTheirAccount()
      throws Exception {
    BillingMigrations.run(dataSource, MigrationVersion.fromVersion("24"));
    execute(fixture());
    Map<String, List<List<Object>>> before = money("billing_usage_records");

    BillingMigrations.run(dataSource, MigrationVersion.LATEST);

    // each record's invoice, stored until V32, is read by its rule since (V32__usage_claims)
    assertEquals(before, money("billing_usage_billed"));
    assertEquals(
        List.of(List.of("ann", "INV-2026-000042", "sent", "30.09", "10.00", "20.09", "20.09")),
        before.get("invoices"));
    assertEquals(List.of(List.of("ann", "25.00", "15.00", "10.00")), before.get("credits"));
    assertEquals(
        List.of(Arrays.asList("ann", true, null, null), Arrays.asList("bob", true, null, null)),
        rows("SELECT user_id, personal, name, closed_at FROM billing_accounts ORDER BY 1"));
    Memberships memberships = new Memberships(dataSource);
    assertEquals(Optional.of(MemberRole.OWNER), memberships.roleOf("ann", "ann"));
    assertEquals(Optional.of(MemberRole.OWNER), memberships.roleOf("bob", "bob"));
    assertEquals(Optional.empty(), memberships.roleOf("ann", "bob"));
    assertEquals(List.of(), memberships.membersOf("ann"));
    assertEquals(
        List.of(List.of("s-ann", "ann", "ann", true), List.of("s-bob", "bob", "bob", true)),
        rows("SELECT session_id, user_id, org_id, org_fixed FROM billing_sessions ORDER BY 1"));
    assertEquals(
        List.of(List.of("r-ann", "ann", "ann"), List.of("r-bob", "bob", "bob")),
        rows("SELECT event_id, user_id, org_id FROM billing_usage_reports ORDER BY 1"));
  }

  /** @param usage where each usage record's invoice is read */
  private Map<String, List<List<Object>>> money(String usage) throws SQLException {
    Map<String, List<List<Object>>> state = new TreeMap<>();
    for (Map.Entry<String, String> query : MONEY.entrySet()) {
      state.put(query.getKey(), rows(query.getValue().formatted(usage)));
    }
    return state;
  }

  private static String fixture() throws IOException {
    try (InputStream in = OrganizationsMigrationTest.class.getResourceAsStream("v24-release.sql")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private List<List<Object>> rows(String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
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

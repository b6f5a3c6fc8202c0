package io.streamspace.billing.admin;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.config.CronValidator;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.quota.QuotaReadings;
import io.streamspace.billing.quota.Quotas;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.InvoiceFixtures;
import io.streamspace.billing.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a page of {@code GET /admin/users} costs: the quota state it shows is judged for the
 * page's accounts only, however many accounts there are.
 */
class AccountOverviewPlanTest {

  private static final BillingConfig CONFIG =
      new BillingConfigParser(CronValidator.fiveFields()).parse("{}").config();

  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void aPageJudgesTheQuotasAndReadsTheInvoicesOfItsOwnAccountsOnly_neverEveryAccounts()
      throws Exception {
    for (int i = 0; i < 40; i++) {
      String user = "user-%02d".formatted(i);
      billing.userCreated(user, Map.of());
      billing.created("2026-03-01T00:00:00Z", "s" + i, user, size("1", "1", "0"));
    }
    billing.flush();
    for (int i = 0; i < 40; i++) {
      String user = "user-%02d".formatted(i);
      InvoiceFixtures.invoice(
          user,
          "2026-02-01T00:00:00Z",
          "2026-03-01T00:00:00Z",
          "sent",
          "INV-2026-%06d".formatted(i + 1),
          "USD",
          "1",
          "0",
          "1",
          "2026-03-15T00:00:00Z",
          null);
    }

    String plan =
        explainPage(
            new AccountOverviewQueries.Filter(
                null, null, null, null, null, null, AccountOrder.USER_ID, false));

    assertFalse(plan.contains("CTE"), "no expression materialized for every account:\n" + plan);
    assertEquals(
        5,
        rowsRead(plan, "billing_sessions"),
        "the open sessions of the page's 5 accounts:\n" + plan);
    // each invoice is read twice, for the outstanding balance and for the revenue
    assertEquals(
        10, rowsRead(plan, "billing_invoices"), "the invoices of the page's 5 accounts:\n" + plan);
  }

  /** How many rows of the table the plan read: Σ actual rows × loops of its scans. */
  private static int rowsRead(String plan, String table) {
    Matcher scan =
        Pattern.compile(" on " + table + " \\w+ .*\\(actual [^)]* rows=(\\d+) loops=(\\d+)\\)")
            .matcher(plan);
    int rows = 0;
    while (scan.find()) {
      rows += Integer.parseInt(scan.group(1)) * Integer.parseInt(scan.group(2));
    }
    return rows;
  }

  /** The plan PostgreSQL ran for a page of 5, as EXPLAIN ANALYZE prints it. */
  private String explainPage(AccountOverviewQueries.Filter filter) throws Exception {
    Quotas quotas =
        new Quotas(new QuotaReadings(TestDatabase.dataSource()), () -> CONFIG, billing.clock);
    NamedSql explain =
        NamedSql.of(
            "EXPLAIN ANALYZE "
                + AccountOverviewQueries.pageSql(
                    filter.order(), filter.descending() ? "DESC" : "ASC"));
    try (Connection connection = TestDatabase.dataSource().getConnection();
        PreparedStatement statement =
            AccountOverviewQueries.bound(explain, filter, 5, 0, quotas.judgedMeters())
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      StringBuilder plan = new StringBuilder();
      while (rs.next()) {
        plan.append(rs.getString(1)).append('\n');
      }
      return plan.toString();
    }
  }
}

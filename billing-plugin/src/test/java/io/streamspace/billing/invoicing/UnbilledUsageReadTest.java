package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an invoice reads to find its usage: the account's unbilled records, not the invoiced
 * ones of its history (a draft's preview runs this on every read of the draft).
 */
class UnbilledUsageReadTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void theFloorOfAnInvoiceIsReadFromTheUnbilledRecordsAlone_notFromTheInvoicedHistory()
      throws Exception {
    billing.created("2026-03-01T00:00:00Z", "s1", "alice", size("1", "2", "0"));
    billing.terminated("2026-04-01T00:00:00Z", "s1", "alice");
    billing.calculateUsageAt("2026-04-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z"); // March's 1,488 records claimed
    billing.created("2026-04-01T01:00:00Z", "s2", "alice", size("1", "2", "0"));
    billing.terminated("2026-04-01T05:00:00Z", "s2", "alice");
    billing.calculateUsageAt("2026-04-01T06:00:00Z"); // April's 8 records, unbilled
    assertEquals(
        1_488L,
        value("SELECT count(*) FROM billing_usage_records WHERE invoice_id IS NOT NULL"),
        "March is invoiced");
    assertEquals(
        8L,
        value("SELECT count(*) FROM billing_usage_records WHERE invoice_id IS NULL"),
        "April is not");

    String plan = explainFloor("alice", at("2026-05-01T00:00:00Z").toString());

    assertTrue(plan.contains("billing_usage_records_unbilled"), plan);
    assertFalse(plan.contains("Rows Removed by Filter"), plan);
  }

  /** The floor statement's plan as PostgreSQL ran it, with statistics as autovacuum keeps them. */
  private static String explainFloor(String userId, String periodEnd) throws Exception {
    try (Connection connection = TestDatabase.dataSource().getConnection()) {
      try (Statement analyze = connection.createStatement()) {
        analyze.execute("ANALYZE billing_usage_records");
      }
      try (PreparedStatement explain =
          connection.prepareStatement("EXPLAIN ANALYZE " + InvoiceCalculator.FLOOR.jdbcSql())) {
        explain.setString(1, userId);
        explain.setTimestamp(2, Timestamp.from(at(periodEnd)));
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = explain.executeQuery()) {
          while (rs.next()) {
            plan.append(rs.getString(1)).append('\n');
          }
        }
        return plan.toString();
      }
    }
  }
}

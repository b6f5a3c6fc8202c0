package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.jobs.RollUpUsageJob;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.ZoneId;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an invoice reads to find its usage: the account's unclaimed records, not the invoiced
 * ones of its history (a draft's preview runs this on every read of the draft).
 */
class UnbilledUsageReadTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void anInvoiceReadsOnlyTheUnclaimedRecords_notTheInvoicedHistory() throws Exception {
    marchInvoicedAfterTwoYearsOfHistory_aprilRatedSinceForFourHours();
    assertEquals(
        19_008L,
        value("SELECT count(*) FROM billing_usage_billed WHERE invoice_id IS NOT NULL"),
        "March and the history before it are invoiced");
    assertEquals(
        8L,
        value("SELECT count(*) FROM billing_usage_billed WHERE invoice_id IS NULL"),
        "April is not");

    // April's records are read from March's period end on (the primary key) and none of the
    // history through the runs' index (its runs are those March's claim covers): 8 rows in all
    JsonNode plan = explainApril("alice");
    assertEquals(8L, recordsRead(plan), plan::toPrettyString);
  }

  /**
   * With the daily usage rollup built, April's whole days are its sums: April 1's 8 records (4
   * hours of cpu and of memory) are 2 rows of the rollup, and the read takes no record, but the
   * 2 rated after the roll-up (an hour more of cpu and memory: the tail, by the runs' index).
   */
  @Test
  void throughTheRollupAnInvoiceReadsItsDaysSums_andOnlyTheRecordsRatedSince() throws Exception {
    marchInvoicedAfterTwoYearsOfHistory_aprilRatedSinceForFourHours();
    billing.runAt(RollUpUsageJob.NAME, "2026-04-01T06:01:00Z");

    JsonNode plan = explainApril("alice");
    assertEquals(0L, recordsRead(plan), plan::toPrettyString);
    assertEquals(2L, rowsRead(plan, "billing_usage_daily"), plan::toPrettyString);

    billing.created("2026-04-02T01:00:00Z", "s3", "alice", size("1", "2", "0"));
    billing.terminated("2026-04-02T02:00:00Z", "s3", "alice");
    billing.calculateUsageAt("2026-04-02T03:00:00Z");
    plan = explainApril("alice");
    assertEquals(2L, recordsRead(plan), plan::toPrettyString);
  }

  /**
   * alice's March (a core and 2 GB all month) and two years of history before it (730 days × 24
   * = 17,520 records, seeded), invoiced together: 19,008 records; then 4 hours of April rated (8
   * records), not invoiced.
   */
  private void marchInvoicedAfterTwoYearsOfHistory_aprilRatedSinceForFourHours() {
    billing.created("2026-03-01T00:00:00Z", "s1", "alice", size("1", "2", "0"));
    billing.terminated("2026-04-01T00:00:00Z", "s1", "alice");
    billing.calculateUsageAt("2026-04-01T01:00:00Z");
    // two years of history before it (730 days × 24 = 17,520 records, seeded), billed with March
    value(
        """
        INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
            slice_end, unit_seconds, unit, unit_price, currency, created_at, rating_run)
        SELECT 'alice', 'old', 'cpu', h, h + interval '1 hour', 3600, 'core-hours', 0.05,
               'USD', h, 0
        FROM generate_series(timestamptz '2024-03-01Z', timestamptz '2026-02-28T23:00Z',
                             interval '1 hour') h
        RETURNING 1""");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z"); // 19,008 records claimed
    billing.created("2026-04-01T01:00:00Z", "s2", "alice", size("1", "2", "0"));
    billing.terminated("2026-04-01T05:00:00Z", "s2", "alice");
    billing.calculateUsageAt("2026-04-01T06:00:00Z"); // April's 8 records, unbilled
  }

  /** The rows every scan of billing_usage_records in the plan returned or filtered out. */
  private static long recordsRead(JsonNode node) {
    return rowsRead(node, "billing_usage_records");
  }

  /** The rows every scan of {@code table} in the plan returned or filtered out. */
  private static long rowsRead(JsonNode node, String table) {
    long read = 0;
    if (table.equals(node.path("Relation Name").asText())) {
      read +=
          node.path("Actual Loops").asLong()
                  * (node.path("Actual Rows").asLong()
                      + node.path("Rows Removed by Filter").asLong())
              + node.path("Rows Removed by Index Recheck").asLong();
    }
    for (JsonNode child : node.path("Plans")) {
      read += rowsRead(child, table);
    }
    return read;
  }

  /** The preview statement of April's invoice, as PostgreSQL ran it. */
  private static JsonNode explainApril(String userId) throws Exception {
    Invoice april =
        new Invoice(
            0,
            null,
            userId,
            at("2026-04-01T00:00:00Z"),
            at("2026-05-01T00:00:00Z"),
            InvoiceStatus.DRAFT,
            Currency.getInstance("USD"),
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    try (Connection connection = TestDatabase.dataSource().getConnection()) {
      try (Statement analyze = connection.createStatement()) {
        analyze.execute("ANALYZE billing_usage_records");
      }
      // the billing zone's id, as the config's (the rollup is of the zone named so)
      BillingPeriods periods = new BillingPeriods(1, ZoneId.of("UTC"));
      try (PreparedStatement explain =
              UsageClaims.bind(
                      NamedSql.of("EXPLAIN (ANALYZE, FORMAT JSON) " + UsageClaims.PEEK_SQL),
                      connection,
                      List.of(april),
                      UsageClaims.EVERY_RUN,
                      null,
                      i -> false,
                      BillingMode.USAGE,
                      UsageClaims.bounds(List.of(april), periods),
                      periods.zone())
                  .prepare(connection);
          ResultSet rs = explain.executeQuery()) {
        rs.next();
        return new ObjectMapper().readTree(rs.getString(1)).get(0).get("Plan");
      }
    }
  }
}

package io.streamspace.billing.rating;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.HttpMethod;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code GET /usage/daily} reads: the account's records of the days asked for, from the
 * key's range, not its whole history.
 */
class DailyUsageReadTest {

  private final BillingHarness billing = new BillingHarness(at("2026-02-01T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void theLastDaysAreReadFromAnIndexRangeOfTheAccountsRecords_notFromItsHistory() throws Exception {
    billing.created("2026-02-01T00:00:00Z", "s1", "alice", size("1", "0", "0"));
    billing.terminated("2026-04-01T00:00:00Z", "s1", "alice");
    billing.calculateUsageAt("2026-03-01T00:00:00Z"); // a run rates a bounded span
    billing.calculateUsageAt("2026-04-01T01:00:00Z");
    long records = (Long) value("SELECT count(*) FROM billing_usage_records");
    assertTrue(records > 1_400, "about 59 days of hourly slices: " + records);
    // the route answers the 3 days March 30 (24 core-hours), March 31 and April 1
    assertEquals(
        "24",
        billing
            .call(HttpMethod.GET, "/usage/daily?days=3", user("alice"))
            .body()
            .at("/days/0/resources/0/quantity")
            .toString());

    String plan =
        explainDays("alice", new SliceCuts(ZoneOffset.UTC).daysUpTo(LocalDate.of(2026, 4, 1), 3));

    assertTrue(plan.contains("billing_usage_records_slice"), plan);
    assertFalse(plan.contains("Seq Scan"), plan);
    assertFalse(plan.contains("Rows Removed by Filter"), plan);
  }

  /** The statement's plan as PostgreSQL ran it, with statistics as autovacuum keeps them. */
  private static String explainDays(String userId, List<Instant> bounds) throws Exception {
    try (Connection connection = TestDatabase.dataSource().getConnection()) {
      try (Statement analyze = connection.createStatement()) {
        analyze.execute("ANALYZE billing_usage_records");
      }
      try (PreparedStatement explain =
          connection.prepareStatement(
              "EXPLAIN ANALYZE " + UsageRecordRepository.RANGE_SUMS.jdbcSql())) {
        // the parameters in the order they appear: bounds, then user_id, from and to of the
        // usage records and again of the corrections' usage kept beside invoices
        explain.setArray(1, SqlArrays.instants(connection, bounds));
        for (int read = 0; read < 2; read++) {
          explain.setString(2 + 3 * read, userId);
          explain.setTimestamp(3 + 3 * read, Timestamp.from(bounds.get(0)));
          explain.setTimestamp(4 + 3 * read, Timestamp.from(bounds.get(bounds.size() - 1)));
        }
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

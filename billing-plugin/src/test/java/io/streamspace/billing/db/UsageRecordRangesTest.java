package io.streamspace.billing.db;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The usage records' BRIN indexes, on their run and on their slice's start, find a run's (an
 * hour's) own pages even after a later run has put records among an earlier run's pages, as it
 * does wherever a VACUUM has left room: here, the room of the old versions of records a void
 * re-stamped. Each index keeps the values of 32 pages as several intervals (V98), so the earlier
 * run's pages, holding runs 1 and 4 (and some of the re-stamped run 3), match no query for run 2
 * or its hour; with one interval from the least value to the greatest they did.
 */
class UsageRecordRangesTest {

  // a run's records, each in the hour the run rated: enough for a few ranges of 32 pages
  private static final String RUN =
      """
      INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
          slice_end, unit_seconds, unit, unit_price, currency, created_at, rating_run)
      SELECT 'org-' || n, 's-' || n, 'cpu', h, h + interval '1 hour', 3600, 'core-hours', 0.05,
             'USD', h + interval '1 hour', %1$d
      FROM generate_series(1, %2$d) n
      CROSS JOIN (SELECT timestamptz '2026-03-01' + %1$d * interval '1 hour' AS h) x""";

  // the 32-page ranges that hold the records matching a condition, as BRIN summarizes them
  private static final String RANGES =
      """
      SELECT (ctid::text::point)[0]::bigint / 32 AS range FROM billing_usage_records WHERE %s""";

  @BeforeAll
  static void schema() {
    BillingMigrations.run(TestDatabase.dataSource());
  }

  @Test
  void aLaterRunAmongAnEarlierRunsPagesLeavesTheRunAndTheHourBetweenToTheirOwnPages()
      throws SQLException {
    TestDatabase.clean();
    TestDatabase.execute(RUN.formatted(1, 6_000));
    TestDatabase.execute(RUN.formatted(2, 6_000));
    // a void re-stamps one record in twenty of run 1's (their new versions go to the end), and
    // a VACUUM leaves the old versions' room in run 1's pages for the next insert
    TestDatabase.execute(
        "UPDATE billing_usage_records SET rating_run = 3"
            + " WHERE rating_run = 1 AND substr(user_id, 5)::int % 20 = 0");
    TestDatabase.execute("VACUUM billing_usage_records");
    TestDatabase.execute(RUN.formatted(4, 300));
    TestDatabase.execute("VACUUM ANALYZE billing_usage_records");

    try (Connection connection = TestDatabase.dataSource().getConnection()) {
      String run2Ranges = RANGES.formatted("rating_run = 2");
      long strayRanges =
          count(
              connection,
              "SELECT count(DISTINCT range) FROM (%s) r"
                      .formatted(RANGES.formatted("rating_run = 4"))
                  + " WHERE range < (SELECT min(range) FROM (%s) x)".formatted(run2Ranges));
      assertTrue(strayRanges >= 3, "run 4 is in " + strayRanges + " of run 1's ranges");
      long run2Pages =
          count(connection, "SELECT count(DISTINCT range) * 32 FROM (%s) r".formatted(run2Ranges));

      long byRun =
          UsageRecordIndexes.RUN.pagesRead(connection, "rating_run > 1 AND rating_run <= 2");
      long byHour =
          UsageRecordIndexes.SLICE_START.pagesRead(
              connection,
              "slice_start >= timestamptz '2026-03-01 02:00'"
                  + " AND slice_start < timestamptz '2026-03-01 03:00'");

      assertTrue(byRun <= run2Pages, "read " + byRun + " pages, run 2's ranges " + run2Pages);
      assertTrue(byHour <= run2Pages, "read " + byHour + " pages, hour 2's ranges " + run2Pages);
    }
  }

  private static long count(Connection connection, String query) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}

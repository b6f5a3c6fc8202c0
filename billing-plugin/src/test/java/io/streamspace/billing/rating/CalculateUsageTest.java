package io.streamspace.billing.rating;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.slices;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.config.CronValidator;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.hibernation.Hibernation;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.pace.BackgroundLane;
import io.streamspace.billing.pace.OtherWork;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.InvoiceFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.billing.support.TestPluginContext;
import io.streamspace.plugin.api.event.SessionActivity;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.jobs.JobRun;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** calculate-usage against real PostgreSQL, with figures worked out by hand. */
class CalculateUsageTest {

  private BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  /** A harness of its own for the test: from {@code start}, with {@code config}. */
  private void startOver(String start, String config) {
    billing.close();
    billing = new BillingHarness(at(start), config);
  }

  @Test
  void slicesAreCutAtHourBoundariesWithMidHourStartAndEnd() {
    billing.created("2026-03-02T10:15:00Z", "s1", "alice", size("2", "4", "0"));
    billing.terminated("2026-03-02T12:30:00Z", "s1", "alice");

    billing.calculateUsageAt("2026-03-02T13:00:00Z");

    // 45 min, 60 min, 30 min of 2 cores and 4 GB
    assertEquals(
        List.of(
            "cpu 2026-03-02T10:15:00Z..2026-03-02T11:00:00Z 1.5",
            "cpu 2026-03-02T11:00:00Z..2026-03-02T12:00:00Z 2",
            "cpu 2026-03-02T12:00:00Z..2026-03-02T12:30:00Z 1",
            "memory 2026-03-02T10:15:00Z..2026-03-02T11:00:00Z 3",
            "memory 2026-03-02T11:00:00Z..2026-03-02T12:00:00Z 4",
            "memory 2026-03-02T12:00:00Z..2026-03-02T12:30:00Z 2"),
        slices("alice"));
    assertEquals(
        List.of("5400", "core-hours", "0.05"),
        BillingHarness.rows(
                "SELECT unit_seconds, unit, unit_price FROM billing_usage_records "
                    + "WHERE resource_type = 'cpu' AND slice_start = '2026-03-02T10:15:00Z'")
            .get(0)
            .stream()
            .map(CalculateUsageTest::plain)
            .toList(),
        "2 cores x 2,700 s, stored exactly with the price per core-hour");
  }

  @Test
  void anOpenSessionRatesOnlyWholeSlicesSettledBeforeTheLatenessWindow() {
    billing.created("2026-03-02T10:15:00Z", "s1", "alice", size("1", "0", "0"));
    billing.heartbeat("2026-03-02T12:05:00Z", "s1", "alice", null);

    // settle point = least(last heartbeat 12:05, now 12:08 - 10 min) = 11:58: only [10:15, 11:00)
    billing.calculateUsageAt("2026-03-02T12:08:00Z");
    assertEquals(List.of("cpu 2026-03-02T10:15:00Z..2026-03-02T11:00:00Z 0.75"), slices("alice"));

    billing.heartbeat("2026-03-02T13:20:00Z", "s1", "alice", null);
    billing.calculateUsageAt("2026-03-02T13:25:00Z");
    assertEquals(
        List.of(
            "cpu 2026-03-02T10:15:00Z..2026-03-02T11:00:00Z 0.75",
            "cpu 2026-03-02T11:00:00Z..2026-03-02T12:00:00Z 1",
            "cpu 2026-03-02T12:00:00Z..2026-03-02T13:00:00Z 1"),
        slices("alice"));
  }

  /**
   * A run skips the subjects already rated up to the last cut before its cap, except a session
   * whose end is settled: alice's, rated up to 11:00 by the run at 11:15 (cap 11:05), ends at
   * 11:20, and the run at 11:40 (cap 11:30, last cut 11:00) rates its last 20 minutes, while her
   * storage, rated up to 11:00 too, has nothing new.
   */
  @Test
  void aSessionRatedUpToTheLastCutStillRatesItsSettledEnd() {
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("1", "0", "10"));
    billing.heartbeat("2026-03-02T11:10:00Z", "s1", "alice", null);
    billing.calculateUsageAt("2026-03-02T11:15:00Z");
    billing.terminated("2026-03-02T11:20:00Z", "s1", "alice");

    JobRun end = billing.calculateUsageAt("2026-03-02T11:40:00Z");

    assertEquals(1, end.rowsTouched(), "cpu for [11:00, 11:20); storage waits for 12:00");
    // 1 core over 3,600 s then 1,200 s; 10 GB over 3,600 s
    assertEquals(
        List.of(
            "cpu 2026-03-02 10:00 3600",
            "cpu 2026-03-02 11:00 1200",
            "storage 2026-03-02 10:00 36000"),
        BillingHarness.rows(
                """
            SELECT resource_type, to_char(slice_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
                   unit_seconds
            FROM billing_usage_records ORDER BY 1, 2""")
            .stream()
            .map(r -> r.get(0) + " " + r.get(1) + " " + plain(r.get(2)))
            .toList());
  }

  @Test
  void aSessionAcrossTheInvoiceDayMidnightSplitsExactlyAtTheBoundary() {
    // midnight of the 15th in Kolkata (+05:30) is 2026-03-14T18:30Z, not on a UTC hour
    startOver(
        "2026-03-14T00:00:00Z", "{\"invoiceDay\": 15, \"billingTimeZone\": \"Asia/Kolkata\"}");
    billing.created("2026-03-14T17:00:00Z", "s1", "alice", size("1", "0", "0"));
    billing.terminated("2026-03-14T20:00:00Z", "s1", "alice");

    billing.calculateUsageAt("2026-03-14T21:00:00Z");

    assertEquals(
        List.of(
            "cpu 2026-03-14T17:00:00Z..2026-03-14T18:00:00Z 1",
            "cpu 2026-03-14T18:00:00Z..2026-03-14T18:30:00Z 0.5",
            "cpu 2026-03-14T18:30:00Z..2026-03-14T19:00:00Z 0.5",
            "cpu 2026-03-14T19:00:00Z..2026-03-14T20:00:00Z 1"),
        slices("alice"));
  }

  @Test
  void aSessionAcrossMidnightInAHalfHourZoneIsCutAtMidnightSoThatDatesAreExact() {
    // midnight of the 15th in Kolkata (+05:30) is 2026-03-14T18:30Z; invoice day 1: no period
    // starts there, the slices are cut at it all the same
    startOver("2026-03-14T00:00:00Z", "{\"billingTimeZone\": \"Asia/Kolkata\"}");
    billing.created("2026-03-14T18:00:00Z", "s1", "alice", size("1", "0", "0"));
    billing.terminated("2026-03-14T19:30:00Z", "s1", "alice");

    billing.calculateUsageAt("2026-03-14T21:00:00Z");

    assertEquals(
        List.of(
            "cpu 2026-03-14T18:00:00Z..2026-03-14T18:30:00Z 0.5",
            "cpu 2026-03-14T18:30:00Z..2026-03-14T19:00:00Z 0.5",
            "cpu 2026-03-14T19:00:00Z..2026-03-14T19:30:00Z 0.5"),
        slices("alice"));
  }

  @Test
  void anOpenSessionIsRatedUpToAMidnightOffTheHourWhenItIsTheLastCutBeforeTheSettlePoint() {
    // midnight of the 15th in Kolkata (+05:30) is 2026-03-14T18:30Z; the run at 18:50Z settles
    // up to 18:40Z (10 minutes' timeout): the last cut before it is the midnight, not 18:00Z
    startOver("2026-03-14T00:00:00Z", "{\"billingTimeZone\": \"Asia/Kolkata\"}");
    billing.created("2026-03-14T17:15:00Z", "s1", "alice", size("1", "0", "0"));
    billing.heartbeat("2026-03-14T18:48:00Z", "s1", "alice", null);

    billing.calculateUsageAt("2026-03-14T18:50:00Z");

    assertEquals(
        List.of(
            "cpu 2026-03-14T17:15:00Z..2026-03-14T18:00:00Z 0.75",
            "cpu 2026-03-14T18:00:00Z..2026-03-14T18:30:00Z 0.5"),
        slices("alice"));
    assertEquals(
        java.sql.Timestamp.from(at("2026-03-14T18:30:00Z")),
        value("SELECT rated_until FROM billing_sessions"));
  }

  /**
   * One run rates at most 31 days (744 hours) of a session: alice's, created 35 days before the
   * run at 10:00 (settle point 09:50) with 1 core, has 849 whole hours to rate: 744 in the
   * first run, up to 2026-02-26 00:00, the other 105 in the next. The job says what is left:
   * her session and her (empty) storage, 106 hours each (to 09:50).
   */
  @Test
  void aSessionCreated35DaysAgoIsRatedAMonthPerRun() {
    billing.created("2026-01-26T00:00:00Z", "old", "alice", size("1", "0", "0"));
    billing.heartbeat("2026-03-02T09:55:00Z", "old", "alice", null);

    JobRun first = billing.calculateUsageAt("2026-03-02T10:00:00Z");
    Object firstWatermark = value("SELECT rated_until FROM billing_sessions");
    JobRun second = billing.calculateUsageAt("2026-03-02T10:00:00Z");

    assertEquals(744, first.rowsTouched());
    assertEquals(java.sql.Timestamp.from(at("2026-02-26T00:00:00Z")), firstWatermark);
    assertTrue(
        first
            .message()
            .contains("; 2 sessions or accounts have 212 hours left to rate, for the next runs;"),
        first.message());
    assertEquals(105, second.rowsTouched());
    assertTrue(
        second.message().contains("closed 0 timed-out sessions; rated in"), second.message());
    assertEquals(
        "3056400",
        plain(value("SELECT sum(unit_seconds) FROM billing_usage_records")),
        "849 core-hours");
  }

  /**
   * A backlog larger than one run's bound is worked off over successive runs, each within the
   * bound, to exactly what one unbounded run rates. At 10:00 (settle point 09:50) alice's session
   * created 35 days ago (2026-01-26 00:00; 1 core, 2 GB, 10 GB stored) has 849 whole hours to
   * rate, as has her storage; bob's session from 08:00 has one. The bound is 100 hours of
   * unrated time per run: up to 09:50, bob's session and storage have 1 h 50 min each and
   * alice's two 849 h 50 min each, so bob's fit whole (3 h 40 min) and alice's two share the
   * other 96 h 20 min: 48 whole hours each in the first run. Whole, alice's cpu is 849
   * core-hours, memory 1,698 GB-hours, storage 8,490 GB-hours (30,564,000 GB-seconds); bob's cpu
   * 1 core-hour.
   */
  @Test
  void aBacklogLargerThanOneRunsBoundIsRatedOverSeveralRunsToTheUnboundedTotals() throws Exception {
    billing.created("2026-01-26T00:00:00Z", "old", "alice", size("1", "2", "10"));
    billing.heartbeat("2026-03-02T09:55:00Z", "old", "alice", null);
    billing.created("2026-03-02T08:00:00Z", "new", "bob", size("1", "0", "0"));
    billing.heartbeat("2026-03-02T09:55:00Z", "new", "bob", null);
    billing.flush();
    var config = io.streamspace.billing.config.BillingConfig.defaults();
    var now = at("2026-03-02T10:00:00Z");
    UsageCalculator bounded =
        new UsageCalculator(billing.context.dataSource(), 100, UsageCalculator.HOURS_PER_SUBJECT);

    UsageCalculator.Outcome first = bounded.run(config, now);
    assertEquals(List.of("alice 48", "bob 1"), hoursRatedPerUser());
    assertEquals(48 * 3 + 1, first.recordsInserted(), "alice: cpu, memory, storage per hour");
    // left: 849 - 48 = 801 whole hours and the 50 minutes before the settle point, twice
    assertTrue(
        first
            .summary()
            .endsWith("; 2 sessions or accounts have 1604 hours left to rate, for the next runs"),
        first.summary());

    int runs = 1;
    for (UsageCalculator.Outcome run = first; run.subjectsBehind() > 0; runs++) {
      BigDecimal before = hoursRated();
      run = bounded.run(config, now);
      assertTrue(
          hoursRated().subtract(before).compareTo(BigDecimal.valueOf(100)) <= 0,
          "run " + (runs + 1) + ": " + run.summary());
    }
    List<String> boundedSlices = slices("alice");
    assertEquals(
        1 + 16 + 1,
        runs,
        "then 49 hours each per run ((100 - 2 x 50 min) / 2; bob's "
            + "have 50 min each left, nothing to rate before 10:00): 801 = 16 x 49 + 17");

    TestDatabase.execute(
        """
        DELETE FROM billing_usage_records;
        UPDATE billing_sessions SET rated_until = NULL, settled = false;
        UPDATE billing_accounts SET storage_rated_until = NULL""");
    new UsageCalculator(billing.context.dataSource(), Integer.MAX_VALUE, Integer.MAX_VALUE)
        .run(config, now);

    assertEquals(boundedSlices, slices("alice"));
    assertEquals(
        List.of(
            "alice cpu 3056400", "alice memory 6112800", "alice storage 30564000", "bob cpu 3600"),
        BillingHarness.rows(
                """
            SELECT user_id, resource_type, sum(unit_seconds) FROM billing_usage_records
            GROUP BY 1, 2 ORDER BY 1, 2""")
            .stream()
            .map(r -> r.get(0) + " " + r.get(1) + " " + plain(r.get(2)))
            .toList());
  }

  /** Hours of time rated: of the slices of all subjects, whatever their resources. */
  private static BigDecimal hoursRated() {
    return (BigDecimal)
        value(
            """
        SELECT coalesce(extract(epoch FROM sum(slice_end - slice_start)) / 3600, 0)
        FROM (SELECT DISTINCT user_id, session_id, slice_start, slice_end
              FROM billing_usage_records) s""");
  }

  /** The most hours rated of any one subject of each user. */
  private static List<String> hoursRatedPerUser() {
    return BillingHarness.rows(
            """
        SELECT user_id, max(n) FROM (
          SELECT user_id, session_id, count(DISTINCT date_trunc('hour', slice_start)) AS n
          FROM billing_usage_records GROUP BY 1, 2) t
        GROUP BY 1 ORDER BY 1""")
        .stream()
        .map(r -> r.get(0) + " " + r.get(1))
        .toList();
  }

  @Test
  void aRunRatesEachAccountWhollyInOneOfItsConcurrentTransactionsAsOneTransactionWould()
      throws Exception {
    for (int i = 0; i < 12; i++) {
      billing.created("2026-03-02T08:00:00Z", "s" + i, "user" + i, size("1", "2", "10"));
      billing.heartbeat("2026-03-02T09:55:00Z", "s" + i, "user" + i, null);
    }
    billing.flush();
    var config = io.streamspace.billing.config.BillingConfig.defaults();
    var now = at("2026-03-02T10:00:00Z");
    UsageCalculator threeWays =
        new UsageCalculator(
            billing.context.dataSource(),
            UsageCalculator.HOURS_PER_RUN,
            UsageCalculator.HOURS_PER_SUBJECT,
            3,
            UsageCalculator.CHUNK_SUBJECTS,
            0);

    UsageCalculator.Outcome outcome = threeWays.run(config, now);

    assertEquals(
        new UsageCalculator.Outcome(0, 12 * 3, 12, 12, 0, 0), outcome, "cpu, memory, storage");
    assertEquals(List.of(List.of(12L, 12L, 24L, 120L)), perUserHours());
    // each transaction leaves its id (xmin) on the rows it wrote: three of them, and each
    // account's records and watermarks are all from one
    assertEquals(3L, value("SELECT count(DISTINCT xmin::text) FROM billing_usage_records"));
    assertEquals(
        0L,
        value(
            """
            SELECT count(*) FROM billing_accounts a JOIN billing_sessions s USING (user_id)
            WHERE s.xmin::text <> a.xmin::text OR EXISTS (SELECT 1 FROM billing_usage_records r
                WHERE r.user_id = a.user_id AND r.xmin::text <> a.xmin::text)"""));
    assertEquals(new UsageCalculator.Outcome(0, 0, 0, 0, 0, 0), threeWays.run(config, now));
  }

  /**
   * A run in chunks of about 3 sessions and accounts rates each account wholly in one chunk's
   * transaction, each chunk committed on its own: a chunk that fails (here a trigger refusing
   * user7's records, as a crash would) leaves the chunks committed before it and loses nothing of
   * its own, and the next run rates what is left, doubling nothing. What the chunks rate, in all,
   * is what one transaction rates, to the last unit-second and price.
   */
  @Test
  void aRunInChunksCommitsEachAndACrashBetweenThemLosesAndDoublesNothing() throws Exception {
    for (int i = 0; i < 12; i++) {
      billing.created("2026-03-02T07:20:00Z", "s" + i, "user" + i, size("1", "2", "10"));
      billing.heartbeat("2026-03-02T08:30:00Z", "s" + i, "user" + i, size("2", "2", "10"));
      billing.heartbeat("2026-03-02T09:55:00Z", "s" + i, "user" + i, null);
    }
    billing.created("2026-03-02T08:10:00Z", "s1b", "user1", size("4", "8", "0"));
    billing.terminated("2026-03-02T08:40:00Z", "s1b", "user1");
    billing.flush();
    var config = io.streamspace.billing.config.BillingConfig.defaults();
    var now = at("2026-03-02T10:00:00Z");
    UsageCalculator inChunks =
        new UsageCalculator(
            billing.context.dataSource(),
            UsageCalculator.HOURS_PER_RUN,
            UsageCalculator.HOURS_PER_SUBJECT,
            2,
            3,
            0);
    TestDatabase.execute(
        """
        CREATE FUNCTION refuse_user7() RETURNS trigger LANGUAGE plpgsql AS
          $$BEGIN RAISE EXCEPTION 'the crash'; END$$;
        CREATE TRIGGER refuse_user7 BEFORE INSERT ON billing_usage_records
          FOR EACH ROW WHEN (NEW.user_id = 'user7') EXECUTE FUNCTION refuse_user7()""");

    // 25 subjects, 3 a chunk: 9 chunks of account ids, [user6, user8) the 7th, rated beside the
    // 8th, [user8, user9); the run stops there, and the 9th, [user9, ...), is never rated
    assertThrows(java.sql.SQLException.class, () -> inChunks.run(config, now));
    assertEquals(
        9L,
        value("SELECT count(DISTINCT user_id) FROM billing_usage_records"),
        "the chunks committed before and beside the one that failed stay");
    assertEquals(
        0L,
        value("SELECT count(*) FROM billing_usage_records WHERE user_id IN ('user6', 'user7')"));
    TestDatabase.execute("DROP TRIGGER refuse_user7 ON billing_usage_records");
    TestDatabase.execute("DROP FUNCTION refuse_user7");
    long began = System.nanoTime();
    RatingReport rest = inChunks.runInChunks(config, now);
    long wall = System.nanoTime() - began;
    List<List<Object>> chunked = records();

    // its own time and the rest (its pacing) make up its wall time, neither below nothing
    assertTrue(rest.own().toNanos() > 0 && rest.paused().toNanos() >= 0, rest.summary());
    assertTrue(rest.own().plus(rest.paused()).toNanos() <= wall, rest.summary());

    // what is left: user6's, user7's and user9's sessions and storage, in 2 chunks at once
    assertEquals(3, rest.outcome().sessionsRated(), rest.summary());
    assertEquals(2, rest.chunks(), rest.summary());
    assertTrue(
        (Long) value("SELECT count(DISTINCT xmin::text) FROM billing_usage_records") >= 8,
        "a transaction per chunk");
    assertEquals(12 * 3 * 2 + 2, chunked.size(), "[07:20, 08:00) and [08:00, 09:00) each");
    assertEquals(
        0L,
        value(
            """
            SELECT count(*) FROM billing_accounts a JOIN billing_sessions s ON s.org_id = a.user_id
            WHERE s.xmin::text <> a.xmin::text OR EXISTS (SELECT 1 FROM billing_usage_records r
                WHERE r.user_id = a.user_id AND r.xmin::text <> a.xmin::text)"""),
        "each account's records and watermarks from one chunk's transaction");
    TestDatabase.execute(
        """
        DELETE FROM billing_usage_records;
        UPDATE billing_sessions SET rated_until = NULL, settled = false;
        UPDATE billing_accounts SET storage_rated_until = NULL""");
    UsageCalculator inOne =
        new UsageCalculator(
            billing.context.dataSource(),
            UsageCalculator.HOURS_PER_RUN,
            UsageCalculator.HOURS_PER_SUBJECT,
            1,
            Integer.MAX_VALUE,
            0);
    assertEquals(1, inOne.runInChunks(config, now).chunks());
    assertEquals(chunked, records());
  }

  /** Every record's key, unit-seconds and prices, in key order. */
  private static List<List<Object>> records() {
    return BillingHarness.rows(
        """
        SELECT user_id, session_id, resource_type, slice_start, slice_end, activity,
               unit_seconds::text, unit_price::text, full_price::text, currency
        FROM billing_usage_records ORDER BY 1, 2, 3, 4""");
  }

  /** Accounts rated, and hours of cpu, memory (GB) and storage (GB) rated in all. */
  private static List<List<Object>> perUserHours() {
    return BillingHarness.rows(
            """
        SELECT count(DISTINCT user_id),
               sum(unit_seconds) FILTER (WHERE resource_type = 'cpu') / 3600,
               sum(unit_seconds) FILTER (WHERE resource_type = 'memory') / 3600,
               sum(unit_seconds) FILTER (WHERE resource_type = 'storage') / 3600
        FROM billing_usage_records""")
        .stream()
        .map(r -> r.stream().map(v -> (Object) ((Number) v).longValue()).toList())
        .toList();
  }

  @Test
  void reRunningChangesNothing() {
    billing.created("2026-03-02T08:20:00Z", "s1", "alice", size("2", "4", "10"));
    billing.created("2026-03-02T09:10:00Z", "s2", "bob", size("1", "1", "0"));
    billing.terminated("2026-03-02T11:40:00Z", "s2", "bob");
    billing.heartbeat("2026-03-02T12:00:00Z", "s1", "alice", null);

    JobRun first = billing.calculateUsageAt("2026-03-02T12:05:00Z");
    List<Object> before = totals();
    JobRun again = billing.calculateUsageAt("2026-03-02T12:05:00Z");

    assertEquals(before, totals());
    assertEquals(0, again.rowsTouched());
    assertTrue(again.message().contains("rated in 0 chunk(s)"), "nothing to rate now: no chunk");
    assertEquals(first.rowsTouched(), ((Number) before.get(0)).longValue());
  }

  @Test
  void aRunRolledBackHalfWayLeavesNothingAndTheReRunGivesTheFullResult() throws Exception {
    billing.created("2026-03-02T08:20:00Z", "s1", "alice", size("2", "4", "10"));
    billing.terminated("2026-03-02T11:40:00Z", "s1", "alice");
    billing.flush();
    UsageCalculator calculator = new UsageCalculator(billing.context.dataSource());
    var config = io.streamspace.billing.config.BillingConfig.defaults();
    var now = at("2026-03-02T12:00:00Z");

    try (var connection = billing.context.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      calculator.rate(connection, config, now, java.sql.Timestamp.from(now.minusSeconds(600)));
      connection.rollback(); // the crash: the transaction never commits
    }
    assertEquals(0L, value("SELECT count(*) FROM billing_usage_records"));
    assertNull(value("SELECT rated_until FROM billing_sessions"));

    billing.calculateUsageAt("2026-03-02T12:00:00Z");
    List<Object> full = totals();
    // 3h20m of 2 cores in 4 slices (and 4 of memory): 2 x 12,000 core-seconds; 10 GB stored
    // over the 3 slices settled by 11:50 (08:20-11:00): 10 x 9,600 GB-seconds
    assertEquals(
        List.of("11", "24000", "96000"), full.stream().map(CalculateUsageTest::plain).toList());
  }

  @Test
  void aSessionCommittedBetweenRangeAndRateWithAnEarlierStartIsLeftForTheNextRun()
      throws Exception {
    billing.created("2026-03-02T11:00:00Z", "s1", "alice", size("1", "0", "0"));
    billing.terminated("2026-03-02T11:30:00Z", "s1", "alice");
    billing.flush();
    // RANGE saw only s1 (earliest unrated 11:00); then bob's s2, started at 09:15, commits
    billing.created("2026-03-02T09:15:00Z", "s2", "bob", size("1", "0", "0"));
    billing.terminated("2026-03-02T10:30:00Z", "s2", "bob");
    billing.flush();
    var config = io.streamspace.billing.config.BillingConfig.defaults();
    var now = at("2026-03-02T12:00:00Z");
    try (var connection = billing.context.dataSource().getConnection()) {
      new UsageCalculator(billing.context.dataSource())
          .rateFrom(
              connection,
              config,
              now,
              java.sql.Timestamp.from(now.minusSeconds(600)),
              at("2026-03-02T11:00:00Z"),
              UsageCalculator.HOURS_PER_RUN);
    }
    assertEquals(List.of("cpu 2026-03-02T11:00:00Z..2026-03-02T11:30:00Z 0.5"), slices("alice"));
    assertEquals(List.of(), slices("bob"), "no cut points before 11:00: left for the next run");
    assertNull(value("SELECT rated_until FROM billing_sessions WHERE session_id = 's2'"));

    billing.calculateUsageAt("2026-03-02T12:00:00Z");

    assertEquals(
        List.of(
            "cpu 2026-03-02T09:15:00Z..2026-03-02T10:00:00Z 0.75",
            "cpu 2026-03-02T10:00:00Z..2026-03-02T10:30:00Z 0.5"),
        slices("bob"));
  }

  @Test
  void aRunsScansOfEverySessionTakeNoParallelWorkers_itsLanesAreItsParallelism() throws Exception {
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("1", "0", "0"));
    billing.terminated("2026-03-02T11:00:00Z", "s1", "alice");
    billing.flush();
    var config = io.streamspace.billing.config.BillingConfig.defaults();
    var now = at("2026-03-02T12:00:00Z");
    try (var connection = billing.context.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      new UsageCalculator(billing.context.dataSource())
          .rate(connection, config, now, java.sql.Timestamp.from(now.minusSeconds(600)));

      assertEquals("0", show(connection, "max_parallel_workers_per_gather"));
      connection.commit();
      assertEquals("2", show(connection, "max_parallel_workers_per_gather"), "for the run only");
    }
    assertEquals(1, slices("alice").size(), "10:00 to 11:00 rated");
  }

  @Test
  void whileEventsAreMetered_aRunWaitsForTheBackgroundLaneAnotherWorkHolds_thenRates()
      throws Exception {
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("1", "0", "0"));
    billing.terminated("2026-03-02T11:00:00Z", "s1", "alice");
    billing.flush();
    BackgroundLane lane = new BackgroundLane(() -> true);
    OtherWork dashboard = OtherWork.holding(lane);
    UsageCalculator calculator =
        new UsageCalculator(billing.context.dataSource(), RatedRun.NONE, lane);
    Thread rating =
        new Thread(
            () -> {
              try {
                calculator.runInChunks(
                    io.streamspace.billing.config.BillingConfig.defaults(),
                    at("2026-03-02T12:00:00Z"));
              } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
              }
            });
    rating.start();
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          while (rating.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait(); // waiting for the lane: its first step
          }
        });

    assertEquals(0L, value("SELECT count(*) FROM billing_usage_records"), "nothing rated yet");
    dashboard.close();
    rating.join(10_000);
    assertEquals(1, slices("alice").size(), "10:00 to 11:00 rated once the lane was free");
  }

  private static String show(java.sql.Connection connection, String setting) throws Exception {
    try (var statement = connection.createStatement();
        var rows = statement.executeQuery("SHOW " + setting)) {
      rows.next();
      return rows.getString(1);
    }
  }

  /**
   * Records past a watermark cannot come from a crash (a share's records and watermarks move in
   * one statement), only from a watermark reset by hand: the run's insert then meets their keys,
   * and the share is rated again leaving out the records that exist, so none is doubled and the
   * missing ones are added.
   */
  @Test
  void recordsPastAWatermarkResetByHandAreNotDuplicatedByTheReRun() {
    billing.created("2026-03-02T08:20:00Z", "s1", "alice", size("2", "4", "0"));
    billing.terminated("2026-03-02T11:40:00Z", "s1", "alice");
    billing.calculateUsageAt("2026-03-02T12:00:00Z");
    List<String> complete = slices("alice");
    // the records from 10:00 deleted and the watermark reset to nothing rated, by hand
    BillingHarness.rows(
        "DELETE FROM billing_usage_records WHERE slice_start >= "
            + "'2026-03-02T10:00:00Z' RETURNING 1");
    BillingHarness.rows(
        "UPDATE billing_sessions SET rated_until = NULL, settled = false RETURNING 1");

    JobRun again = billing.calculateUsageAt("2026-03-02T12:00:00Z");

    assertEquals(complete, slices("alice"));
    // 10:00-11:00 and 11:00-11:40, cpu and memory each: the ones deleted
    assertEquals(4, again.rowsTouched());
  }

  /**
   * Two runs at once (two nodes, or the schedule and POST .../jobs/calculate-usage) read the
   * same watermarks. The first to move alice's rates her hour; the second, whose update waits
   * for the first's transaction, then finds the watermarks moved and leaves them, and inserts
   * nothing: without the compare-and-set it would insert the same records and fail on their
   * keys. Each run here is RATE on a transaction of the test's, the first committed only once
   * the second waits for it.
   */
  @Test
  void twoRunsAtOnceRateNothingTwiceAndTheSecondFindsNothingLeft() throws Exception {
    billing.created("2026-03-02T08:00:00Z", "s1", "alice", size("1", "2", "10"));
    billing.heartbeat("2026-03-02T09:55:00Z", "s1", "alice", null);
    billing.flush();
    var config = io.streamspace.billing.config.BillingConfig.defaults();
    var now = at("2026-03-02T10:00:00Z");
    var cap = java.sql.Timestamp.from(now.minusSeconds(600));
    var from = at("2026-03-02T08:00:00Z");
    UsageCalculator calculator = new UsageCalculator(billing.context.dataSource());
    var other = java.util.concurrent.Executors.newSingleThreadExecutor();
    try (var firstRun = billing.context.dataSource().getConnection();
        var secondRun = billing.context.dataSource().getConnection()) {
      firstRun.setAutoCommit(false);
      secondRun.setAutoCommit(false);
      UsageCalculator.Outcome first =
          calculator.rateFrom(firstRun, config, now, cap, from, UsageCalculator.HOURS_PER_RUN);
      var second =
          other.submit(
              () -> {
                UsageCalculator.Outcome outcome =
                    calculator.rateFrom(
                        secondRun, config, now, cap, from, UsageCalculator.HOURS_PER_RUN);
                secondRun.commit();
                return outcome;
              });
      TestDatabase.awaitSessionsWaitingForALock(1);
      firstRun.commit();

      // [08:00, 09:00) of 1 core, 2 GB and 10 GB stored: 3 records, 1 session, 1 account
      assertEquals(new UsageCalculator.Outcome(0, 3, 1, 1, 0, 0), first);
      assertEquals(new UsageCalculator.Outcome(0, 0, 0, 0, 0, 0), second.get());
    } finally {
      other.shutdown();
    }
    assertEquals(
        List.of("cpu 3600", "memory 7200", "storage 36000"),
        BillingHarness.rows(
                """
            SELECT resource_type, sum(unit_seconds) FROM billing_usage_records
            GROUP BY 1 ORDER BY 1""")
            .stream()
            .map(r -> r.get(0) + " " + plain(r.get(1)))
            .toList());
  }

  @Test
  void duplicateAndOutOfOrderEventsCountOnce() {
    var created =
        BillingHarness.event("e1", "2026-03-02T10:00:00Z", "s1", "alice", size("1", "2", "0"));
    var late = BillingHarness.event("e3", "2026-03-02T10:50:00Z", "s1", "alice", null);
    var early = BillingHarness.event("e2", "2026-03-02T10:20:00Z", "s1", "alice", null);
    billing.billing.onSessionHeartbeat(billing.context, late);
    billing.billing.onSessionCreated(billing.context, created);
    billing.billing.onSessionHeartbeat(billing.context, early);
    billing.flush();
    billing.billing.onSessionCreated(billing.context, created);
    billing.billing.onSessionHeartbeat(billing.context, late);
    billing.billing.onSessionHeartbeat(billing.context, early);
    billing.flush();

    assertEquals(
        List.of(
            List.of(
                java.sql.Timestamp.from(at("2026-03-02T10:00:00Z")),
                java.sql.Timestamp.from(at("2026-03-02T10:50:00Z")))),
        BillingHarness.rows("SELECT started_at, last_heartbeat FROM billing_sessions"));
    assertEquals(1L, value("SELECT count(*) FROM billing_session_sizes"));
    assertEquals(1L, value("SELECT count(*) FROM billing_accounts"));
    billing.terminated("2026-03-02T11:00:00Z", "s1", "alice");
    billing.calculateUsageAt("2026-03-02T12:00:00Z");
    assertEquals(
        List.of(
            "cpu 2026-03-02T10:00:00Z..2026-03-02T11:00:00Z 1",
            "memory 2026-03-02T10:00:00Z..2026-03-02T11:00:00Z 2"),
        slices("alice"));
  }

  @Test
  void aTerminateWinsOverHeartbeatsThatArriveAfterIt() {
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("1", "0", "0"));
    billing.terminated("2026-03-02T11:00:00Z", "s1", "alice");
    billing.flush();
    billing.heartbeat("2026-03-02T11:30:00Z", "s1", "alice", null);
    billing.heartbeat("2026-03-02T10:50:00Z", "s1", "alice", null);
    billing.terminated("2026-03-02T11:45:00Z", "s1", "alice");

    billing.calculateUsageAt("2026-03-02T13:00:00Z");

    assertEquals(
        List.of(java.sql.Timestamp.from(at("2026-03-02T11:00:00Z")), "terminated"),
        BillingHarness.rows("SELECT ended_at, end_reason FROM billing_sessions").get(0));
    assertEquals(List.of("cpu 2026-03-02T10:00:00Z..2026-03-02T11:00:00Z 1"), slices("alice"));
  }

  @Test
  void aSilentSessionIsClosedAtItsLastHeartbeatAfterTheTimeout() {
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("1", "0", "0"));
    billing.heartbeat("2026-03-02T10:30:00Z", "s1", "alice", null);

    billing.calculateUsageAt("2026-03-02T10:39:00Z");
    assertNull(value("SELECT ended_at FROM billing_sessions"), "inside the timeout: still open");

    JobRun run = billing.calculateUsageAt("2026-03-02T11:30:00Z");

    assertEquals(
        List.of(java.sql.Timestamp.from(at("2026-03-02T10:30:00Z")), "heartbeat_timeout"),
        BillingHarness.rows("SELECT ended_at, end_reason FROM billing_sessions").get(0));
    assertEquals(List.of("cpu 2026-03-02T10:00:00Z..2026-03-02T10:30:00Z 0.5"), slices("alice"));
    assertEquals(1, run.rowsTouched(), "one record inserted");
    assertTrue(run.message().contains("closed 1 timed-out sessions"), run.message());
  }

  @Test
  void aNewSizeFromAHeartbeatIsBilledFromItsInstant() {
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("1", "1", "0"));
    billing.heartbeat("2026-03-02T10:30:00Z", "s1", "alice", size("3", "1", "0"));
    billing.terminated("2026-03-02T11:15:00Z", "s1", "alice");

    billing.calculateUsageAt("2026-03-02T12:00:00Z");

    // 30 min x 1 + 30 min x 3 = 2 core-hours; then 15 min x 3
    assertEquals(
        List.of(
            "cpu 2026-03-02T10:00:00Z..2026-03-02T11:00:00Z 2",
            "cpu 2026-03-02T11:00:00Z..2026-03-02T11:15:00Z 0.75",
            "memory 2026-03-02T10:00:00Z..2026-03-02T11:00:00Z 1",
            "memory 2026-03-02T11:00:00Z..2026-03-02T11:15:00Z 0.25"),
        slices("alice"));
  }

  @Test
  void storageIsBilledInGbMonthsOf730HoursAndOutlivesItsSession() {
    billing.created("2026-03-02T00:00:00Z", "s1", "alice", size("0", "0", "73"));
    billing.terminated("2026-03-02T01:00:00Z", "s1", "alice");
    billing.created("2026-03-02T05:00:00Z", "s2", "alice", size("0", "0", "146"));
    billing.heartbeat("2026-03-02T08:00:00Z", "s2", "alice", size("0", "0", "0"));

    billing.calculateUsageAt("2026-03-02T10:10:00Z");

    // 73 GB x 5 h + 146 GB x 3 h = 803 GB-hours = 2,890,800 GB-seconds = 1.1 GB-months of
    // 730 hours
    BigDecimal gbSeconds =
        (BigDecimal)
            value(
                "SELECT sum(unit_seconds) FROM "
                    + "billing_usage_records WHERE resource_type = 'storage' AND session_id = '' "
                    + "AND unit = 'gb-months'");
    assertEquals(0, new BigDecimal("2890800").compareTo(gbSeconds));
    assertEquals(new BigDecimal("1.1"), UsageUnit.STORAGE.quantity(gbSeconds));
    assertEquals(
        8L,
        value("SELECT count(*) FROM billing_usage_records"),
        "hours 0-7 carry storage; 8 and 9 are at 0 GB and store nothing");
    assertEquals(
        java.sql.Timestamp.from(at("2026-03-02T10:00:00Z")),
        value("SELECT storage_rated_until FROM billing_accounts"));
  }

  @Test
  void sizesOnATerminateHoldFromItsInstantSoStorageIsBilledAtTheLevelItReports() {
    billing.created("2026-03-02T00:00:00Z", "s1", "alice", size("1", "2", "10"));
    billing.terminated("2026-03-02T02:00:00Z", "s1", "alice", size("0", "0", "20"));

    billing.calculateUsageAt("2026-03-02T05:10:00Z");

    // storage 10 GB for 00:00-02:00, then the 20 GB the terminate reports until the settle
    // point 05:00: 10 x 3,600 GB-seconds twice, 20 x 3,600 three times (80 GB-hours, not the
    // 50 of 10 GB kept to the end); cpu and memory stop at the end: 2 core-hours, 4 GB-hours
    assertEquals(
        List.of("36000", "36000", "72000", "72000", "72000"),
        BillingHarness.rows(
                "SELECT unit_seconds FROM billing_usage_records "
                    + "WHERE resource_type = 'storage' ORDER BY slice_start")
            .stream()
            .map(r -> plain(r.get(0)))
            .toList());
    assertEquals(
        List.of("7200", "14400"),
        BillingHarness.rows(
                """
        SELECT sum(unit_seconds) FROM billing_usage_records WHERE resource_type <> 'storage'
        GROUP BY resource_type ORDER BY resource_type""")
            .stream()
            .map(r -> plain(r.get(0)))
            .toList());
    assertEquals(
        List.of(java.sql.Timestamp.from(at("2026-03-02T02:00:00Z")), "0", "0"),
        BillingHarness.rows(
                "SELECT effective_from, cpu_cores, memory_gb "
                    + "FROM billing_session_sizes ORDER BY effective_from DESC")
            .get(0)
            .stream()
            .map(v -> v instanceof BigDecimal ? plain(v) : v)
            .toList(),
        "the terminate's cpu and memory are kept too, though they bill nothing after the end");
  }

  /**
   * activityRates prices idle cpu at half: 2 cores and 2 GB from 10:00, idle from 12:00 to the
   * end at 15:00. cpu: 2 h active, 4 core-hours at 0.05 = 0.20; 3 h idle, 6 core-hours at 0.025
   * = 0.15 (saving 0.15); memory has no factor: 10 GB-hours at 0.01 = 0.10, on one line. 0.45 in
   * all, what the live figure says before and after rating; the used figures are kept.
   */
  @Test
  void idleTimeIsPricedAtItsFactorOnALineOfItsOwnAndTheLiveFigureAgreesToTheCent()
      throws IOException {
    startOver("2026-03-02T00:00:00Z", "{\"activityRates\": {\"idle\": {\"cpu_cores\": 0.5}}}");
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("2", "2", "0"));
    billing.billing.onSessionHeartbeat(
        billing.context,
        new SessionEvent(
            "idle-1",
            at("2026-03-02T12:00:00Z"),
            "s1",
            "alice",
            null,
            null,
            new SessionActivity(
                SessionActivity.State.IDLE,
                Map.of("cpu_cores", new BigDecimal("0.1"), "memory_gb", new BigDecimal("1.1")))));
    billing.heartbeat("2026-03-02T14:59:00Z", "s1", "alice", null);
    billing.flush();
    billing.clock.set(at("2026-03-02T15:00:00Z"));
    BigDecimal unrated = liveTotal("alice");
    assertEquals(
        new BigDecimal("0.07"),
        billing
            .call(HttpMethod.GET, "/live", user("alice"))
            .body()
            .get("rate_per_hour")
            .decimalValue(),
        "idle now: 2 cores × 0.025 + 2 GB × 0.01 an hour, not 0.12");

    billing.terminated("2026-03-02T15:00:00Z", "s1", "alice");
    billing.calculateUsageAt("2026-03-02T15:30:00Z");

    assertEquals(new BigDecimal("0.45"), unrated, "the ticker, nothing rated yet");
    assertEquals(new BigDecimal("0.45"), liveTotal("alice"), "the ticker, all rated");
    assertEquals(
        List.of("cpu active 0.05 4", "cpu idle 0.025 6", "memory active 0.01 10"),
        byActivity("alice"));
    JsonNode usage = billing.call(HttpMethod.GET, "/usage", user("alice")).body();
    assertEquals(
        "cpu 6 0.025 0.15 | cpu 4 0.05 0.20 | memory 10 0.01 0.10 | total 0.45", lines(usage));
    assertEquals(
        "CPU, idle (× 0.5) idle saved 0.15 | - | -", labels(usage), "active lines as before");
    assertEquals(new BigDecimal("0.15"), usage.get("total_saved").decimalValue());
    JsonNode day =
        billing
            .call(HttpMethod.GET, "/usage/daily?days=1", user("alice"))
            .body()
            .get("days")
            .get(0);
    assertEquals(
        "cpu 10 0.35 saved 0.15 | memory 10 0.10 saved -",
        String.join(
            " | ",
            java.util.stream.StreamSupport.stream(day.get("resources").spliterator(), false)
                .map(
                    r ->
                        r.get("resource_type").asText()
                            + " "
                            + r.get("quantity").decimalValue().toPlainString()
                            + " "
                            + r.get("cost").decimalValue().toPlainString()
                            + " saved "
                            + (r.has("saved")
                                ? r.get("saved").decimalValue().toPlainString()
                                : "-"))
                .toList()),
        "the day's cpu adds both lines and says what the idle one saved");
    assertEquals(
        List.of(List.of("cpu", "idle", new BigDecimal("0.05"))),
        BillingHarness.rows(
            "SELECT resource_type, activity, full_price FROM billing_usage_records"
                + " WHERE full_price IS NOT NULL GROUP BY 1, 2, 3"),
        "an idle record keeps its full price; the others none");
    assertEquals(
        "idle {\"cpu_cores\": 0.1, \"memory_gb\": 1.1}",
        String.join(
            " ",
            BillingHarness.rows("SELECT state, used::text FROM billing_session_activity")
                .get(0)
                .stream()
                .map(String::valueOf)
                .toList()));
    invoicedWithTheIdleLineLabelledAndExplained();
  }

  /**
   * The idle session's March invoice (the test above): the idle cpu line is labelled and says
   * what it saved, in the JSON, the PDF and the CSV; lines in unit price order, as ever. Explain
   * of each cpu line lists its own records only (3 idle hours, 2 active ones).
   */
  private void invoicedWithTheIdleLineLabelledAndExplained() throws IOException {
    billing.calculateUsageAt("2026-04-01T03:00:00Z");
    billing.runAt(InvoiceFixtures.GENERATE_INVOICES, "2026-04-01T03:00:00Z");
    long march =
        (Long) BillingHarness.value("SELECT id FROM billing_invoices WHERE user_id = 'alice'");
    JsonNode invoice = billing.call(HttpMethod.GET, "/invoices/" + march, user("alice")).body();
    assertEquals(
        List.of(
            "CPU, idle (× 0.5) 6 0.15 saved 0.15", "cpu usage 4 0.20 -", "memory usage 10 0.10 -"),
        invoiceLines(invoice),
        invoice.toString());
    assertEquals(new BigDecimal("0.45"), invoice.get("total").decimalValue());
    assertEquals(new BigDecimal("0.15"), invoice.get("total_saved").decimalValue());
    String csv = billing.text("/invoices/" + march + "/csv", user("alice")).body();
    assertTrue(csv.contains("CPU, idle (× 0.5)"), csv);
    byte[] pdf =
        billing
            .context
            .routes()
            .call(HttpMethod.GET, "/invoices/" + march + "/pdf", user("alice"))
            .body();
    try (PDDocument document = Loader.loadPDF(pdf)) {
      String text = new PDFTextStripper().getText(document);
      assertTrue(text.contains("CPU, idle (× 0.5)"), text);
      assertTrue(text.contains("Saved by idle pricing 0.15 USD"), text);
    }
    assertEquals("3 0.025 0.15", explained(march, 1), "the idle line: its 3 idle hours only");
    assertEquals("2 0.05 0.20", explained(march, 2), "the active line: its 2 active hours");
  }

  /** An invoice's lines as "description quantity amount saved s", or "-" for no saving. */
  private static List<String> invoiceLines(JsonNode invoice) {
    List<String> lines = new ArrayList<>();
    for (JsonNode line : invoice.get("lines")) {
      lines.add(
          String.join(
              " ",
              line.get("description").asText(),
              line.get("quantity").decimalValue().toPlainString(),
              line.get("amount").decimalValue().toPlainString(),
              line.has("saved") ? "saved " + line.get("saved").decimalValue() : "-"));
    }
    return lines;
  }

  /** A line's explanation: how many records, each record's unit price (one), the sum. */
  private String explained(long invoiceId, int lineNo) {
    JsonNode explained =
        billing
            .call(
                HttpMethod.GET,
                "/invoices/" + invoiceId + "/lines/" + lineNo + "/explain",
                user("alice"))
            .body();
    assertTrue(explained.at("/sums/matches_line").asBoolean(), explained.toString());
    java.util.Set<String> prices = new java.util.TreeSet<>();
    explained
        .get("records")
        .forEach(r -> prices.add(r.get("unit_price").decimalValue().toPlainString()));
    return explained.get("record_count").asInt()
        + " "
        + String.join(",", prices)
        + " "
        + explained.at("/sums/total").decimalValue().toPlainString();
  }

  /**
   * The same events for alice and bob, delivered in other orders and flushes, with two reports
   * at 13:00 (the greater id, disconnected, wins whichever arrives first): 1 core active
   * 10:00-11:30 and 12:15-13:00 (2.25 core-hours at 0.05), idle 11:30-12:15 (0.75 at 0.025),
   * disconnected 13:00-14:00 (1 at 0.0125).
   */
  @Test
  void activityEventsShuffledAndInOtherBatchesGiveTheSameRecordsAndMoney() {
    billing.close();
    billing =
        new BillingHarness(
            at("2026-03-02T00:00:00Z"),
            "{\"activityRates\": {\"idle\": {\"cpu_cores\": 0.5},"
                + " \"disconnected\": {\"cpu_cores\": 0.25}}}");
    for (String user : List.of("alice", "bob")) {
      Map<String, SessionEvent> events = new java.util.HashMap<>();
      String s = user + "-s";
      events.put(
          "c",
          BillingHarness.event(user + "1", "2026-03-02T10:00:00Z", s, user, size("1", "0", "0")));
      events.put("i", billing.activity(user + "2", "2026-03-02T11:30:00Z", s, user, "idle"));
      events.put("a", billing.activity(user + "3", "2026-03-02T12:15:00Z", s, user, "active"));
      events.put("x", billing.activity(user + "4", "2026-03-02T13:00:00Z", s, user, "active"));
      events.put(
          "d", billing.activity(user + "5", "2026-03-02T13:00:00Z", s, user, "disconnected"));
      events.put("t", BillingHarness.event(user + "6", "2026-03-02T14:00:00Z", s, user, null));
      billing.deliverInFlushes(
          user.equals("alice") ? "c i a x d t" : "t d | a | x i | c",
          key -> {
            SessionEvent e = events.get(key);
            switch (key) {
              case "c" -> billing.billing.onSessionCreated(billing.context, e);
              case "t" -> billing.billing.onSessionTerminated(billing.context, e);
              default -> billing.billing.onSessionHeartbeat(billing.context, e);
            }
          });
    }

    billing.calculateUsageAt("2026-03-02T15:00:00Z");

    List<String> expected =
        List.of("cpu active 0.05 2.25", "cpu disconnected 0.0125 1", "cpu idle 0.025 0.75");
    assertEquals(expected, byActivity("alice"));
    assertEquals(expected, byActivity("bob"));
    JsonNode usage = billing.call(HttpMethod.GET, "/usage", user("bob")).body();
    assertEquals(
        "cpu 1 0.0125 0.01 | cpu 0.75 0.025 0.02 | cpu 2.25 0.05 0.11 | total 0.14", lines(usage));
    // saved: 1 × (0.05 − 0.0125) = 0.0375 → 0.04; 0.75 × 0.025 = 0.01875 → 0.02
    assertEquals(
        "CPU, disconnected (× 0.25) disconnected saved 0.04"
            + " | CPU, idle (× 0.5) idle saved 0.02 | -",
        labels(usage));
    assertEquals(new BigDecimal("0.06"), usage.get("total_saved").decimalValue());
  }

  private static final String HIBERNATING =
      "{\"activityRates\": {\"idle\": {\"cpu_cores\": 0.5}}, \"hibernateAfterIdleMinutes\": 180}";

  /**
   * Idle cpu at half, hibernation after 180 idle minutes: 2 cores and 2 GB from 10:00, idle from
   * 12:00; check-balances at 15:00 (twice, and another node's at once) hibernates it once; the
   * platform resumes it at 20:00 (session.resumed: a heartbeat, active); it ends at 21:00. cpu:
   * active 10:00-12:00 and 20:00-21:00, 6 core-hours at 0.05 = 0.30; idle 12:00-15:00, 6 at
   * 0.025 = 0.15; hibernated 15:00-20:00, nothing. Memory 2 GB for the 6 h not hibernated, 12
   * GB-hours at 0.01 = 0.12. 0.57 in all, what the live figure says before rating too. The
   * hibernated 5 h are records at nothing, on lines of their own with what they saved against
   * the full price: 10 core-hours at 0.05 = 0.50, 10 GB-hours at 0.01 = 0.10; with the idle
   * price's 0.15, 0.75 saved: 0.57 + 0.75 = 1.32, the 11 h at the full price (11 × 0.12).
   */
  @Test
  void aSessionActiveIdleAndHibernatedIsBilledStorageOnlyWhileHibernated_onceAcrossNodes()
      throws java.sql.SQLException, IOException {
    billing.close();
    billing = new BillingHarness(at("2026-03-02T00:00:00Z"), HIBERNATING);
    TestPluginContext otherHost = new TestPluginContext(billing.clock);
    Hibernation otherNode =
        new Hibernation(
            TestDatabase.dataSource(),
            otherHost.sessions(),
            new BillingEvents(otherHost.events()),
            () -> new BillingConfigParser(CronValidator.fiveFields()).parse(HIBERNATING).config(),
            billing.clock);
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("2", "2", "0"));
    billing.billing.onSessionHeartbeat(
        billing.context, billing.activity("i", "2026-03-02T12:00:00Z", "s1", "alice", "idle"));
    billing.heartbeat("2026-03-02T14:59:00Z", "s1", "alice", null);
    billing.runAt("check-balances", "2026-03-02T14:59:00Z"); // 179 minutes: not yet

    billing.runAt("check-balances", "2026-03-02T15:00:00Z");
    billing.runAt("check-balances", "2026-03-02T15:00:00Z");
    int byOtherNode = otherNode.check();
    billing.heartbeat("2026-03-02T19:59:00Z", "s1", "alice", null); // no activity: still asleep
    billing.billing.onSessionHeartbeat(
        billing.context, billing.activity("r", "2026-03-02T20:00:00Z", "s1", "alice", "active"));
    billing.heartbeat("2026-03-02T20:59:00Z", "s1", "alice", null);
    billing.flush();
    billing.clock.set(at("2026-03-02T21:00:00Z"));
    BigDecimal unrated = liveTotal("alice");
    billing.terminated("2026-03-02T21:00:00Z", "s1", "alice");
    billing.calculateUsageAt("2026-03-02T21:30:00Z");

    assertEquals(
        List.of("suspend s1: hibernated: " + Hibernation.DETAIL.formatted(180)),
        billing.context.sessionControls());
    assertEquals(0, byOtherNode);
    assertEquals(List.of(), otherHost.sessionControls());
    assertEquals(
        List.of(
            "{\"org_id\":\"alice\",\"session_id\":\"s1\","
                + "\"idle_since\":\"2026-03-02T12:00:00Z\",\"at\":\"2026-03-02T15:00:00Z\"}"),
        billing.published("billing.session.hibernated"));
    assertEquals(List.of("15:00 20:00 r"), hibernations());
    assertEquals(new BigDecimal("0.57"), unrated, "the ticker, nothing rated yet");
    assertEquals(
        List.of(
            "cpu active 0.05 6",
            "cpu hibernated 0 10",
            "cpu idle 0.025 6",
            "memory active 0.01 12",
            "memory hibernated 0 10"),
        byActivity("alice"));
    JsonNode usage = billing.call(HttpMethod.GET, "/usage", user("alice")).body();
    assertEquals(
        "cpu 10 0 0.00 | cpu 6 0.025 0.15 | cpu 6 0.05 0.30 | memory 10 0 0.00"
            + " | memory 12 0.01 0.12 | total 0.57",
        lines(usage));
    assertEquals(
        "CPU, hibernated hibernated saved 0.50 | CPU, idle (× 0.5) idle saved 0.15 | -"
            + " | Memory, hibernated hibernated saved 0.10 | -",
        labels(usage));
    assertEquals(new BigDecimal("0.75"), usage.get("total_saved").decimalValue());
    assertEquals(new BigDecimal("0.57"), liveTotal("alice"), "the ticker, all rated");
    invoicedWithTheHibernatedLinesSayingWhatTheySaved();
  }

  /**
   * The hibernated session's March invoice (the test above): its hibernated time on lines of
   * nothing that say what they saved, in the JSON, the PDF and the CSV; the total unchanged.
   * Explain of the hibernated cpu line lists its 5 hours' records at 0.
   */
  private void invoicedWithTheHibernatedLinesSayingWhatTheySaved() throws IOException {
    billing.calculateUsageAt("2026-04-01T03:00:00Z");
    billing.runAt(InvoiceFixtures.GENERATE_INVOICES, "2026-04-01T03:00:00Z");
    long march =
        (Long) BillingHarness.value("SELECT id FROM billing_invoices WHERE user_id = 'alice'");
    JsonNode invoice = billing.call(HttpMethod.GET, "/invoices/" + march, user("alice")).body();
    assertEquals(
        List.of(
            "CPU, hibernated 10 0.00 saved 0.50",
            "CPU, idle (× 0.5) 6 0.15 saved 0.15",
            "cpu usage 6 0.30 -",
            "Memory, hibernated 10 0.00 saved 0.10",
            "memory usage 12 0.12 -"),
        invoiceLines(invoice),
        invoice.toString());
    assertEquals(new BigDecimal("0.57"), invoice.get("total").decimalValue());
    assertEquals(new BigDecimal("0.75"), invoice.get("total_saved").decimalValue());
    String csv = billing.text("/invoices/" + march + "/csv", user("alice")).body();
    assertTrue(csv.contains("CPU, hibernated"), csv);
    byte[] pdf =
        billing
            .context
            .routes()
            .call(HttpMethod.GET, "/invoices/" + march + "/pdf", user("alice"))
            .body();
    try (PDDocument document = Loader.loadPDF(pdf)) {
      String text = new PDFTextStripper().getText(document);
      assertTrue(text.contains("CPU, hibernated"), text);
      assertTrue(text.contains("Saved by idle pricing and hibernation 0.75 USD"), text);
    }
    assertEquals("5 0 0.00", explained(march, 1), "the hibernated line: its 5 hours at nothing");
    assertEquals(
        List.of(
            "user_id,currency,resource_type,unit,unit_price,quantity,cost,activity,saved",
            "alice,USD,cpu,core-hours,0,10,0.00,hibernated,0.50",
            "alice,USD,cpu,core-hours,0.025,6,0.15,idle,0.15",
            "alice,USD,cpu,core-hours,0.05,6,0.30,,",
            "alice,USD,memory,gb-hours,0,10,0.00,hibernated,0.10",
            "alice,USD,memory,gb-hours,0.01,12,0.12,,"),
        List.of(
            billing
                .text(
                    "/admin/reports?from=2026-03-01&to=2026-04-01&group_by=user&format=csv",
                    BillingHarness.admin("root"))
                .body()
                .split("\r\n")),
        "the admin's report says which rows are hibernated or idle time, and what they saved");
  }

  /**
   * The same events for alice and bob in other orders and flushes, hibernated by check-balances
   * at 15:00 (1 core, idle from 12:00): the platform's session.resumed at 20:00 and an active
   * heartbeat at 19:00 that arrives after it, or before it: the hibernation ends at 19:00
   * either way. cpu active 10:00-12:00 and 19:00-21:00, 4 core-hours at 0.05 = 0.20; idle
   * 12:00-15:00, 3 at 0.025 = 0.075, 0.08; hibernated 15:00-19:00, 4 at nothing.
   */
  @Test
  void hibernationEventsShuffledAndInOtherBatchesEndItAtTheEarliestResume() {
    billing.close();
    billing = new BillingHarness(at("2026-03-02T00:00:00Z"), HIBERNATING);
    Map<String, Map<String, SessionEvent>> events = new java.util.HashMap<>();
    for (String user : List.of("alice", "bob")) {
      String s = user + "-s";
      Map<String, SessionEvent> its = new java.util.HashMap<>();
      its.put(
          "c",
          BillingHarness.event(user + "1", "2026-03-02T10:00:00Z", s, user, size("1", "0", "0")));
      its.put("i", billing.activity(user + "2", "2026-03-02T12:00:00Z", s, user, "idle"));
      its.put("r", billing.activity(user + "3", "2026-03-02T20:00:00Z", s, user, "active"));
      its.put("a", billing.activity(user + "4", "2026-03-02T19:00:00Z", s, user, "active"));
      its.put("t", BillingHarness.event(user + "5", "2026-03-02T21:00:00Z", s, user, null));
      events.put(user, its);
    }
    deliver(events.get("alice"), "c i");
    deliver(events.get("bob"), "i | c");
    billing.runAt("check-balances", "2026-03-02T15:00:00Z");
    deliver(events.get("alice"), "r | a t");
    deliver(events.get("bob"), "t a r");

    billing.calculateUsageAt("2026-03-02T22:00:00Z");

    List<String> expected = List.of("cpu active 0.05 4", "cpu hibernated 0 4", "cpu idle 0.025 3");
    assertEquals(expected, byActivity("alice"));
    assertEquals(expected, byActivity("bob"));
    assertEquals(
        "cpu 4 0 0.00 | cpu 3 0.025 0.08 | cpu 4 0.05 0.20 | total 0.28",
        lines(billing.call(HttpMethod.GET, "/usage", user("bob")).body()));
    assertEquals(List.of("15:00 19:00 alice4", "15:00 19:00 bob4"), hibernations());
  }

  private void deliver(Map<String, SessionEvent> events, String deliveries) {
    billing.deliverInFlushes(
        deliveries,
        key -> {
          SessionEvent e = events.get(key);
          switch (key) {
            case "c" -> billing.billing.onSessionCreated(billing.context, e);
            case "t" -> billing.billing.onSessionTerminated(billing.context, e);
            default -> billing.billing.onSessionHeartbeat(billing.context, e);
          }
        });
  }

  /** Each hibernation as "hibernated_at resumed_at resumed_by_event" (UTC times), by session. */
  private static List<String> hibernations() {
    return BillingHarness.rows(
            """
            SELECT to_char(hibernated_at AT TIME ZONE 'UTC', 'HH24:MI') || ' '
                   || coalesce(to_char(resumed_at AT TIME ZONE 'UTC', 'HH24:MI'), '-') || ' '
                   || coalesce(resumed_by_event, '-')
            FROM billing_session_hibernations ORDER BY session_id""")
        .stream()
        .map(r -> (String) r.get(0))
        .toList();
  }

  /** Without activityRates an idle report changes no record: all of it is active time. */
  @Test
  void withTheDefaultConfigActivityChangesNothing() {
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("1", "1", "0"));
    billing.billing.onSessionHeartbeat(
        billing.context, billing.activity("i", "2026-03-02T10:30:00Z", "s1", "alice", "idle"));
    billing.terminated("2026-03-02T11:00:00Z", "s1", "alice");

    billing.calculateUsageAt("2026-03-02T12:00:00Z");

    assertEquals(List.of("cpu active 0.05 1", "memory active 0.01 1"), byActivity("alice"));
    assertEquals(1L, value("SELECT count(*) FROM billing_session_activity"));
    JsonNode usage = billing.call(HttpMethod.GET, "/usage", user("alice")).body();
    assertEquals("- | -", labels(usage), "no line has a label or a saving");
    assertNull(usage.get("total_saved"), "nor the usage a saved figure");
  }

  /** "resource activity unit_price quantity" per record group, ordered. */
  private static List<String> byActivity(String userId) {
    return BillingHarness.rows(
            """
            SELECT resource_type, activity, unit_price, sum(unit_seconds) / 3600
            FROM billing_usage_records WHERE user_id = ?
            GROUP BY 1, 2, 3 ORDER BY 1, 2""",
            userId)
        .stream()
        .map(r -> r.get(0) + " " + r.get(1) + " " + plain(r.get(2)) + " " + plain(r.get(3)))
        .toList();
  }

  /** A /usage answer's lines as "description activity saved s", or "-" for a plain line. */
  private static String labels(JsonNode usage) {
    List<String> labels = new java.util.ArrayList<>();
    usage
        .get("lines")
        .forEach(
            l ->
                labels.add(
                    l.has("description")
                        ? l.get("description").asText()
                            + " "
                            + l.get("activity").asText()
                            + " saved "
                            + l.get("saved").decimalValue().toPlainString()
                        : l.has("activity") || l.has("saved") ? "stray" : "-"));
    return String.join(" | ", labels);
  }

  /** A /usage answer's lines as "resource quantity unit_price total_cost | ... | total t". */
  private static String lines(JsonNode usage) {
    List<String> lines = new java.util.ArrayList<>();
    usage
        .get("lines")
        .forEach(
            l ->
                lines.add(
                    l.get("resource_type").asText()
                        + " "
                        + l.get("quantity").decimalValue().toPlainString()
                        + " "
                        + l.get("unit_price").decimalValue().toPlainString()
                        + " "
                        + l.get("total_cost").decimalValue().toPlainString()));
    lines.add("total " + usage.get("total_cost").decimalValue().toPlainString());
    return String.join(" | ", lines);
  }

  private BigDecimal liveTotal(String userId) {
    BillingHarness.Answer live = billing.call(HttpMethod.GET, "/live", user(userId));
    assertEquals(200, live.status(), live.body().toString());
    return live.body().get("total").decimalValue();
  }

  @Test
  void newRatesApplyFromTheNextRun() {
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("1", "0", "0"));
    billing.heartbeat("2026-03-02T12:00:00Z", "s1", "alice", null);
    billing.calculateUsageAt("2026-03-02T11:15:00Z");

    billing.context.setConfigJson(
        "{\"computeRates\": {\"cpu_per_core_hour\": 0.2},"
            + " \"usageCalculationInterval\": \"*/15 * * * *\"}");
    billing.billing.onConfigChanged(billing.context);
    billing.calculateUsageAt("2026-03-02T12:15:00Z");

    assertEquals(
        List.of(List.of(new BigDecimal("0.05")), List.of(new BigDecimal("0.2"))),
        BillingHarness.rows("SELECT unit_price FROM billing_usage_records ORDER BY slice_start"));
    assertEquals("*/15 * * * *", billing.context.scheduler().cronOf("calculate-usage"));
  }

  private static List<Object> totals() {
    return BillingHarness.rows(
            """
        SELECT count(*), coalesce(sum(unit_seconds) FILTER (WHERE resource_type = 'cpu'), 0),
               coalesce(sum(unit_seconds) FILTER (WHERE resource_type = 'storage'), 0)
        FROM billing_usage_records""")
        .get(0);
  }

  /** A column value as text, decimals without trailing zeros. */
  private static String plain(Object value) {
    return value instanceof BigDecimal d
        ? d.stripTrailingZeros().toPlainString()
        : String.valueOf(value);
  }
}

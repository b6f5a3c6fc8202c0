package io.streamspace.billing.metering;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.metering.MeteringBatch.SessionRow;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobRun;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The metering writer and calculate-usage take {@code billing_sessions} row locks in one order,
 * by session id, so that they wait for each other instead of deadlocking. Each test stores four
 * sessions in the reverse of their key order (s4 first: a scan of the table meets them s4, s3,
 * s2, s1), has the writer hold s2 inside an open transaction, lets calculate-usage run until it
 * waits for s2, and then has the writer go on to s3, as its batch (sorted by key) would. A
 * statement locking in scan order holds s3 by then, and the writer's step would close a cycle:
 * PostgreSQL breaks it with "deadlock detected". The writer's connection checks for deadlocks
 * after 10 ms (the rating's after the default second), so that a cycle fails the writer's step,
 * here, rather than being retried away inside the job.
 */
class WriterAndRatingLockOrderTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"));
  private final SessionRepository sessions = new SessionRepository();

  @AfterEach
  void unload() {
    billing.close();
  }

  /**
   * The rating's statement moves the watermarks of the four open sessions (each heartbeating at
   * 12:05, so none times out at the run's cap of 11:58): it locks s1, waits for s2, and the
   * writer's heartbeat of s3 goes through.
   */
  @Test
  void theRatingWaitsForTheWritersBatchInsteadOfDeadlockingWithIt() throws Exception {
    for (String n : List.of("4", "3", "2", "1")) {
      billing.created("2026-03-02T10:00:00Z", "s" + n, "u" + n, size("1", "0", "0"));
      billing.heartbeat("2026-03-02T12:05:00Z", "s" + n, "u" + n, null);
      billing.flush();
    }

    writerHoldsS2WhileCalculateUsageRunsAt(
        "2026-03-02T12:08:00Z", "2026-03-02T12:07:00Z", "u2", "u3");

    // each session rated [10:00, 11:00): one core-hour each, none twice
    assertEquals(
        4L,
        BillingHarness.value(
            "SELECT count(*) FROM billing_usage_records WHERE resource_type = 'cpu'"
                + " AND slice_start = '2026-03-02T10:00:00Z' AND unit_seconds = 3600"));
  }

  /**
   * The run's first statement closes the four sessions, silent since 10:30 (the cap is 11:58):
   * it locks s1, waits for s2, and the writer's late heartbeat of s3 (10:40, still timed out)
   * goes through; each session then ends at its last heartbeat.
   */
  @Test
  void closingTheTimedOutSessionsWaitsForTheWritersBatchInsteadOfDeadlockingWithIt()
      throws Exception {
    // s4 is u1's, ..., s1 is u4's: an index by organization meets them in reverse key order too
    for (String n : List.of("4", "3", "2", "1")) {
      String user = "u" + (5 - Integer.parseInt(n));
      billing.created("2026-03-02T10:00:00Z", "s" + n, user, size("1", "0", "0"));
      billing.heartbeat("2026-03-02T10:30:00Z", "s" + n, user, null);
      billing.flush();
    }

    writerHoldsS2WhileCalculateUsageRunsAt(
        "2026-03-02T12:08:00Z", "2026-03-02T10:40:00Z", "u3", "u2");

    // s2 and s3 heard from at 10:40 by the writer, s1 and s4 last at 10:30
    assertEquals(
        List.of(
            List.of("s1", "heartbeat_timeout", "2026-03-02T10:30:00Z"),
            List.of("s2", "heartbeat_timeout", "2026-03-02T10:40:00Z"),
            List.of("s3", "heartbeat_timeout", "2026-03-02T10:40:00Z"),
            List.of("s4", "heartbeat_timeout", "2026-03-02T10:30:00Z")),
        BillingHarness.rows(
                "SELECT session_id, end_reason, ended_at FROM billing_sessions"
                    + " ORDER BY session_id")
            .stream()
            .map(
                r ->
                    List.of(
                        r.get(0), r.get(1), ((java.sql.Timestamp) r.get(2)).toInstant().toString()))
            .toList());
  }

  /**
   * The writer heartbeats s2 at {@code heartbeat} in an open transaction; calculate-usage runs at
   * {@code now} until it waits for a lock; the writer then heartbeats s3 in the same transaction
   * (which must not deadlock) and commits, and the run ends without a failure.
   */
  private void writerHoldsS2WhileCalculateUsageRunsAt(
      String now, String heartbeat, String userOfS2, String userOfS3) throws Exception {
    Instant seen = Instant.parse(heartbeat);
    try (Connection writer = TestDatabase.dataSource().getConnection()) {
      writer.setAutoCommit(false);
      try (Statement s = writer.createStatement()) {
        s.execute("SET deadlock_timeout = '10ms'");
      }
      sessions.upsertSessions(writer, List.of(heartbeatOf("s2", userOfS2, seen)));

      CompletableFuture<JobRun> run =
          CompletableFuture.supplyAsync(() -> billing.calculateUsageAt(now));
      TestDatabase.awaitSessionsWaitingForALock(1); // the run, on s2

      assertDoesNotThrow(
          () -> sessions.upsertSessions(writer, List.of(heartbeatOf("s3", userOfS3, seen))),
          "the writer's next row of its batch, s3, deadlocked with calculate-usage");
      writer.commit();

      JobRun done = run.get(30, TimeUnit.SECONDS);
      assertEquals(JobOutcome.SUCCEEDED, done.outcome(), done.message());
    }
  }

  private static SessionRow heartbeatOf(String session, String user, Instant at) {
    return new SessionRow(session, user, at, at, null, user, false, null, null);
  }
}

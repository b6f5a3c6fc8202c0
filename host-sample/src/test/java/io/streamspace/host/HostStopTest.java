package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.jobs.HostScheduler;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobRun;
import io.streamspace.testing.Await;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link Host#close()}, what SIGTERM runs: the job running on the node is waited for while the
 * plugin and the database are still there, and the plugin's journal lease is handed back. The
 * class's host is the one stopped (its own database), so this class holds this test alone.
 */
class HostStopTest extends HostTestBase {

  @Test
  void aStopWaitsForTheJobRunningOnTheNodeWhichEndsWithItsDatabase_andHandsTheLeaseBack()
      throws Exception {
    plugin.gatedJobStarted = new CountDownLatch(1);
    plugin.jobGate = new CountDownLatch(1);
    CompletableFuture<JobRun> run =
        plugin.context.scheduler().runNow("gated").toCompletableFuture();
    assertTrue(plugin.gatedJobStarted.await(30, TimeUnit.SECONDS), "the job is running");

    AtomicReference<Thread> closer = new AtomicReference<>();
    CompletableFuture<Void> closing =
        CompletableFuture.runAsync(
            () -> {
              closer.set(Thread.currentThread());
              host.close();
            });
    // HTTP had nothing in flight: the stop is soon in Quartz's part, waiting for the job
    Await.await(
        Duration.ofSeconds(15),
        Duration.ofMillis(10),
        "the stop waiting for the running job",
        () -> closer.get() != null && inScheduler(closer.get()));
    assertFalse(closing.isDone());

    plugin.jobGate.countDown(); // the job reads the database, then ends
    closing.get(30, TimeUnit.SECONDS);
    JobRun ended = run.get(1, TimeUnit.SECONDS);
    assertEquals(JobOutcome.SUCCEEDED, ended.outcome(), ended.toString());
    assertEquals(1, ended.rowsTouched(), "its connection was valid: " + ended);

    try (Connection connection = DriverManager.getConnection(dbUrl);
        ResultSet rows =
            connection
                .createStatement()
                .executeQuery("SELECT holder FROM host_journal_cursors WHERE plugin_id = 'rec'")) {
      assertTrue(rows.next(), "the plugin held the journal's lease");
      assertNull(rows.getString(1), "handed back");
    }
  }

  private static boolean inScheduler(Thread thread) {
    return Arrays.stream(thread.getStackTrace())
        .anyMatch(frame -> frame.getClassName().equals(HostScheduler.class.getName()));
  }
}

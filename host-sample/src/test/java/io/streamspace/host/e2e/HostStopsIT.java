package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.AcknowledgedSessions.BATCH_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.db.Database;
import io.streamspace.host.support.EmbeddedDatabaseFolder;
import io.streamspace.host.support.HostClient;
import io.streamspace.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stops of {@code java -jar host-sample.jar} on its embedded PostgreSQL other than a crash of
 * both: the host alone killed (its PostgreSQL left running), and SIGTERM in the middle of intake
 * and of a job run. Beside the other ITs, unlike {@link CrashRecoveryIT}: nothing here is timed.
 */
class HostStopsIT {

  private static final String ADMIN_TOKEN = "host-stops-admin-token-0123456789abcdef";

  @TempDir Path work;

  /**
   * {@code kill -9} of the host alone leaves its PostgreSQL running, holding the data folder:
   * every later start failed. The next start stops it, says so in one line, and has the data.
   */
  @Test
  void aServerLeftRunningByAKilledHostIsStoppedAtTheNextStartWhichSaysSoAndHasTheData()
      throws Exception {
    EmbeddedDatabaseFolder database = new EmbeddedDatabaseFolder(work.resolve("data"));
    List<String> acknowledged;
    // the handle, not the pid: it knows the process's start time, so that neither isAlive nor
    // destroy mistakes a later process given the same pid for it (pids wrap at 32,768 here)
    ProcessHandle leftover;
    try (HostProcess host = HostProcess.start(work, ADMIN_TOKEN, List.of())) {
      acknowledged = AcknowledgedSessions.post(host, ADMIN_TOKEN, "alone", 2);
      leftover = ProcessHandle.of(database.postmasterPid()).orElseThrow();
      host.killForcibly();
    }
    assertTrue(leftover.isAlive(), "the server outlives its host");

    try (HostProcess restarted = HostProcess.start(work, ADMIN_TOKEN, List.of())) {
      assertFalse(leftover.isAlive(), "the leftover is stopped");
      List<String> said = restarted.outputLinesWith("Stopped the embedded PostgreSQL");
      assertEquals(1, said.size(), said.toString());
      assertTrue(said.get(0).contains("(pid " + leftover.pid() + ")"), said.get(0));
      new BillingApi(restarted.port, ADMIN_TOKEN).awaitCaughtUp("billing");
      AcknowledgedSessions.assertAllStored(database, acknowledged);
    } finally {
      // when the restart failed, the leftover must not outlive the test
      leftover.destroy();
    }
  }

  /**
   * SIGTERM (a normal stop: a deploy, {@code docker stop}) while a platform posts batches and
   * while calculate-usage runs: intake stops (a batch after it is refused, 503 or no
   * connection), the batches and the job run in flight end, the plugin unloads and hands its
   * journal lease back, and only then the embedded PostgreSQL stops. Before, Zonky's own shutdown
   * hook stopped PostgreSQL at once, beside the host's: the log showed ERRORs and 57P01
   * ("terminating connection due to administrator command") and the lease was left held. One
   * host start; the drain ends as the job ends, so the stop takes about a second here.
   */
  @Test
  void aSigtermDuringIntakeAndAJobRunEndsBothLogsNoErrorAndHandsTheJournalLeaseBack()
      throws Exception {
    EmbeddedDatabaseFolder database = new EmbeddedDatabaseFolder(work.resolve("data"));
    List<String> acknowledged = new ArrayList<>();
    CompletableFuture<HostClient.Response> jobRun;
    try (HostProcess host = HostProcess.start(work, ADMIN_TOKEN, List.of())) {
      BillingApi api = new BillingApi(host.port, ADMIN_TOKEN);
      String platformToken = api.token("platform-1", "platform");
      // ended sessions of the last full hour, for calculate-usage to rate
      Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);
      List<Map<String, Object>> ended = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        ended.add(Events.sessionCreated("rated-" + i, "user-" + i, start, "1", "2", "0"));
        ended.add(Events.sessionTerminated("rated-" + i, "user-" + i, start.plusSeconds(3600)));
      }
      acknowledged.addAll(eventIds(ended, api.postEvents(platformToken, ended)));
      api.awaitCaughtUp("billing");

      // calculate-usage waits in its rating statement for a session row the test holds
      try (Connection lock = database.connect()) {
        lock.setAutoCommit(false);
        lock.createStatement()
            .execute("SELECT 1 FROM billing_sessions WHERE session_id = 'rated-0' FOR UPDATE");
        jobRun =
            CompletableFuture.supplyAsync(
                () ->
                    api.http.post(
                        "/api/plugins/billing/jobs/calculate-usage",
                        ADMIN_TOKEN,
                        BillingApi.RUN_REASON));
        new OperatorDatabase(database.url()).awaitBlockedBy(List.of(lock));

        Platform platform = new Platform(api, platformToken);
        CompletableFuture<Void> posting = CompletableFuture.runAsync(platform);
        Await.await(
            Duration.ofSeconds(30),
            Duration.ofMillis(10),
            "three batches acknowledged",
            () -> platform.acknowledged.size() >= 3 * BATCH_SIZE || posting.isDone());
        host.process.destroy(); // SIGTERM, in the middle of intake and of the job run
        posting.get(30, TimeUnit.SECONDS); // the platform stops at the first batch refused
        acknowledged.addAll(platform.acknowledged);
        System.out.printf(
            "SIGTERM: %d events acknowledged, then %s%n",
            platform.acknowledged.size(), platform.refusal);
        lock.rollback(); // the job's statement goes on, while the host drains
      }
      assertTrue(host.process.waitFor(60, TimeUnit.SECONDS), "the host stopped");
    }

    HostClient.Response run = jobRun.get(10, TimeUnit.SECONDS);
    assertEquals(200, run.status(), "the run in flight was answered: " + run);
    assertEquals("succeeded", run.body().get("outcome").asText(), run.toString());
    List<String> logged = Files.readAllLines(HostProcess.logFile(work));
    assertTrue(
        logged.stream().anyMatch(line -> line.contains("Plugin billing stopped")), "stopped");
    List<String> wrong =
        logged.stream()
            .filter(
                line ->
                    line.contains(" ERROR ")
                        || line.contains("57P01")
                        || line.contains("terminating connection")
                        || line.startsWith("\tat "))
            .toList();
    assertEquals(List.of(), wrong, "no ERROR, no 57P01, no stack trace in the host's log");

    // read as an operator would, on the stopped host's own folder
    try (Database stopped = Database.embedded(work.resolve("data"), false);
        Connection connection = stopped.dataSource().getConnection()) {
      try (PreparedStatement lease =
              connection.prepareStatement(
                  "SELECT holder, lease_until FROM host_journal_cursors WHERE plugin_id = 'billing'");
          ResultSet rows = lease.executeQuery()) {
        assertTrue(rows.next());
        assertEquals(null, rows.getString(1), "the lease is handed back");
        assertEquals(null, rows.getTimestamp(2));
      }
      try (PreparedStatement journaled =
          connection.prepareStatement(
              "SELECT count(*) FROM host_journal WHERE event_id = ANY (?)")) {
        journaled.setArray(1, connection.createArrayOf("text", acknowledged.toArray()));
        try (ResultSet rows = journaled.executeQuery()) {
          rows.next();
          assertEquals(acknowledged.size(), rows.getLong(1), "every event answered 202 journaled");
        }
      }
    }
  }

  /** The ids of {@code events}, all accepted in {@code answer}. */
  private static List<String> eventIds(List<Map<String, Object>> events, JsonNode answer) {
    assertEquals(events.size(), answer.get("accepted").asInt(), answer.toString());
    return events.stream().map(event -> (String) event.get("id")).toList();
  }

  /**
   * A platform posting batches of new sessions, one after another, until one is not acknowledged
   * (refused or unanswered): the host is stopping.
   */
  private static final class Platform implements Runnable {
    final BillingApi api;
    final String token;
    final List<String> acknowledged = new CopyOnWriteArrayList<>();
    volatile String refusal;

    Platform(BillingApi api, String token) {
      this.api = api;
      this.token = token;
    }

    @Override
    public void run() {
      Instant at = Instant.now().minus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
      for (int batch = 0; ; batch++) {
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < BATCH_SIZE; i++) {
          events.add(
              Events.sessionCreated(
                  "sigterm-" + batch + "-" + i, "user-" + i % 10, at, "1", "2", "0"));
        }
        HostClient.Response answer;
        try {
          answer = api.http.post("/api/platform/events", token, HostClient.json(events));
        } catch (IllegalStateException unanswered) {
          refusal = "no answer (" + unanswered.getCause() + ")";
          return;
        }
        if (answer.status() != 202) {
          refusal = "answered " + answer.status();
          return;
        }
        acknowledged.addAll(eventIds(events, answer.body()));
      }
    }
  }
}

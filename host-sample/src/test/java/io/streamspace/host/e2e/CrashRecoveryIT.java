package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.support.EmbeddedDatabaseFolder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes of {@code java -jar host-sample.jar} on its embedded PostgreSQL, as processes: the
 * host starts again, and what it acknowledged (202) is there.
 */
class CrashRecoveryIT {

  private static final String ADMIN_TOKEN = "crash-recovery-admin-token-0123456789abcdef";
  private static final int BATCHES = 20;
  private static final int BATCH_SIZE = 50;

  @TempDir Path work;

  /**
   * The README's promise, "a 202 means the batch is durably journaled": 1,000 sessions posted in
   * batches, then the host and every PostgreSQL process killed with SIGKILL within 0.1 s of the
   * last 202. With Zonky's test defaults (no fsync, no synchronous commit) hundreds were gone.
   */
  @Test
  void everySessionAcknowledgedBeforeTheHostAndItsDatabaseAreKilledIsThereAfterARestart()
      throws Exception {
    EmbeddedDatabaseFolder database = new EmbeddedDatabaseFolder(work.resolve("data"));
    List<String> acknowledged = new ArrayList<>();
    Duration sinceLastAcknowledgement;
    try (HostProcess host = HostProcess.start(work, ADMIN_TOKEN, List.of())) {
      acknowledged.addAll(postSessions(host, "crash", BATCHES));
      long lastAcknowledged = System.nanoTime();
      List<ProcessHandle> killed =
          killEverything(host.process.toHandle(), database.postmasterPid());
      sinceLastAcknowledgement = Duration.ofNanos(System.nanoTime() - lastAcknowledged);
      killed.forEach(process -> process.onExit().join());
    }
    assertTrue(
        sinceLastAcknowledgement.toMillis() < 100,
        "killed " + sinceLastAcknowledgement + " after the last 202");

    try (HostProcess restarted = HostProcess.start(work, ADMIN_TOKEN, List.of())) {
      // journaled before each 202; the plugin has it once it has consumed the journal (the dead
      // node's lease runs out first)
      new BillingApi(restarted.port, ADMIN_TOKEN).awaitCaughtUp("billing");
      assertAllStored(database, acknowledged);
    }
  }

  /**
   * {@code kill -9} of the host alone leaves its PostgreSQL running, holding the data folder:
   * every later start failed. The next start stops it, says so in one line, and has the data.
   */
  @Test
  void aServerLeftRunningByAKilledHostIsStoppedAtTheNextStartWhichSaysSoAndHasTheData()
      throws Exception {
    EmbeddedDatabaseFolder database = new EmbeddedDatabaseFolder(work.resolve("data"));
    List<String> acknowledged;
    long leftover;
    try (HostProcess host = HostProcess.start(work, ADMIN_TOKEN, List.of())) {
      acknowledged = postSessions(host, "alone", 2);
      leftover = database.postmasterPid();
      host.killForcibly();
    }
    assertTrue(
        ProcessHandle.of(leftover).map(ProcessHandle::isAlive).orElse(false),
        "the server outlives its host");

    try (HostProcess restarted = HostProcess.start(work, ADMIN_TOKEN, List.of())) {
      assertFalse(
          ProcessHandle.of(leftover).map(ProcessHandle::isAlive).orElse(false),
          "the leftover is stopped");
      List<String> said = restarted.outputLinesWith("Stopped the embedded PostgreSQL");
      assertEquals(1, said.size(), said.toString());
      assertTrue(said.get(0).contains("(pid " + leftover + ")"), said.get(0));
      new BillingApi(restarted.port, ADMIN_TOKEN).awaitCaughtUp("billing");
      assertAllStored(database, acknowledged);
    } finally {
      // when the restart failed, the leftover must not outlive the test
      ProcessHandle.of(leftover).ifPresent(ProcessHandle::destroy);
    }
  }

  /** Posts {@code batches} batches of new sessions and answers their ids, each batch acknowledged (202). */
  private static List<String> postSessions(HostProcess host, String prefix, int batches) {
    BillingApi api = new BillingApi(host.port, ADMIN_TOKEN);
    String platformToken = api.token("platform-1", "platform");
    Instant at = Instant.now().minus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
    List<String> acknowledged = new ArrayList<>();
    for (int batch = 0; batch < batches; batch++) {
      List<Map<String, Object>> events = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < BATCH_SIZE; i++) {
        String session = prefix + "-" + batch + "-" + i;
        ids.add(session);
        events.add(Events.sessionCreated(session, prefix + "-user-" + i % 10, at, "1", "2", "0"));
      }
      assertEquals(BATCH_SIZE, api.postEvents(platformToken, events).get("accepted").asInt());
      acknowledged.addAll(ids);
    }
    return acknowledged;
  }

  /**
   * SIGKILL to the host and to the postmaster and all its children (WAL writer included), as
   * fast as they can be sent; answers the processes killed.
   */
  private static List<ProcessHandle> killEverything(ProcessHandle host, long postmasterPid) {
    ProcessHandle postmaster = ProcessHandle.of(postmasterPid).orElseThrow();
    List<ProcessHandle> processes =
        Stream.concat(Stream.of(host, postmaster), postmaster.descendants()).toList();
    processes.forEach(ProcessHandle::destroyForcibly);
    return processes;
  }

  private static void assertAllStored(EmbeddedDatabaseFolder database, List<String> acknowledged)
      throws SQLException {
    Set<String> stored = new HashSet<>();
    try (Connection connection = database.connect();
        ResultSet rows =
            connection.createStatement().executeQuery("SELECT session_id FROM billing_sessions")) {
      while (rows.next()) {
        stored.add(rows.getString(1));
      }
    }
    List<String> lost = acknowledged.stream().filter(id -> !stored.contains(id)).toList();
    assertEquals(
        0,
        lost.size(),
        lost.size()
            + " of "
            + acknowledged.size()
            + " acknowledged sessions lost, first "
            + lost.subList(0, Math.min(5, lost.size())));
  }
}

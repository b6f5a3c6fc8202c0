package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.support.EmbeddedDatabaseFolder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  @TempDir Path work;

  /**
   * The promise of docs/operator-guide.md ("What a 202 means"), "the batch is committed to the
   * journal": 1,000 sessions posted in batches, then the host and every PostgreSQL process killed
   * with SIGKILL within 0.1 s of the last 202. With Zonky's test defaults (no fsync, no
   * synchronous commit) hundreds were gone.
   */
  @Test
  void everySessionAcknowledgedBeforeTheHostAndItsDatabaseAreKilledIsThereAfterARestart()
      throws Exception {
    EmbeddedDatabaseFolder database = new EmbeddedDatabaseFolder(work.resolve("data"));
    List<String> acknowledged = new ArrayList<>();
    Duration sinceLastAcknowledgement;
    try (HostProcess host = HostProcess.start(work, ADMIN_TOKEN, List.of())) {
      acknowledged.addAll(AcknowledgedSessions.post(host, ADMIN_TOKEN, "crash", BATCHES));
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
      AcknowledgedSessions.assertAllStored(database, acknowledged);
    }
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
}

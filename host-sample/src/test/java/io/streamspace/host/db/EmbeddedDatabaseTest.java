package io.streamspace.host.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.streamspace.host.Host;
import io.streamspace.host.HostOptions;
import io.streamspace.host.support.EmbeddedDatabaseFolder;
import io.streamspace.host.support.JavaProcess;
import io.streamspace.host.support.LogCapture;
import io.streamspace.testing.Await;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL a host starts when it is given no database URL: durable, on loopback
 * only, behind a password kept in the data folder, and able to start on folders an older host
 * or a killed one left behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedDatabaseTest {

  private static final String ADMIN_TOKEN = "embedded-database-test-admin-token-0123456789";

  @TempDir static Path work;
  private Host host;
  private EmbeddedDatabaseFolder folder;

  @BeforeAll
  void startAHostWithDefaultOptions() {
    Path dataDir = work.resolve("default");
    host = Host.start(options(dataDir).build());
    folder = new EmbeddedDatabaseFolder(dataDir);
  }

  @AfterAll
  void stopHost() {
    host.close();
  }

  private HostOptions.Builder options(Path dataDir) {
    return HostOptions.builder()
        .port(0)
        .quickStopForTests()
        .dataDir(dataDir)
        .pluginsDir(work.resolve("no-plugins"))
        .secrets(Map.of("BILLING_ADMIN_TOKEN", ADMIN_TOKEN));
  }

  @Test
  void aDefaultStartedHostsDatabaseWritesEveryCommitToDiskBeforeItIsAcknowledged()
      throws SQLException {
    assertEquals("on", folder.show("fsync"));
    assertEquals("on", folder.show("synchronous_commit"));
    assertEquals("on", folder.show("full_page_writes"));
  }

  @Test
  void aDefaultStartedHostsDatabaseCheckpointsAtMostEvery4GbOfWalOr15Minutes() throws SQLException {
    assertEquals("4GB", folder.show("max_wal_size"));
    assertEquals("15min", folder.show("checkpoint_timeout"));
  }

  @Test
  void aDefaultStartedHostsDatabaseWritesWhatItsBackendsEvictOutEvery256Kb() throws SQLException {
    assertEquals("256kB", folder.show("backend_flush_after"));
  }

  @Test
  void aDefaultStartedHostsDatabaseCachesAQuarterOfWhatTheHeapLeavesOfTheMachineUpTo1Gb()
      throws SQLException {
    try (Connection connection = folder.connect();
        PreparedStatement sizes =
            connection.prepareStatement(
                "SELECT pg_size_bytes(current_setting('shared_buffers')), pg_size_bytes(?)")) {
      sizes.setString(1, EmbeddedServer.sharedBuffers());
      try (ResultSet bytes = sizes.executeQuery()) {
        bytes.next();
        assertEquals(bytes.getLong(2), bytes.getLong(1));
      }
    }
  }

  @Test
  void theCacheIsAQuarterOfWhatTheHeapLeaves_neverUnderPostgresqlsDefaultNorOver1Gb() {
    long mb = 1024L * 1024;
    // the Docker image's heap: three quarters of the container's memory
    assertEquals("128MB", EmbeddedServer.sharedBuffers(2048 * mb, 1536 * mb), "2 GB: the default");
    assertEquals("256MB", EmbeddedServer.sharedBuffers(4096 * mb, 3072 * mb));
    assertEquals("512MB", EmbeddedServer.sharedBuffers(3072 * mb, 1024 * mb));
    assertEquals("1024MB", EmbeddedServer.sharedBuffers(24 * 1024 * mb, 6 * 1024 * mb));
    assertEquals("128MB", EmbeddedServer.sharedBuffers(0, 1024 * mb), "memory unknown");
    assertEquals(
        "128MB", EmbeddedServer.sharedBuffers(1024 * mb, Long.MAX_VALUE), "heap unbounded");
  }

  @Test
  void theServerListensOnLoopbackOnlyAndHasNoUnixSocket() throws Exception {
    assertEquals("127.0.0.1", folder.show("listen_addresses"));
    assertEquals("", folder.show("unix_socket_directories"));
    Optional<InetAddress> otherAddress = nonLoopbackAddress();
    if (otherAddress.isPresent()) {
      try (Socket socket = new Socket()) {
        assertThrows(
            ConnectException.class,
            () -> socket.connect(new InetSocketAddress(otherAddress.get(), folder.port()), 2_000));
      }
    }
  }

  @Test
  void connectingWithoutThePasswordOrWithAWrongOneIsRefused() throws SQLException {
    assertThrows(SQLException.class, () -> folder.connect(null).close());
    SQLException wrong =
        assertThrows(SQLException.class, () -> folder.connect("not-the-password").close());
    assertEquals("28P01", wrong.getSQLState(), "invalid_password");
    try (Connection withPassword = folder.connect()) {
      assertTrue(withPassword.isValid(2));
    }
  }

  @Test
  void thePasswordFileIsReadableByTheHostsUserOnly() throws IOException {
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.passwordFile())));
    assertTrue(folder.password().length() >= 40, "a long random password");
  }

  @Test
  void aTestHostMayTradeCrashSafetyForSpeedOnlyByNamingItAndTheHostWarns() throws SQLException {
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Logger databaseLog = (Logger) LoggerFactory.getLogger(Database.class);
    logged.start();
    databaseLog.addAppender(logged);
    Path dataDir = work.resolve("unsafe");
    try (Host unsafe = Host.start(options(dataDir).unsafeFastEmbeddedDatabaseForTests().build())) {
      assertEquals("off", new EmbeddedDatabaseFolder(dataDir).show("fsync"));
      assertEquals("off", new EmbeddedDatabaseFolder(dataDir).show("synchronous_commit"));
    } finally {
      databaseLog.detachAppender(logged);
    }
    List<ILoggingEvent> warnings =
        logged.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(
        warnings.get(0).getFormattedMessage().contains("a crash can lose acknowledged events"));
  }

  @Test
  void aDataFolderMadeBeforePasswordsKeepsItsDataAndNowRequiresThePassword() throws Exception {
    Path dataDir = work.resolve("trusting");
    EmbeddedDatabaseFolder trusting = new EmbeddedDatabaseFolder(dataDir);
    // as the host made folders before: Zonky's defaults, every local connection trusted
    try (EmbeddedPostgres old =
            EmbeddedPostgres.builder()
                .setDataDirectory(trusting.pgDir())
                .setCleanDataDirectory(false)
                .start();
        Connection connection = old.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('written before')");
    }

    try (Database database = Database.embedded(dataDir, false);
        Connection connection = database.dataSource().getConnection();
        ResultSet kept = connection.createStatement().executeQuery("SELECT note FROM kept")) {
      assertTrue(kept.next());
      assertEquals("written before", kept.getString(1));
      assertThrows(SQLException.class, () -> trusting.connect(null).close());
      assertThrows(SQLException.class, () -> trusting.connect("not-the-password").close());
      assertEquals(
          EmbeddedServer.PG_HBA, Files.readString(trusting.pgDir().resolve("pg_hba.conf")));
    }
  }

  /**
   * PostgreSQL counts a postmaster alive while {@code kill(pid, 0)} succeeds: also for a zombie
   * (a killed postmaster its new parent has not reaped yet, the first second after a kill) and
   * for a pid another program has taken since. The host starts on the first try all the same.
   */
  @Test
  void aPidFileNamingAProcessGoneAZombieOrAnotherProgramDoesNotPreventTheFirstStart()
      throws Exception {
    Path dataDir = work.resolve("stale");
    Path pidFile = dataDir.resolve("pg").resolve("postmaster.pid");
    List<String> pidFileOfARunningServer;
    try (Database database = Database.embedded(dataDir, false)) {
      pidFileOfARunningServer = Files.readAllLines(pidFile);
    }
    // a shell that starts a child and becomes a program that never reaps it: a zombie once the
    // child ends. The child outlives the shell's exec by a second: a child ended before it, the
    // shell itself may reap (seen on a loaded machine: the pid was gone, not a zombie).
    Process zombiesParent =
        new ProcessBuilder("sh", "-c", "sleep 1 & echo $!; exec sleep 60").start();
    try {
      long zombie =
          Long.parseLong(
              new BufferedReader(new InputStreamReader(zombiesParent.getInputStream()))
                  .readLine()
                  .strip());
      Await.await(
          Duration.ofSeconds(10),
          Duration.ofMillis(10),
          "the child a zombie",
          () -> processState(zombie) == 'Z');
      assertTrue(
          ProcessHandle.of(zombie).map(ProcessHandle::isAlive).orElse(false),
          "Java too counts a zombie alive");
      Map<String, Long> named = new LinkedHashMap<>();
      named.put("a process gone", pidOfAFinishedProcess());
      named.put("a zombie", zombie);
      named.put("another program", zombiesParent.pid());
      for (Map.Entry<String, Long> stale : named.entrySet()) {
        List<String> lines = new ArrayList<>(pidFileOfARunningServer);
        lines.set(0, Long.toString(stale.getValue()));
        Files.write(pidFile, lines);

        List<String> logged =
            LogCapture.during(
                () -> {
                  try (Database database = Database.embedded(dataDir, false)) {
                    assertTrue(database.isAvailable(), stale.getKey());
                  }
                });
        assertTrue(
            logged.contains(
                "INFO Removed the stale postmaster.pid in "
                    + pidFile.getParent()
                    + ": its pid "
                    + stale.getValue()
                    + " is no server of the folder (exited, a zombie or another program) and no"
                    + " process works there"),
            stale.getKey() + ": " + logged);
      }
    } finally {
      zombiesParent.destroyForcibly();
    }
  }

  @Test
  void aFolderWhosePasswordFileWasLostIsRefusedAtOnceNamingTheFile() throws Exception {
    Path dataDir = work.resolve("lost-password");
    try (Database database = Database.embedded(dataDir, false)) {
      assertTrue(database.isAvailable());
    }
    Files.delete(dataDir.resolve("db-password"));

    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> Database.embedded(dataDir, false));
    assertTrue(refused.getMessage().contains("db-password"), refused.getMessage());
  }

  /** A host's database in a JVM of its own, to be killed as {@code kill -9} kills a host. */
  public static final class KilledHost {
    public static void main(String[] args) {
      Database.embedded(Path.of(args[0]), false);
      System.out.println(READY);
    }

    static final String READY = "database started";
  }

  @Test
  void aServerAKilledHostLeftRunningOnTheFolderIsStoppedAndTheFolderUsedAgain() throws Exception {
    Path dataDir = work.resolve("leftover");
    EmbeddedDatabaseFolder leftover = new EmbeddedDatabaseFolder(dataDir);
    Process killedHost =
        JavaProcess.of(KilledHost.class, List.of(dataDir.toString()))
            .redirectErrorStream(true)
            .start();
    try {
      awaitLine(killedHost, KilledHost.READY);
    } finally {
      killedHost.destroyForcibly(); // SIGKILL: the JVM is gone, its PostgreSQL is not
    }
    killedHost.waitFor();
    ProcessHandle server = ProcessHandle.of(leftover.postmasterPid()).orElseThrow();
    assertTrue(server.isAlive(), "the killed host's server runs on");

    List<String> logged =
        LogCapture.during(
            () -> {
              try (Database database = Database.embedded(dataDir, false)) {
                assertTrue(database.isAvailable());
                assertNotEquals(server.pid(), leftover.postmasterPid());
              }
            });

    // stopped before the new server started; its process may take a moment more to be gone
    Await.await(
        Duration.ofSeconds(10),
        Duration.ofMillis(50),
        "the leftover server stopped",
        () -> !server.isAlive());
    assertTrue(
        logged.contains(
            "WARN Stopped the embedded PostgreSQL (pid "
                + server.pid()
                + ") that a host which did not shut down left running on "
                + leftover.pgDir()
                + "; starting it again"),
        logged.toString());
  }

  /** Reads the process's output until {@code expected} is a line of it. */
  private static void awaitLine(Process process, String expected) throws IOException {
    BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream()));
    StringBuilder said = new StringBuilder();
    for (String line = output.readLine(); line != null; line = output.readLine()) {
      if (line.equals(expected)) {
        return;
      }
      said.append(line).append('\n');
    }
    throw new AssertionError("the process ended before saying " + expected + ": " + said);
  }

  /** The state letter of {@code /proc/<pid>/stat}: after the command, which may hold spaces. */
  private static char processState(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    return stat.charAt(stat.lastIndexOf(')') + 2);
  }

  private static long pidOfAFinishedProcess() throws Exception {
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    return finished.pid();
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
    return NetworkInterface.networkInterfaces()
        .flatMap(NetworkInterface::inetAddresses)
        .filter(address -> address instanceof Inet4Address && !address.isLoopbackAddress())
        .findFirst();
  }
}

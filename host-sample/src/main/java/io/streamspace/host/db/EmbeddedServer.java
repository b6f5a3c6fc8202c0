package io.streamspace.host.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the embedded PostgreSQL (Zonky) the way a product needs it, not as Zonky's test
 * defaults have it: durable, on loopback only, and behind a password.
 */
final class EmbeddedServer {

  /** Who may connect: with the password, on loopback only (the server listens nowhere else). */
  static final String PG_HBA =
      """
      # Written by the host at every start: every connection needs the password the host keeps
      # in its data folder (db-password).
      # TYPE  DATABASE  USER  ADDRESS       METHOD
      local   all       all                 scram-sha-256
      host    all       all   127.0.0.1/32  scram-sha-256
      """;

  static final String SUPERUSER = "postgres";

  /**
   * Checkpoints far enough apart for the write rate of busy intake. With PostgreSQL's defaults
   * (1 GB, 5 min) intake at 30,000 events/s beside calculate-usage asked for a checkpoint every
   * 7–11 s, each ending in an fsync of the data files that held every commit's WAL flush behind
   * it: a third to a half of intake's slowest batches met one (docs/benchmark-history.md, run AH).
   * The cost: more WAL on disk under load (up to about this much) and a longer replay after a
   * crash.
   */
  private static final String MAX_WAL_SIZE = "4GB";

  private static final String CHECKPOINT_TIMEOUT = "15min";

  /**
   * How much a backend writes to the data files before it asks the kernel to write it to disk.
   * PostgreSQL's default (0: never) leaves the pages its backends evict dirty in the kernel's
   * cache, which under busy intake grew by 20–40 MB/s to a gigabyte and more, written out every
   * 30 s or so in one burst of a few tenths of a second during which every commit's WAL flush
   * waited: 3 to 5 of the 10 slowest batches beside calculate-usage met one, and the slowest took
   * 0.5–0.7 s (docs/benchmark-history.md, run AI).
   */
  private static final String BACKEND_FLUSH_AFTER = "256kB";

  /** PostgreSQL's default buffer cache, the least the server is given. */
  private static final long LEAST_SHARED_BUFFERS_MB = 128;

  /** The most: what run AU measured (docs/benchmark-history.md). */
  private static final long MOST_SHARED_BUFFERS_MB = 1024;

  /**
   * How long the host waits for the server to accept connections. Zonky's default, 10 s, is too
   * short for a start after a crash: the server first replays the WAL written since its last
   * checkpoint, up to about {@link #MAX_WAL_SIZE} of it, before it accepts any connection, and on
   * a loaded machine even a start with little to replay took longer (a CI run: "Gave up waiting
   * for server to start after 10000ms"). Giving up early is worse than waiting: the next start
   * stops the server left recovering (LeftoverServer) and its replay begins again. The price: a
   * server that cannot start at all is reported only after this wait.
   */
  private static final Duration START_WAIT = Duration.ofMinutes(5);

  private static final Logger log = LoggerFactory.getLogger(EmbeddedServer.class);

  private EmbeddedServer() {}

  /**
   * Starts the server on {@code pgDir} (initialising it the first time), after stopping one a
   * killed host left running there, with the password of {@code dataDir}'s password file.
   *
   * @param durable false only for tests: no fsync, no synchronous commit, no full-page writes,
   *     so a crash may lose what was acknowledged
   */
  static EmbeddedPostgres start(Path dataDir, Path pgDir, String password, boolean durable) {
    LeftoverServer.stopIfAny(pgDir);
    EmbeddedPostgres postgres;
    try {
      postgres =
          durability(EmbeddedPostgres.builder(), durable)
              .setDataDirectory(pgDir)
              .setCleanDataDirectory(false)
              .setPGStartupWait(START_WAIT)
              .setServerConfig("listen_addresses", "127.0.0.1")
              // no Unix socket: the server is reached over loopback TCP only
              .setServerConfig("unix_socket_directories", "")
              .setServerConfig("password_encryption", "scram-sha-256")
              .setServerConfig("max_wal_size", MAX_WAL_SIZE)
              .setServerConfig("checkpoint_timeout", CHECKPOINT_TIMEOUT)
              .setServerConfig("backend_flush_after", BACKEND_FLUSH_AFTER)
              .setServerConfig("shared_buffers", sharedBuffers())
              // Zonky hands its "locale config" to initdb as --key=value options, the only way
              // to give initdb others: a new folder has its password and password-only access
              // from the start
              .setLocaleConfig("pwfile", DatabasePassword.file(dataDir).toAbsolutePath().toString())
              .setLocaleConfig("auth-local", "scram-sha-256")
              .setLocaleConfig("auth-host", "scram-sha-256")
              // used by Zonky's own readiness check
              .setConnectConfig("password", password)
              // Zonky's own JVM shutdown hook would stop the server at SIGTERM alongside the
              // host's, seconds before the plugins and jobs using it stop (57P01): the host stops
              // it itself, last (Host's shutdown hook, Database.close)
              .setRegisterShutdownHook(false)
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start embedded PostgreSQL in " + pgDir, e);
    }
    try {
      requirePassword(postgres, pgDir, password);
    } catch (RuntimeException e) {
      closeQuietly(postgres);
      throw e;
    }
    return postgres;
  }

  /**
   * The server's buffer cache: a quarter of the memory the host's heap may leave it ({@code
   * machineBytes}, a container's limit as the JVM sees it, less {@code maxHeapBytes}), from
   * PostgreSQL's default, 128 MB, to 1 GB. In the Docker image, whose heap may take three
   * quarters of the container's memory, a 2 GB container keeps the default and a 4 GB one gets
   * 256 MB; the rest of what the heap leaves is the server's backends' (a chunk of calculate-usage
   * sorts in up to 128 MB) and the system's. The billing module's benchmark of calculate-usage
   * alone cost a mean 2.05 times a COPY of its rows in a server's first run with the default,
   * 1.86 times with 1 GB (docs/benchmark-history.md, run AU).
   */
  static String sharedBuffers(long machineBytes, long maxHeapBytes) {
    long quarterLeftMb = Math.max(0, machineBytes - maxHeapBytes) / 4 / (1024 * 1024);
    return Math.max(LEAST_SHARED_BUFFERS_MB, Math.min(MOST_SHARED_BUFFERS_MB, quarterLeftMb))
        + "MB";
  }

  /** {@link #sharedBuffers(long, long)} of this machine and this JVM's heap. */
  static String sharedBuffers() {
    return sharedBuffers(machineMemoryBytes(), Runtime.getRuntime().maxMemory());
  }

  /** The machine's memory as the JVM sees it; 0 (so the least cache) where it cannot tell. */
  private static long machineMemoryBytes() {
    try {
      return ManagementFactory.getOperatingSystemMXBean()
              instanceof com.sun.management.OperatingSystemMXBean memory
          ? memory.getTotalMemorySize()
          : 0;
    } catch (LinkageError e) {
      // a runtime without the jdk.management module
      return 0;
    }
  }

  /**
   * Zonky's defaults run without fsync ({@code -F}) and synchronous commit: fast for tests, but
   * a crash can lose acknowledged writes. The product keeps the promise of docs/operator-guide.md
   * ("Embedded or external PostgreSQL": a 202 survives a crash of the machine) instead.
   */
  private static EmbeddedPostgres.Builder durability(
      EmbeddedPostgres.Builder builder, boolean durable) {
    String setting = durable ? "on" : "off";
    return builder
        .setServerConfig("fsync", setting)
        .setServerConfig("synchronous_commit", setting)
        .setServerConfig("full_page_writes", setting);
  }

  /**
   * Makes {@link #PG_HBA} the access rules, reloaded at once. A folder made before the host set a
   * password (every local connection trusted) gets the password first, so it keeps working.
   */
  private static void requirePassword(EmbeddedPostgres postgres, Path pgDir, String password) {
    Path hba = pgDir.resolve("pg_hba.conf");
    try {
      String rules = Files.readString(hba);
      if (rules.equals(PG_HBA)) {
        return;
      }
      try (Connection connection = postgres.getPostgresDatabase().getConnection();
          Statement statement = connection.createStatement()) {
        // DDL takes no parameters; the password's letters (base64url) need no quoting
        statement.execute("ALTER ROLE " + SUPERUSER + " PASSWORD '" + password + "'");
        Path partial = Files.writeString(pgDir.resolve("pg_hba.conf.partial"), PG_HBA);
        Files.move(
            partial, hba, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        statement.execute("SELECT pg_reload_conf()");
      }
      if (rules.lines().anyMatch(EmbeddedServer::trusts)) {
        log.info(
            "The embedded PostgreSQL in {} accepted local connections without a password; "
                + "it now requires the one in {}",
            pgDir,
            DatabasePassword.FILE_NAME);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + hba, e);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cannot set the embedded PostgreSQL's password in " + pgDir, e);
    }
  }

  /** True when {@code pgDir} holds a server that already requires the host's password. */
  static boolean requiresPassword(Path pgDir) {
    try {
      return Files.readString(pgDir.resolve("pg_hba.conf")).equals(PG_HBA);
    } catch (IOException e) {
      return false;
    }
  }

  /** An access rule (not a comment) with the trust method. */
  private static boolean trusts(String line) {
    String rule = line.strip();
    return !rule.startsWith("#") && rule.matches(".*\\s+trust(\\s.*)?");
  }

  private static void closeQuietly(EmbeddedPostgres postgres) {
    try {
      postgres.close();
    } catch (IOException e) {
      log.warn("Embedded PostgreSQL did not stop cleanly", e);
    }
  }
}

package io.streamspace.host.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's PostgreSQL: an external server by JDBC URL, or an embedded real PostgreSQL whose
 * data survives restarts. One HikariCP pool serves the host, Quartz and every plugin.
 */
public final class Database implements AutoCloseable {

  /**
   * The database cannot be used until the operator changes something (another host holds the
   * folder, the server cannot be reached...); the message says what, in one line.
   */
  public static final class Refused extends IllegalStateException {
    Refused(String message) {
      super(message);
    }

    Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final Logger log = LoggerFactory.getLogger(Database.class);

  /** Host threads, Quartz threads and plugin write-behind flushers share it. */
  private static final int POOL_SIZE = 16;

  /** How long a caller waits for a connection before its request fails. */
  private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);

  /** How long checking a pooled connection (and the health check) may take. */
  private static final Duration VALIDATION_TIMEOUT = Duration.ofSeconds(1);

  private final HikariDataSource pool;
  private final EmbeddedPostgres embedded;

  private Database(HikariDataSource pool, EmbeddedPostgres embedded) {
    this.pool = pool;
    this.embedded = embedded;
  }

  /**
   * Connects to {@code jdbcUrl}. User and password may sit in the URL's query
   * ({@code ?user=x&password=y}, read by the driver) or in {@code BILLING_DB_USER} /
   * {@code BILLING_DB_PASSWORD} of {@code secrets}.
   */
  public static Database external(String jdbcUrl, Map<String, String> secrets) {
    HikariConfig config = poolConfig(jdbcUrl);
    String user = secrets.get("BILLING_DB_USER");
    if (user != null && !user.isBlank()) {
      config.setUsername(user);
    }
    String password = secrets.get("BILLING_DB_PASSWORD");
    if (password != null) {
      config.setPassword(password);
    }
    requireReachable(config);
    log.info("Using PostgreSQL at {}", withoutQuery(jdbcUrl));
    return new Database(new HikariDataSource(config), null);
  }

  /**
   * Starts an embedded PostgreSQL keeping its data under {@code dataDir/pg}, and its password in
   * {@code dataDir/db-password}.
   *
   * @param durable false only for tests: the server then skips fsync and synchronous commit, so
   *     a crash can lose acknowledged writes (logged as a warning)
   */
  public static Database embedded(Path dataDir, boolean durable) {
    Path pgDir = dataDir.resolve("pg");
    if (!durable) {
      log.warn(
          "The embedded PostgreSQL in {} runs without fsync and synchronous commit"
              + " (a test option): a crash can lose acknowledged events",
          pgDir);
    }
    if (!Files.exists(DatabasePassword.file(dataDir)) && EmbeddedServer.requiresPassword(pgDir)) {
      // a new password would never be accepted: say so now, not after a failed start
      throw new Refused(
          pgDir
              + " requires the password that was kept in "
              + DatabasePassword.file(dataDir)
              + ", which is missing: restore that file");
    }
    String password = DatabasePassword.readOrCreate(dataDir);
    EmbeddedPostgres postgres = EmbeddedServer.start(dataDir, pgDir, password, durable);
    log.info(
        "Started embedded PostgreSQL on 127.0.0.1:{} with data in {}", postgres.getPort(), pgDir);
    HikariConfig config =
        poolConfig("jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres");
    config.setUsername(EmbeddedServer.SUPERUSER);
    config.setPassword(password);
    return new Database(new HikariDataSource(config), postgres);
  }

  private static HikariConfig poolConfig(String jdbcUrl) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setMaximumPoolSize(POOL_SIZE);
    config.setPoolName("host");
    // while the database is down, a request fails after this (503) instead of Hikari's 30 s
    config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    config.setValidationTimeout(VALIDATION_TIMEOUT.toMillis());
    return config;
  }

  /**
   * Connects once before the pool does, so that an unreachable server is said in one line (the
   * pool would log its failure with a stack trace first).
   *
   * @throws Refused naming the URL (without its query) and the driver's reason
   */
  private static void requireReachable(HikariConfig config) {
    try (Connection connection =
        DriverManager.getConnection(
            config.getJdbcUrl(), config.getUsername(), config.getPassword())) {
      connection.isValid((int) VALIDATION_TIMEOUT.toSeconds());
    } catch (SQLException e) {
      throw new Refused(
          "cannot reach PostgreSQL at "
              + withoutQuery(config.getJdbcUrl())
              + ": "
              + String.valueOf(e.getMessage()).strip().replaceAll("\\s*\\R\\s*", " "),
          e);
    }
  }

  /** Drops the query string, where a password may be. */
  private static String withoutQuery(String jdbcUrl) {
    int query = jdbcUrl.indexOf('?');
    return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
  }

  /** The shared pool. */
  public DataSource dataSource() {
    return pool;
  }

  /** Shows the pool's gauges and timers ({@code hikaricp.*}) in {@code registry}; once. */
  public void recordPoolMetrics(MeterRegistry registry) {
    pool.setMetricRegistry(registry);
  }

  /**
   * True when a connection can be had and answers within {@link #VALIDATION_TIMEOUT}; false,
   * after at most {@link #CONNECTION_TIMEOUT}, while the database is down. A connection an outage
   * broke may still sit in the pool when the database is back, and fail the check: then every
   * idle connection is dropped, so none of them is handed out again, and a fresh one decides.
   */
  public boolean isAvailable() {
    try {
      if (aConnectionAnswers()) {
        return true;
      }
    } catch (SQLTransientConnectionException e) {
      return false; // no connection within CONNECTION_TIMEOUT: the database is down
    } catch (SQLException e) {
      // the connection broke during the check, as a failed check
    }
    pool.getHikariPoolMXBean().softEvictConnections();
    try {
      return aConnectionAnswers();
    } catch (SQLException e) {
      return false;
    }
  }

  private boolean aConnectionAnswers() throws SQLException {
    try (Connection connection = pool.getConnection()) {
      return connection.isValid((int) VALIDATION_TIMEOUT.toSeconds());
    }
  }

  @Override
  public void close() {
    pool.close();
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        log.warn("Embedded PostgreSQL did not stop cleanly", e);
      }
    }
  }
}

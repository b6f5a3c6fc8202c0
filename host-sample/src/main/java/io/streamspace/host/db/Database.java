package io.streamspace.host.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's PostgreSQL: an external server by JDBC URL, or an embedded real PostgreSQL whose
 * data survives restarts. One HikariCP pool serves the host, Quartz and every plugin.
 */
public final class Database implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Database.class);
  /** Host threads, Quartz threads and plugin write-behind flushers share it. */
  private static final int POOL_SIZE = 16;

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
    log.info("Using PostgreSQL at {}", withoutQuery(jdbcUrl));
    return new Database(new HikariDataSource(config), null);
  }

  /** Starts an embedded PostgreSQL keeping its data under {@code dataDir/pg}. */
  public static Database embedded(Path dataDir) {
    Path pgDir = dataDir.resolve("pg");
    EmbeddedPostgres postgres;
    try {
      postgres =
          EmbeddedPostgres.builder()
              .setDataDirectory(pgDir)
              .setCleanDataDirectory(false)
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start embedded PostgreSQL in " + pgDir, e);
    }
    log.info("Started embedded PostgreSQL on port {} with data in {}", postgres.getPort(), pgDir);
    HikariConfig config = poolConfig(postgres.getJdbcUrl("postgres", "postgres"));
    return new Database(new HikariDataSource(config), postgres);
  }

  private static HikariConfig poolConfig(String jdbcUrl) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setMaximumPoolSize(POOL_SIZE);
    config.setPoolName("host");
    return config;
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

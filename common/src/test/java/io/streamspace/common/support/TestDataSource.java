package io.streamspace.common.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.streamspace.testing.TestDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;

/** A pool on a fresh database of the shared embedded PostgreSQL, for this module's tests. */
public final class TestDataSource {

  private static HikariDataSource dataSource;

  private TestDataSource() {}

  public static synchronized DataSource get() {
    if (dataSource == null) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(TestDatabases.freshDatabaseUrl());
      config.setMaximumPoolSize(8);
      dataSource = new HikariDataSource(config);
    }
    return dataSource;
  }

  /**
   * A connection outside the pool: closing it ends its session, and with it the session's
   * advisory locks and settings, which a pooled connection would carry to the next test.
   */
  public static Connection unpooled() throws SQLException {
    get();
    return DriverManager.getConnection(dataSource.getJdbcUrl());
  }

  public static void execute(String sql) {
    try (Connection c = get().getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits (30 s at most) until {@code sessions} connections to the database wait for a lock. */
  public static void awaitSessionsWaitingForALock(long sessions) {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (sessionsWaitingForALock() < sessions) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("fewer than " + sessions + " sessions waited for a lock");
      }
    }
  }

  private static long sessionsWaitingForALock() {
    try (Connection c = get().getConnection();
        Statement s = c.createStatement();
        ResultSet count =
            s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
      count.next();
      return count.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.streamspace.billing.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.streamspace.testing.Await;
import io.streamspace.testing.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * One database per test JVM, fresh on the shared embedded PostgreSQL ({@link TestDatabases}),
 * behind a Hikari pool as the host would give it. Tests call {@link #clean()} to start from empty
 * billing tables.
 */
public final class TestDatabase {

  private static DataSource dataSource;

  private TestDatabase() {}

  public static synchronized DataSource dataSource() {
    if (dataSource == null) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(TestDatabases.freshDatabaseUrl());
      config.setMaximumPoolSize(8);
      dataSource = new HikariDataSource(config);
    }
    return dataSource;
  }

  /** Empties every billing table that exists (the schema is created by the plugin's onLoad). */
  public static void clean() {
    clean(dataSource());
  }

  /** {@link #clean()} on another database (a benchmark's server of its own). */
  public static void clean(DataSource database) {
    // One TRUNCATE of the tables a test may have touched, not of them all: a TRUNCATE makes new
    // files for each table and its indexes (half a second for all the billing tables on a busy
    // 2-core machine, against some 30 ms to find the few touched), twice for each test that
    // loads the plugin. A table left out is in the state a TRUNCATE would leave: no file pages (so
    // no rows, live or dead, for the planner to estimate from) and no statistics since its last
    // TRUNCATE (reltuples -1); a partitioned one is always emptied (its rows are its partitions').
    // CASCADE takes along the empty tables that reference one emptied. The audit trail's trigger
    // refuses a TRUNCATE, so the tests' superuser turns triggers off for it.
    execute(
        database,
        """
        DO $$ DECLARE tables text; BEGIN
          PERFORM set_config('session_replication_role', 'replica', true);
          SELECT string_agg(quote_ident(c.relname), ', ') INTO tables
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
             AND c.relname LIKE 'billing\\_%' AND c.relname <> 'billing_schema_history'
             AND (c.relkind = 'p' OR pg_relation_size(c.oid) > 0 OR c.reltuples <> -1);
          IF tables IS NOT NULL THEN EXECUTE 'TRUNCATE ' || tables || ' CASCADE'; END IF;
        END $$""");
  }

  /**
   * Polls the server every 10 ms until {@code sessions} connections to this database wait for a
   * lock, as a test's concurrent work blocks on one the test holds; fails after 30 seconds.
   */
  public static void awaitSessionsWaitingForALock(long sessions) {
    Await.await(
        Duration.ofSeconds(30),
        Duration.ofMillis(10),
        sessions + " sessions waiting for a lock",
        () -> sessionsWaitingForALock() >= sessions);
  }

  /** How many connections to this database wait for a lock right now. */
  public static long sessionsWaitingForALock() {
    try (Connection c = dataSource().getConnection();
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

  public static void execute(String sql) {
    execute(dataSource(), sql);
  }

  private static void execute(DataSource database, String sql) {
    try (Connection c = database.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.streamspace.host.journal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer's move of its cursor is committed without waiting for the WAL's flush, on the durable
 * server the host runs (fsync and synchronous commit on): a move lost in a crash only hands
 * entries again, and intake's answer waits for the move. Counted by the server's own WAL
 * statistics ({@code pg_stat_wal}, PostgreSQL 14 to 17), on one connection (a backend's counts are
 * its own until it reports them).
 */
class CursorMoveFlushTest {

  private static final int MOVES = 100;
  private static final Duration LEASE = Duration.ofMinutes(1);

  @TempDir Path work;

  @Test
  void aHundredMovesOfACursorFlushTheWalAFewTimes_aHundredPlainCommitsAHundredTimes()
      throws SQLException {
    try (Database database = Database.embedded(work, true);
        HikariDataSource oneConnection = oneConnectionTo(database)) {
      HostMigrations.migrate(database.dataSource());
      JournalCursors cursors = new JournalCursors(oneConnection);
      cursors.acquire("plugin", "node-a", LEASE);

      long before = walFlushes(oneConnection);
      long began = System.nanoTime();
      for (int seq = 1; seq <= MOVES; seq++) {
        assertTrue(cursors.advance("plugin", "node-a", seq, LEASE));
      }
      long tookMillis = (System.nanoTime() - began) / 1_000_000;
      long byMoves = walFlushes(oneConnection) - before;

      before = walFlushes(oneConnection);
      for (int i = 0; i < MOVES; i++) {
        execute(oneConnection, "UPDATE host_journal_cursors SET updated_at = clock_timestamp()");
      }
      long byCommits = walFlushes(oneConnection) - before;

      assertTrue(byCommits >= MOVES, "each plain commit flushes: " + byCommits);
      // meanwhile the WAL writer flushes what the moves wrote, every 200 ms (wal_writer_delay):
      // a bound on a slow machine too, and half the flushes of as many commits at most
      long writersFlushes = tookMillis / 200 + 5;
      assertTrue(
          byMoves <= Math.min(writersFlushes, MOVES / 2),
          "the moves waited for flushes: " + byMoves + " in " + tookMillis + " ms");
    }
  }

  private static HikariDataSource oneConnectionTo(Database database) {
    HikariDataSource pool = (HikariDataSource) database.dataSource();
    HikariDataSource one = new HikariDataSource();
    one.setJdbcUrl(pool.getJdbcUrl());
    one.setUsername(pool.getUsername());
    one.setPassword(pool.getPassword());
    one.setMaximumPoolSize(1);
    return one;
  }

  /** The WAL flushes counted so far, this connection's own reported first. */
  private static long walFlushes(DataSource dataSource) throws SQLException {
    execute(dataSource, "SELECT pg_stat_force_next_flush()");
    execute(dataSource, "SELECT 1"); // its end, idle, reports the counts
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT wal_sync FROM pg_stat_wal")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static void execute(DataSource dataSource, String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}

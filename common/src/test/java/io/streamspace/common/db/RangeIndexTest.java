package io.streamspace.common.db;

import static java.util.concurrent.CompletableFuture.supplyAsync;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.common.support.TestDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A BRIN index checked with a count no row meets, on real PostgreSQL (17.6, whose scan returns
 * every range after a placeholder): a table of 200,000 rows in about 3,080 pages (97 ranges of
 * 32), 2,000 rows a run, autovacuum off so that nothing but the test summarizes. The index is on
 * the run through a function that stops a summarization at the run named by the setting {@code
 * ranged.stop_at}, as a cancel does, leaving the placeholder of that run's range, and that holds
 * a summarization at its first row while advisory lock 7 is held when {@code ranged.pause} is on.
 * The limit is 64 pages here (two ranges), where a sound summarized index returns none.
 */
class RangeIndexTest {

  private static final long LIMIT = 64;
  private static final RangeIndex RUNS =
      new RangeIndex("ranged", "ranged_run", "ranged_run_of(run) < 0", LIMIT);

  @BeforeEach
  void table() {
    TestDataSource.execute(
        """
        CREATE EXTENSION IF NOT EXISTS pageinspect;
        DROP TABLE IF EXISTS ranged;
        CREATE TABLE ranged (run bigint NOT NULL, pad text) WITH (autovacuum_enabled = off);
        CREATE OR REPLACE FUNCTION ranged_run_of(run bigint) RETURNS bigint
        IMMUTABLE LANGUAGE plpgsql AS $$
        BEGIN
          IF run = nullif(current_setting('ranged.stop_at', true), '')::bigint THEN
            RAISE EXCEPTION 'summarization stopped at run %', run;
          END IF;
          -- with ranged.pause on, a summarization waits at its first row while advisory lock 7
          -- is held
          IF current_setting('ranged.pause', true) = 'on'
             AND current_query() LIKE '%brin_summarize_new_values%' THEN
            PERFORM pg_advisory_lock_shared(7);
            PERFORM pg_advisory_unlock_shared(7);
            PERFORM set_config('ranged.pause', 'off', false);
          END IF;
          RETURN run;
        END $$""");
  }

  private static void fill() {
    TestDataSource.execute(
        "INSERT INTO ranged SELECT n / 2000 + 1, repeat('x', 80) FROM generate_series(0, 199999) n;"
            + " ANALYZE ranged");
  }

  @Test
  void aSoundIndexReturnsNoPageForNoRowAndIsLeftAsItIs() throws SQLException {
    // built on the rows, every range summarized
    fill();
    createIndex();
    long before = indexOid();

    RangeIndex.Check check = check();

    assertEquals(RangeIndex.Mend.NONE, check.mend(), check.summary());
    assertEquals(0, check.strayPages(), check.summary());
    assertEquals(before, indexOid(), "not rebuilt");
  }

  @Test
  void rangesNeverSummarizedAreSummarizedAndTheIndexIsNotRebuilt() throws SQLException {
    // built on an empty table, with the rows inserted after: no range summarized
    createIndex();
    fill();
    long before = indexOid();

    RangeIndex.Check check = check();

    assertEquals(RangeIndex.Mend.SUMMARIZED, check.mend(), check.summary());
    assertTrue(check.strayPages() > 2_900, check.summary());
    assertEquals(0, check.strayPagesAfter(), check.summary());
    assertEquals(before, indexOid(), "not rebuilt");
  }

  @Test
  void aPlaceholderLeftByASummarizationStoppedMidwayIsRebuiltAwayWithTheCopyAStoppedRebuildLeft()
      throws SQLException {
    createIndex();
    fill();
    leavePlaceholder();
    // a rebuild that stopped after its first step leaves an invalid copy named as REINDEX's are
    assertThrows(
        IllegalStateException.class,
        () ->
            TestDataSource.execute(
                "CREATE UNIQUE INDEX CONCURRENTLY ranged_run_ccnew ON ranged (run)"));
    assertEquals(1, count("SELECT count(*) FROM pg_class WHERE relname = 'ranged_run_ccnew'"));
    long before = indexOid();

    try (Connection writer = TestDataSource.get().getConnection();
        Connection checker = TestDataSource.get().getConnection()) {
      // a write under way, which the rebuild waits for past the checker's own lock_timeout
      writer.setAutoCommit(false);
      execute(writer, "INSERT INTO ranged VALUES (1, 'written meanwhile')");
      execute(checker, "SET lock_timeout = '1ms'; SET statement_timeout = '9min'");

      CompletableFuture<RangeIndex.Check> checking = supplyAsync(() -> check(checker));
      TestDataSource.awaitSessionsWaitingForALock(1);
      writer.commit();
      RangeIndex.Check check = checking.join();

      assertEquals(RangeIndex.Mend.REBUILT, check.mend(), check.summary());
      // the ranges from run 50's on: the second half of the table's 3,080 pages
      assertTrue(check.strayPages() > 1_500, check.summary());
      assertEquals(0, check.strayPagesAfter(), check.summary());
      assertEquals("1ms", show(checker, "lock_timeout"), "the connection's own again");
      assertEquals("9min", show(checker, "statement_timeout"), "the connection's own again");
      assertTrue(checker.getAutoCommit(), "in autocommit again");
      // run 50's 2,000 rows are in one or two ranges
      assertTrue(
          RUNS.pagesRead(checker, "ranged_run_of(run) = 50") <= 64, "run 50 read its own ranges");
    }
    assertTrue(before != indexOid(), "rebuilt");
    assertEquals(0, placeholders(), "no placeholder left");
    assertEquals(0, count("SELECT count(*) FROM pg_class WHERE relname ~ '^ranged_run_cc'"));
  }

  @Test
  void aCheckThatWouldWaitForTheTablesLockIsPostponedWithNothingChanged() throws SQLException {
    createIndex();
    fill();
    try (Connection vacuum = TestDataSource.get().getConnection();
        Connection checker = TestDataSource.get().getConnection()) {
      // the lock a VACUUM (or an autovacuum) holds, held the length of the check; the checker's
      // own lock_timeout is none, so a check that waited for it would never end
      vacuum.setAutoCommit(false);
      execute(vacuum, "LOCK TABLE ranged IN SHARE UPDATE EXCLUSIVE MODE");

      RangeIndex.Check check =
          assertTimeoutPreemptively(Duration.ofSeconds(30), () -> RUNS.check(checker));

      vacuum.rollback();
      assertEquals(RangeIndex.Mend.POSTPONED, check.mend(), check.summary());
      assertEquals(
          check.strayPages(),
          RUNS.pagesRead(checker, "ranged_run_of(run) < 0"),
          "nothing summarized");
      assertEquals("0", show(checker, "lock_timeout"), "the connection's own again");
    }
  }

  @Test
  void aRebuildWhoseLockWasTakenOnceTheSummarizationEndedIsPostponedWithTheIndexAsItWas()
      throws Exception {
    createIndex();
    fill();
    leavePlaceholder();
    long before = indexOid();
    // outside the pool: a failure midway ends the sessions, their locks and settings with them
    try (Connection holder = TestDataSource.unpooled();
        Connection vacuum = TestDataSource.unpooled();
        Connection checker = TestDataSource.unpooled()) {
      // the check's summarization waits at its first row, holding the table's lock, until the
      // lock a VACUUM takes is asked for behind it: that one is granted as the summarization ends
      execute(holder, "SELECT pg_advisory_lock(7)");
      execute(checker, "SET ranged.pause = 'on'");
      CompletableFuture<RangeIndex.Check> checking = supplyAsync(() -> check(checker));
      TestDataSource.awaitSessionsWaitingForALock(1);
      vacuum.setAutoCommit(false);
      CompletableFuture<Void> vacuumLocks =
          CompletableFuture.runAsync(
              () -> {
                try {
                  execute(vacuum, "LOCK TABLE ranged IN SHARE UPDATE EXCLUSIVE MODE");
                } catch (SQLException e) {
                  throw new IllegalStateException(e);
                }
              });
      TestDataSource.awaitSessionsWaitingForALock(2);
      execute(holder, "SELECT pg_advisory_unlock(7)");

      // a check that waited for the lock would wait for the rollback below: failed after a minute
      RangeIndex.Check check = checking.get(1, TimeUnit.MINUTES);
      vacuumLocks.join();
      vacuum.rollback();

      assertEquals(RangeIndex.Mend.REBUILD_POSTPONED, check.mend(), check.summary());
      // summarized up to the placeholder's range, still over for it: the ranges from run 50's on
      assertTrue(check.strayPagesAfter() > 1_500, check.summary());
      assertEquals(before, indexOid(), "not rebuilt");
      assertEquals(1, placeholders(), "the placeholder is the next check's");
    }
  }

  @Test
  void aCheckInATransactionIsRefusedAndOneThatFailsLetsGoOfTheIndex() throws SQLException {
    fill();
    createIndex();
    try (Connection connection = TestDataSource.get().getConnection()) {
      connection.setAutoCommit(false);
      assertThrows(IllegalArgumentException.class, () -> RUNS.check(connection));
      connection.rollback();
      connection.setAutoCommit(true);
      // a condition PostgreSQL refuses
      RangeIndex refused = new RangeIndex("ranged", "ranged_run", "pad < 1", LIMIT);
      assertThrows(SQLException.class, () -> refused.check(connection));
    }

    assertEquals(RangeIndex.Mend.NONE, check().mend(), "the index is not held by the failed one");
  }

  @Test
  void aCountTheIndexDoesNotServeLeavesItAsItIs() throws SQLException {
    fill();
    createIndex();
    long before = indexOid();
    RangeIndex unserved = new RangeIndex("ranged", "ranged_run", "pad < ''", LIMIT);

    RangeIndex.Check check;
    try (Connection connection = TestDataSource.get().getConnection()) {
      check = unserved.check(connection);
    }

    assertEquals(RangeIndex.Mend.UNUSED, check.mend(), check.summary());
    assertEquals(before, indexOid(), "not rebuilt");
  }

  @Test
  void aCheckOfAnIndexAnotherSessionChecksIsLeftToIt() throws SQLException {
    fill();
    createIndex();
    try (Connection other = TestDataSource.get().getConnection()) {
      execute(other, "SELECT pg_advisory_lock(1380533336, hashtext('ranged_run'))");

      RangeIndex.Check check = check();

      assertEquals(RangeIndex.Mend.BUSY, check.mend(), check.summary());
      execute(other, "SELECT pg_advisory_unlock_all()");
    }
  }

  /** Summarizes the index until run 50's range, where it stops: that range's placeholder stays. */
  private static void leavePlaceholder() throws SQLException {
    try (Connection connection = TestDataSource.get().getConnection()) {
      execute(connection, "SET ranged.stop_at = '50'");
      SQLException stopped =
          assertThrows(
              SQLException.class,
              () -> execute(connection, "SELECT brin_summarize_new_values('ranged_run')"));
      assertTrue(stopped.getMessage().contains("stopped at run 50"), stopped.getMessage());
      execute(connection, "RESET ranged.stop_at");
    }
    assertEquals(1, placeholders(), "the placeholder of run 50's range");
  }

  private static long placeholders() {
    return count(
        """
        SELECT count(*) FILTER (WHERE i.placeholder)
        FROM generate_series(1, pg_relation_size('ranged_run') / 8192 - 1) b
        CROSS JOIN LATERAL brin_page_items(get_raw_page('ranged_run', b::int), 'ranged_run') i
        WHERE brin_page_type(get_raw_page('ranged_run', b::int)) = 'regular'""");
  }

  private static void createIndex() {
    TestDataSource.execute(
        "CREATE INDEX ranged_run ON ranged USING brin (ranged_run_of(run) int8_minmax_multi_ops)"
            + " WITH (pages_per_range = 32, autosummarize = off)");
  }

  private static RangeIndex.Check check() throws SQLException {
    try (Connection connection = TestDataSource.get().getConnection()) {
      return RUNS.check(connection);
    }
  }

  private static RangeIndex.Check check(Connection connection) {
    try {
      return RUNS.check(connection);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long indexOid() {
    return count("SELECT 'ranged_run'::regclass::oid::bigint");
  }

  private static long count(String query) {
    try (Connection connection = TestDataSource.get().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String show(Connection connection, String setting) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}

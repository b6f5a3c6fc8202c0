package io.streamspace.common.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A BRIN index kept answering for its own pages: checked with a count that no row meets, which a
 * sound index answers from its summaries alone, and mended when it returns more pages for it
 * than {@link #STRAY_PAGES}.
 *
 * <p>Why it needs checking. A summarization of one range that stops in the middle (an error, a
 * cancel, a crash) leaves a placeholder for that range, which PostgreSQL's own comments call a
 * leftover of a crashed summarization, and PostgreSQL's BRIN scan reuses one summary in memory
 * for every range without clearing its placeholder flag: every range after the placeholder is
 * returned to every scan (seen on 17.6, 489,813 pages read where 480 were the run's). Autovacuum
 * is cancelled whenever a session waits deadlock_timeout for a lock on the table it holds (a
 * {@code VACUUM}, an {@code ANALYZE}, an index built, a migration): one such wait while it
 * summarized left a placeholder. A range never summarized (autovacuum's queue of requests was
 * full during a burst of inserts) is returned to every scan too.
 *
 * <p>The mend, each step only if the last left the count over the limit: summarize the new
 * ranges ({@code brin_summarize_new_values}), then rebuild the index ({@code REINDEX INDEX
 * CONCURRENTLY}: reads and writes go on). It waits for a lock on the table at most half of
 * deadlock_timeout, so that it never cancels an autovacuum itself: a check that would wait longer
 * is postponed to the next. One session checks an index at a time (an advisory lock).
 */
public final class RangeIndex {

  /**
   * How many pages a sound index may return for no row: 64 ranges of 32 pages, the ranges
   * filled since their last summarization.
   */
  public static final long STRAY_PAGES = 2_048;

  /** What a check did. */
  public enum Mend {
    /** Nothing: the index returned at most {@link #STRAY_PAGES} for no row. */
    NONE,
    /** Its new ranges summarized. */
    SUMMARIZED,
    /** Rebuilt. */
    REBUILT,
    /** Nothing, for now: the table's lock is held (autovacuum, or a rebuild under way). */
    POSTPONED,
    /** Nothing: another session is checking the index. */
    BUSY
  }

  /**
   * What a check of {@code index} found and did.
   *
   * @param strayPages the pages it returned for no row before (0 when {@link Mend#BUSY})
   * @param strayPagesAfter after the mend (as before when there was none)
   */
  public record Check(String index, long strayPages, Mend mend, long strayPagesAfter) {

    /** Whether the check changed the index. */
    public boolean mended() {
      return mend == Mend.SUMMARIZED || mend == Mend.REBUILT;
    }

    /** One line for the job's result and the log. */
    public String summary() {
      return switch (mend) {
        case NONE -> "%s: %,d page(s) for no row".formatted(index, strayPages);
        case SUMMARIZED ->
            "%s: %,d page(s) for no row, %,d once its new ranges were summarized"
                .formatted(index, strayPages, strayPagesAfter);
        case REBUILT ->
            "%s: %,d page(s) for no row, as many once its new ranges were summarized (a leftover"
                    .formatted(index, strayPages)
                + " placeholder): rebuilt, %,d after".formatted(strayPagesAfter);
        case POSTPONED ->
            "%s: %,d page(s) for no row; mending postponed (its table's lock is held)"
                .formatted(index, strayPages);
        case BUSY -> "%s: another session is checking it".formatted(index);
      };
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");
  // PostgreSQL's "could not obtain lock" (lock_timeout)
  private static final String LOCK_NOT_AVAILABLE = "55P03";
  // the advisory lock's first key, with the index's name as the second: "RIDX"
  private static final int CHECK_LOCK = 0x52494458;

  private final String table;
  private final String index;
  private final String noRowMeets;
  private final long strayPagesAllowed;

  /**
   * @param table the indexed table
   * @param index the BRIN index
   * @param noRowMeets a condition on the indexed column that no row meets and that the index
   *     serves, such as {@code "slice_start < '-infinity'"}
   */
  public RangeIndex(String table, String index, String noRowMeets) {
    this(table, index, noRowMeets, STRAY_PAGES);
  }

  /** As above, with another limit than {@link #STRAY_PAGES} (tests use small tables). */
  public RangeIndex(String table, String index, String noRowMeets, long strayPagesAllowed) {
    if (!NAME.matcher(table).matches() || !NAME.matcher(index).matches()) {
      throw new IllegalArgumentException("not a plain name: " + table + ", " + index);
    }
    this.table = table;
    this.index = index;
    this.noRowMeets = noRowMeets;
    this.strayPagesAllowed = strayPagesAllowed;
  }

  public String index() {
    return index;
  }

  /**
   * Checks the index and mends it as the class says, on {@code connection} in autocommit (a
   * rebuild cannot run in a transaction); the connection's settings are as they were after.
   */
  public Check check(Connection connection) throws SQLException {
    if (!advisoryLock(connection, "pg_try_advisory_lock")) {
      return new Check(index, 0, Mend.BUSY, 0);
    }
    try {
      long stray = pagesRead(connection, noRowMeets);
      if (stray <= strayPagesAllowed) {
        return new Check(index, stray, Mend.NONE, stray);
      }
      if (!waitingBriefly(connection, "SELECT brin_summarize_new_values('%s')".formatted(index))) {
        return new Check(index, stray, Mend.POSTPONED, stray);
      }
      long summarized = pagesRead(connection, noRowMeets);
      if (summarized <= strayPagesAllowed) {
        return new Check(index, stray, Mend.SUMMARIZED, summarized);
      }
      dropLeftoverCopies(connection);
      if (!waitingBriefly(connection, "REINDEX INDEX CONCURRENTLY " + index)) {
        // a rebuild stopped after its first step leaves its copy, invalid but kept up to date
        dropLeftoverCopies(connection);
        return new Check(index, stray, Mend.POSTPONED, summarized);
      }
      return new Check(index, stray, Mend.REBUILT, pagesRead(connection, noRowMeets));
    } finally {
      advisoryLock(connection, "pg_advisory_unlock");
    }
  }

  /**
   * How many of the table's pages a count of its rows meeting {@code condition} reads through
   * this index; fails when the plan does not read them through it.
   */
  public long pagesRead(Connection connection, String condition) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      // the one plan that answers the question: a bitmap from this index, read by one process
      statement.execute("SET LOCAL enable_seqscan = off");
      statement.execute("SET LOCAL max_parallel_workers_per_gather = 0");
      try (ResultSet rs =
          statement.executeQuery(
              "EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM %s WHERE %s"
                  .formatted(table, condition))) {
        rs.next();
        JsonNode plan = JSON.readTree(rs.getString(1)).get(0).get("Plan");
        JsonNode scan = bitmapHeapScanOfThisIndex(plan);
        if (scan == null) {
          throw new IllegalStateException("not read through " + index + ": " + plan);
        }
        return scan.path("Exact Heap Blocks").asLong() + scan.path("Lossy Heap Blocks").asLong();
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("EXPLAIN's JSON unreadable", e);
      }
    } finally {
      connection.rollback();
      connection.setAutoCommit(autoCommit);
    }
  }

  private JsonNode bitmapHeapScanOfThisIndex(JsonNode plan) {
    if ("Bitmap Heap Scan".equals(plan.path("Node Type").asText())
        && index.equals(plan.path("Plans").path(0).path("Index Name").asText())) {
      return plan;
    }
    for (JsonNode child : plan.path("Plans")) {
      JsonNode found = bitmapHeapScanOfThisIndex(child);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  /**
   * Runs {@code sql} waiting at most half of deadlock_timeout for any lock: a session that waits
   * deadlock_timeout for autovacuum's lock cancels it (and a summarization cancelled midway is
   * what leaves a placeholder). False when it would have waited longer.
   */
  private static boolean waitingBriefly(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "SELECT set_config('lock_timeout', greatest(1, setting::bigint / 2) || 'ms', false)"
              + " FROM pg_settings WHERE name = 'deadlock_timeout'");
      try {
        statement.execute(sql);
        return true;
      } catch (SQLException e) {
        if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
          return false;
        }
        throw e;
      } finally {
        statement.execute("RESET lock_timeout");
      }
    }
  }

  /** Drops the invalid copies that rebuilds of this index stopped midway left ({@code _ccnew}). */
  private void dropLeftoverCopies(Connection connection) throws SQLException {
    List<String> copies = new ArrayList<>();
    try (PreparedStatement find =
            Sql.prepare(
                connection,
                """
            SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = ?::regclass AND NOT i.indisvalid
              AND c.relname ~ ('^' || ? || '_ccnew[0-9]*$')""",
                table,
                index);
        ResultSet rs = find.executeQuery()) {
      while (rs.next()) {
        copies.add(rs.getString(1));
      }
    }
    for (String copy : copies) {
      waitingBriefly(connection, "DROP INDEX CONCURRENTLY IF EXISTS " + copy);
    }
  }

  private boolean advisoryLock(Connection connection, String function) throws SQLException {
    try (PreparedStatement lock =
            Sql.prepare(
                connection, "SELECT %s(%d, hashtext(?))".formatted(function, CHECK_LOCK), index);
        ResultSet rs = lock.executeQuery()) {
      rs.next();
      return rs.getBoolean(1);
    }
  }
}

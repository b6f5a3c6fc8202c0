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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
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
 * is cancelled when a session waits deadlock_timeout for a lock on the table that conflicts with
 * its own (a {@code VACUUM}, an {@code ANALYZE}, an index built, a migration), unless it runs to
 * prevent wraparound: one such wait while it summarized left a placeholder. A range never
 * summarized (autovacuum's queue of requests was full during a burst of inserts) is returned to
 * every scan too.
 *
 * <p>The mend, each step only if the last left the count over the limit: summarize the new
 * ranges ({@code brin_summarize_new_values}), then rebuild the index ({@code REINDEX INDEX
 * CONCURRENTLY}: reads and writes go on), after dropping the invalid copies a rebuild stopped
 * midway left. Each step first takes the table's lock, waiting for it at most half of
 * deadlock_timeout, so that it does not cancel an autovacuum: a step that would wait longer is
 * postponed to the next check. The summarization holds the lock while it works; a rebuild takes
 * it again at once (it then waits for the transactions under way, as any index build does, and
 * meets autovacuum only if one starts in that instant). No timeout of the connection's stops a
 * step midway, which would leave a placeholder or an invalid copy of its own.
 * One session checks an index at a time (an advisory lock).
 */
public final class RangeIndex {

  /**
   * How many pages a sound index may return for no row, its ranges filled since their last
   * summarization: 16 MB, 64 ranges of 32 pages (the usage records') or 16 of 128 (the default).
   */
  public static final long STRAY_PAGES = 2_048;

  /** What a check did. */
  public enum Mend {
    /** Nothing: the index returned at most the limit for no row. */
    NONE,
    /** Its new ranges summarized, which brought it within the limit. */
    SUMMARIZED,
    /** Its new ranges summarized, which left it over the limit; then rebuilt. */
    REBUILT,
    /** Its new ranges summarized, which left it over; the rebuild postponed (the lock is held). */
    REBUILD_POSTPONED,
    /** Nothing, for now: the table's lock is held (autovacuum, or a rebuild under way). */
    POSTPONED,
    /** Nothing: another session is checking the index. */
    BUSY,
    /** Nothing: the count is not read through the index (a table too small for it to be chosen). */
    UNUSED
  }

  /**
   * What a check of {@code index} found and did.
   *
   * @param strayPages the pages it returned for no row first (0 when {@link Mend#BUSY} or {@link
   *     Mend#UNUSED})
   * @param strayPagesAfter the pages it returned for no row after the last step done
   */
  public record Check(String index, long strayPages, Mend mend, long strayPagesAfter) {

    /** Whether the check changed the index. */
    public boolean mended() {
      return mend == Mend.SUMMARIZED || mend == Mend.REBUILT || mend == Mend.REBUILD_POSTPONED;
    }

    /** One line for the job's result and the log. */
    public String summary() {
      String found = "%s: %,d page(s) for no row".formatted(index, strayPages);
      return switch (mend) {
        case NONE -> found;
        case SUMMARIZED ->
            found + ", %,d once its new ranges were summarized".formatted(strayPagesAfter);
        case REBUILT ->
            found
                + ", over the limit once its new ranges were summarized (a leftover placeholder):"
                + " rebuilt, %,d after".formatted(strayPagesAfter);
        case REBUILD_POSTPONED ->
            found
                + ", %,d once its new ranges were summarized (a leftover placeholder): rebuild"
                    .formatted(strayPagesAfter)
                + " postponed (its table's lock is held)";
        case POSTPONED -> found + "; mending postponed (its table's lock is held)";
        case BUSY -> "%s: another session is checking it".formatted(index);
        case UNUSED ->
            "%s: not used for the count (the table is read another way)".formatted(index);
      };
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");
  // PostgreSQL's "could not obtain lock" (lock_timeout)
  private static final String LOCK_NOT_AVAILABLE = "55P03";
  // the advisory lock's first key, with the index's name as the second: "RIDX"
  private static final int CHECK_LOCK = 0x52494458;
  // the lock autovacuum and a rebuild take, which the application's reads and writes do not
  private static final String LOCK_TABLE = "LOCK TABLE %s IN SHARE UPDATE EXCLUSIVE MODE";
  // the timeouts that would stop a summarization or a rebuild midway (transaction_timeout: 17+)
  private static final String TIMEOUTS =
      "SELECT name, setting FROM pg_settings"
          + " WHERE name IN ('statement_timeout', 'lock_timeout', 'transaction_timeout')";
  // all of them off, for the transaction (true) or the session (false)
  private static final String NO_TIMEOUTS =
      "SELECT set_config(name, '0', %b) FROM pg_settings"
          + " WHERE name IN ('statement_timeout', 'lock_timeout', 'transaction_timeout')";
  // half of deadlock_timeout, after which a session waiting for autovacuum's lock cancels it
  private static final String BRIEF_LOCK_WAIT =
      "SELECT set_config('lock_timeout', greatest(1, setting::bigint / 2) || 'ms', true)"
          + " FROM pg_settings WHERE name = 'deadlock_timeout'";

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
   * Checks the index and mends it as the class says, on {@code connection}, which must be in
   * autocommit (a rebuild cannot run in a transaction); its settings are left as they were.
   */
  public Check check(Connection connection) throws SQLException {
    if (!connection.getAutoCommit()) {
      throw new IllegalArgumentException("a range index is checked in autocommit");
    }
    if (!advisoryLock(connection, "pg_try_advisory_lock")) {
      return new Check(index, 0, Mend.BUSY, 0);
    }
    // let go of in any case; a failure to let go is added to the check's own, never hides it
    try (Closing unlock = () -> advisoryLock(connection, "pg_advisory_unlock")) {
      return checkAndMend(connection);
    }
  }

  private Check checkAndMend(Connection connection) throws SQLException {
    OptionalLong read = pagesReadIfThroughIt(connection, noRowMeets);
    if (read.isEmpty()) {
      return new Check(index, 0, Mend.UNUSED, 0);
    }
    long stray = read.getAsLong();
    if (stray <= strayPagesAllowed) {
      return new Check(index, stray, Mend.NONE, stray);
    }
    // the table's lock first, waited for briefly; then the summarization, which nothing may stop
    // midway (a timeout would leave a placeholder of its own)
    boolean summarized =
        inTransaction(
                connection,
                statement -> {
                  statement.execute(BRIEF_LOCK_WAIT);
                  statement.execute(LOCK_TABLE.formatted(table));
                  statement.execute(NO_TIMEOUTS.formatted(true));
                  return statement.execute(
                      "SELECT brin_summarize_new_values('%s')".formatted(index));
                })
            .isPresent();
    if (!summarized) {
      return new Check(index, stray, Mend.POSTPONED, stray);
    }
    long afterSummary = pagesRead(connection, noRowMeets);
    if (afterSummary <= strayPagesAllowed) {
      return new Check(index, stray, Mend.SUMMARIZED, afterSummary);
    }
    for (String copy : leftoverCopies(connection)) {
      if (!tableLockFree(connection)) {
        return new Check(index, stray, Mend.REBUILD_POSTPONED, afterSummary);
      }
      withoutTimeouts(connection, "DROP INDEX CONCURRENTLY IF EXISTS " + copy);
    }
    if (!tableLockFree(connection)) {
      return new Check(index, stray, Mend.REBUILD_POSTPONED, afterSummary);
    }
    withoutTimeouts(connection, "REINDEX INDEX CONCURRENTLY " + index);
    return new Check(index, stray, Mend.REBUILT, pagesRead(connection, noRowMeets));
  }

  /**
   * How many of the table's pages a count of its rows meeting {@code condition} reads through
   * this index, on {@code connection} in autocommit; fails when the plan does not read them
   * through it.
   */
  public long pagesRead(Connection connection, String condition) throws SQLException {
    return pagesReadIfThroughIt(connection, condition)
        .orElseThrow(() -> new IllegalStateException("not read through " + index));
  }

  /** As {@link #pagesRead}; empty when the plan reads the rows another way. */
  private OptionalLong pagesReadIfThroughIt(Connection connection, String condition)
      throws SQLException {
    return inTransaction(connection, statement -> pagesCounting(statement, condition))
        .orElseThrow(
            () -> new IllegalStateException("the count through " + index + " waited for a lock"));
  }

  private OptionalLong pagesCounting(Statement statement, String condition) throws SQLException {
    // the one plan that answers the question: a bitmap from this index, read by one process (on
    // a small table the planner would rather read another index through, or the table)
    statement.execute(
        "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off;"
            + " SET LOCAL enable_indexonlyscan = off;"
            + " SET LOCAL max_parallel_workers_per_gather = 0");
    try (ResultSet rs =
        statement.executeQuery(
            "EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM %s WHERE %s"
                .formatted(table, condition))) {
      rs.next();
      JsonNode plan = JSON.readTree(rs.getString(1)).path(0).path("Plan");
      JsonNode scan = bitmapHeapScanOfThisIndex(plan);
      if (scan == null) {
        return OptionalLong.empty();
      }
      if (!scan.has("Exact Heap Blocks") || !scan.has("Lossy Heap Blocks")) {
        throw new IllegalStateException("EXPLAIN's answer without its heap blocks: " + plan);
      }
      // a BRIN bitmap is lossy: every page of a matching range is read
      return OptionalLong.of(
          scan.get("Exact Heap Blocks").asLong() + scan.get("Lossy Heap Blocks").asLong());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("EXPLAIN's JSON unreadable", e);
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
   * Whether the table's lock, the one autovacuum and a rebuild take, was free a moment ago: taken
   * and let go at once, waiting for it briefly.
   */
  private boolean tableLockFree(Connection connection) throws SQLException {
    return inTransaction(
            connection,
            statement -> {
              statement.execute(BRIEF_LOCK_WAIT);
              return statement.execute(LOCK_TABLE.formatted(table));
            })
        .isPresent();
  }

  /** The invalid copies that rebuilds stopped midway left ({@code _ccnew}, {@code _ccold}). */
  private List<String> leftoverCopies(Connection connection) throws SQLException {
    List<String> copies = new ArrayList<>();
    try (PreparedStatement find =
            Sql.prepare(
                connection,
                """
                SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = ?::regclass AND NOT i.indisvalid
                  AND c.relname ~ ('^' || ? || '_cc(new|old)[0-9]*$')""",
                table,
                index);
        ResultSet rs = find.executeQuery()) {
      while (rs.next()) {
        copies.add(rs.getString(1));
      }
    }
    return copies;
  }

  /**
   * Runs {@code sql} outside a transaction with none of the connection's timeouts (a rebuild
   * waits for the transactions under way; stopped midway it leaves an invalid copy), then puts
   * them back as they were.
   */
  private static void withoutTimeouts(Connection connection, String sql) throws SQLException {
    Map<String, String> timeouts = new LinkedHashMap<>();
    try (Statement statement = connection.createStatement()) {
      try (ResultSet rs = statement.executeQuery(TIMEOUTS)) {
        while (rs.next()) {
          timeouts.put(rs.getString(1), rs.getString(2));
        }
      }
      statement.execute(NO_TIMEOUTS.formatted(false));
      try (Closing putBack = () -> putBack(connection, timeouts)) {
        statement.execute(sql);
      }
    }
  }

  private static void putBack(Connection connection, Map<String, String> timeouts)
      throws SQLException {
    for (Map.Entry<String, String> timeout : timeouts.entrySet()) {
      try (PreparedStatement set =
              Sql.prepare(
                  connection,
                  "SELECT set_config(?, ?, false)",
                  timeout.getKey(),
                  timeout.getValue());
          ResultSet rs = set.executeQuery()) {
        rs.next();
      }
    }
  }

  /** A step undone whatever happened, whose own failure is added to the one under way. */
  private interface Closing extends AutoCloseable {
    @Override
    void close() throws SQLException;
  }

  /** Statements run in one transaction on {@code connection}, and what they found. */
  private interface Work<T> {
    T run(Statement statement) throws SQLException;
  }

  /**
   * Runs {@code work} in a transaction of its own ({@link Transactions}; its {@code SET LOCAL}s
   * end with it); empty when a lock was not obtained within its lock_timeout (rolled back).
   */
  private static <T> Optional<T> inTransaction(Connection connection, Work<T> work)
      throws SQLException {
    try {
      return Optional.of(
          Transactions.inTransaction(
              connection,
              c -> {
                try (Statement statement = c.createStatement()) {
                  return work.run(statement);
                }
              }));
    } catch (SQLException e) {
      if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
        return Optional.empty();
      }
      throw e;
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

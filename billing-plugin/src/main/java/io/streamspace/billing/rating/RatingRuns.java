package io.streamspace.billing.rating;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * The numbers of rating runs, by which invoices claim usage (schema V32): each transaction that
 * writes usage records stamps them with a run of its own ({@link #begin}), and an invoice claims
 * the records of its account up to its period end rated by runs up to the {@link #settled} one.
 *
 * <p>A transaction-level advisory lock keeps the two apart: a run holds it shared from before it
 * takes its number until it commits (runs do not wait for each other); reading the settled run
 * takes it exclusive, so it waits for the runs in flight to commit, and reads the sequence's last
 * value while no run can start. Every run up to that value has then committed, and every run
 * that starts later gets a greater number. The settled run is read in a short transaction of its
 * own, before any account lock: a run updates account rows (storage watermarks) while it holds
 * the shared lock, so a finalization waiting for the lock while holding an account row would
 * deadlock with it.
 */
public final class RatingRuns {

  /** The lock's key, the plugin's own: "bruns" in ASCII. */
  public static final long KEY = 0x62_7275_6e73L;

  // held by a run until its transaction ends
  private static final NamedSql SHARE = NamedSql.of("SELECT pg_advisory_xact_lock_shared(:key)");

  // a run's number, taken once the lock is held
  private static final NamedSql NEXT = NamedSql.of("SELECT nextval('billing_rating_runs')");

  // waits for the runs in flight to commit, and keeps new ones from starting until commit
  private static final NamedSql WAIT_FOR_RUNS = NamedSql.of("SELECT pg_advisory_xact_lock(:key)");

  // the same without waiting: false while a run is in flight
  private static final NamedSql TRY_FOR_NO_RUNS =
      NamedSql.of("SELECT pg_try_advisory_xact_lock(:key)");

  // the last number taken; before any is, the one below the first
  private static final NamedSql LAST =
      NamedSql.of(
          """
          SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END
          FROM billing_rating_runs""");

  private RatingRuns() {}

  /**
   * Takes the shared lock and a new run's number, in the caller's transaction, before it locks
   * any row: the records the transaction writes carry it.
   */
  public static long begin(Connection connection) throws SQLException {
    try (PreparedStatement share = SHARE.bind("key", KEY).prepare(connection)) {
      share.executeQuery().close();
    }
    return single(NEXT.binding().prepare(connection));
  }

  /**
   * The settled run: every run up to it has committed, every later run will be greater. Its own
   * transaction; call it before taking any account lock.
   */
  public static long settled(DataSource dataSource) throws SQLException {
    return Transactions.inTransaction(
        dataSource,
        connection -> {
          try (PreparedStatement wait = WAIT_FOR_RUNS.bind("key", KEY).prepare(connection)) {
            wait.executeQuery().close();
          }
          return single(LAST.binding().prepare(connection));
        });
  }

  /**
   * The settled run if no run is in flight now, else empty, without waiting: for work that can
   * as well be done later (the daily usage rollup). {@link #settled} waits, and while it waits
   * for one run, the runs that start after it queue behind it (PostgreSQL grants a lock in the
   * order asked): calculate-usage's concurrent transactions would take turns.
   */
  public static OptionalLong settledIfIdle(DataSource dataSource) throws SQLException {
    return Transactions.inTransaction(
        dataSource,
        connection -> {
          try (PreparedStatement attempt = TRY_FOR_NO_RUNS.bind("key", KEY).prepare(connection);
              ResultSet rs = attempt.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) {
              return OptionalLong.empty();
            }
          }
          return OptionalLong.of(single(LAST.binding().prepare(connection)));
        });
  }

  private static long single(PreparedStatement statement) throws SQLException {
    try (statement;
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}

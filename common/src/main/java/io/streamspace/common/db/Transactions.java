package io.streamspace.common.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs work in one database transaction: committed when it returns, rolled back when it throws.
 * What the caller sees is always the work's own failure: when the connection is gone (the
 * database went down), the rollback fails too, and that failure is only attached to it. The
 * host and the billing plugin both run their transactions through it (each its own copy).
 * {@link #inTransactionRetryingConflicts} runs the work again when PostgreSQL rolled it back for
 * a deadlock; a caller opts in where running its work again is safe.
 */
public final class Transactions {

  private static final Logger log = LoggerFactory.getLogger(Transactions.class);

  /**
   * Work on a connection whose transaction {@link #inTransaction} owns; it may also refuse with
   * a checked exception of its own ({@code E}), which rolls back as any failure does.
   */
  @FunctionalInterface
  public interface Work<T, E extends Exception> {
    T apply(Connection connection) throws SQLException, E;
  }

  // deadlock_detected, serialization_failure: PostgreSQL rolled the transaction back wholly
  private static final Set<String> ROLLED_BACK_FOR_A_CONFLICT = Set.of("40P01", "40001");

  private Transactions() {}

  public static <T, E extends Exception> T inTransaction(DataSource dataSource, Work<T, E> work)
      throws SQLException, E {
    try (Connection connection = dataSource.getConnection()) {
      return inTransaction(connection, work);
    }
  }

  /**
   * The same on a connection of the caller's, in autocommit, which is in autocommit again after
   * (unless the rollback failed: the connection is gone; a failure to put it back is attached to
   * the work's own).
   */
  public static <T, E extends Exception> T inTransaction(Connection connection, Work<T, E> work)
      throws SQLException, E {
    connection.setAutoCommit(false);
    T result;
    try {
      result = work.apply(connection);
      connection.commit();
    } catch (Exception e) { // SQLException, E or unchecked: rethrown as it is
      // a connection whose rollback failed is gone: nothing to put back
      if (rollback(connection, e)) {
        try {
          connection.setAutoCommit(true);
        } catch (SQLException autoCommitFailure) {
          e.addSuppressed(autoCommitFailure);
        }
      }
      throw e;
    }
    connection.setAutoCommit(true);
    return result;
  }

  /**
   * {@link #inTransaction}, run again, up to {@code attempts} times in all, when PostgreSQL
   * rolled it back to break a deadlock (or a serialization conflict) with another transaction:
   * nothing of it stayed, and the other one goes on, so running it again is safe. For bulk work
   * that locks many rows in an order it cannot choose, as calculate-usage's updates of sessions
   * that the metering writer updates meanwhile. The last failure is thrown.
   */
  public static <T, E extends Exception> T inTransactionRetryingConflicts(
      DataSource dataSource, int attempts, Work<T, E> work) throws SQLException, E {
    for (int attempt = 1; ; attempt++) {
      try {
        return inTransaction(dataSource, work);
      } catch (SQLException e) {
        if (attempt >= attempts || !ROLLED_BACK_FOR_A_CONFLICT.contains(e.getSQLState())) {
          throw e;
        }
        log.warn(
            "transaction rolled back for a conflict with another ({}), running it again: {}",
            e.getSQLState(),
            e.getMessage());
      }
    }
  }

  /** Rolls back; false, with the rollback's failure attached to {@code failure}, when it fails. */
  private static boolean rollback(Connection connection, Exception failure) {
    try {
      connection.rollback();
      return true;
    } catch (SQLException rollbackFailure) {
      failure.addSuppressed(rollbackFailure);
      return false;
    }
  }
}

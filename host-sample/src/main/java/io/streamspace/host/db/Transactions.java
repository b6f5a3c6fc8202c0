package io.streamspace.host.db;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Runs work in one database transaction: committed when it returns, rolled back when it throws.
 * What the caller sees is always the work's own failure: when the connection is gone (the
 * database went down), the rollback fails too, and that failure is only attached to it. (The
 * billing plugin has the same helper: the host and its plugins share no code but plugin-api.)
 */
public final class Transactions {

  /**
   * Work on a connection whose transaction {@link #inTransaction} owns; it may also refuse with
   * a checked exception of its own ({@code E}), which rolls back as any failure does.
   */
  @FunctionalInterface
  public interface Work<T, E extends Exception> {
    T apply(Connection connection) throws SQLException, E;
  }

  private Transactions() {}

  public static <T, E extends Exception> T inTransaction(DataSource dataSource, Work<T, E> work)
      throws SQLException, E {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        T result = work.apply(connection);
        connection.commit();
        return result;
      } catch (Exception e) { // SQLException, E or unchecked: rethrown as it is
        rollback(connection, e);
        throw e;
      }
    }
  }

  private static void rollback(Connection connection, Exception failure) {
    try {
      connection.rollback();
    } catch (SQLException rollbackFailure) {
      failure.addSuppressed(rollbackFailure);
    }
  }
}

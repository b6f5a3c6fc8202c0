package io.streamspace.common.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * Small helpers for JDBC code, in the host and the billing plugin. The host's statements keep
 * positional {@code ?} parameters ({@link #prepare}): they are short (a handful of parameters,
 * each bound once), where the billing plugin's long statements, with values used several times
 * over, name theirs ({@code :cap}) through its own {@code NamedSql}. Concatenated SQL is written
 * as text blocks; transactions run through {@link Transactions}.
 */
public final class Sql {

  private Sql() {}

  /** Unchecked wrapper, so callers of stores need not handle {@link SQLException}. */
  public static final class DatabaseException extends RuntimeException {
    public DatabaseException(String message, SQLException cause) {
      super(message, cause);
    }
  }

  /** Wraps a JDBC failure with what the caller was doing. */
  public static DatabaseException failure(String doing, SQLException cause) {
    return new DatabaseException("Database error while " + doing, cause);
  }

  /** A prepared statement with {@code params} bound in order; the caller closes it. */
  public static PreparedStatement prepare(Connection connection, String sql, Object... params)
      throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    try {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      return statement;
    } catch (SQLException e) {
      statement.close();
      throw e;
    }
  }

  /** The instant of a nullable {@code timestamptz}. */
  public static Instant instant(Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }
}

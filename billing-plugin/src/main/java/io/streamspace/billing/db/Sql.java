package io.streamspace.billing.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/** Parameterized statements: binds values in order, instants as {@code timestamptz}. */
public final class Sql {

  private Sql() {}

  /** A prepared statement with {@code params} bound; the caller closes it. */
  public static PreparedStatement prepare(Connection connection, String sql, Object... params)
      throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    try {
      bind(statement, params);
      return statement;
    } catch (SQLException | RuntimeException e) {
      statement.close();
      throw e;
    }
  }

  /** Binds {@code params} to parameters 1, 2, ... (for a batch, once per row). */
  public static void bind(PreparedStatement statement, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      // pgjdbc has no mapping for Instant; a Timestamp is an instant to it
      Object value = params[i] instanceof Instant instant ? Timestamp.from(instant) : params[i];
      statement.setObject(i + 1, value);
    }
  }

  /** Runs an update; answers the rows it touched. */
  public static int update(Connection connection, String sql, Object... params)
      throws SQLException {
    try (PreparedStatement statement = prepare(connection, sql, params)) {
      return statement.executeUpdate();
    }
  }

  /** The instant of a nullable {@code timestamptz}. */
  public static Instant instant(Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }
}

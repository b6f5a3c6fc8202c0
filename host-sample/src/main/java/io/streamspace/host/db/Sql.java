package io.streamspace.host.db;

import java.sql.SQLException;

/** Small helpers for JDBC code in the host. */
public final class Sql {

  private Sql() {}

  /** Unchecked wrapper, so callers of host stores need not handle {@link SQLException}. */
  public static final class DatabaseException extends RuntimeException {
    public DatabaseException(String message, SQLException cause) {
      super(message, cause);
    }
  }

  /** Wraps a JDBC failure with what the host was doing. */
  public static DatabaseException failure(String doing, SQLException cause) {
    return new DatabaseException("Database error while " + doing, cause);
  }
}

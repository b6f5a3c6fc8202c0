package io.streamspace.plugin.api.http;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/**
 * Which failures mean the database cannot be reached right now (down, restarting, no connection
 * within the pool's timeout), so that the host and plugins answer them alike: 503
 * {@code database_unavailable} with {@code Retry-After: }{@value #RETRY_AFTER_SECONDS}, where
 * any other failure is a 500.
 *
 * <p>Stable since 0.2.
 */
public final class DatabaseOutage {

  /** Seconds a client should wait before retrying: a database restart takes a few. */
  public static final int RETRY_AFTER_SECONDS = 5;

  /** SQLState class of connection exceptions (SQL standard; PostgreSQL and pgjdbc use it). */
  private static final String CONNECTION_EXCEPTION_CLASS = "08";

  /** PostgreSQL's admin_shutdown, crash_shutdown and cannot_connect_now: going down or starting. */
  private static final Set<String> SERVER_NOT_SERVING = Set.of("57P01", "57P02", "57P03");

  /** Deep enough for any real wrapping; guards against a cause cycle. */
  private static final int MAX_CAUSES = 20;

  private DatabaseOutage() {}

  /** True when {@code failure}, or one of its causes, says the database cannot be reached. */
  public static boolean causedBy(Throwable failure) {
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
      // a pool (HikariCP) found no connection within its timeout
      if (cause instanceof SQLTransientConnectionException) {
        return true;
      }
      if (cause instanceof SQLException sql
          && sql.getSQLState() != null
          && (sql.getSQLState().startsWith(CONNECTION_EXCEPTION_CLASS)
              || SERVER_NOT_SERVING.contains(sql.getSQLState()))) {
        return true;
      }
    }
    return false;
  }
}

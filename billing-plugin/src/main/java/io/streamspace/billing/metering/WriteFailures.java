package io.streamspace.billing.metering;

import java.sql.SQLException;

/**
 * The one place that decides which failures of a metering write retrying cannot fix.
 *
 * <p><b>Permanent:</b> SQLState class 22, data exception (a value a column cannot hold: NUL in
 * text, a number or date out of range), and class 23, integrity constraint violation (a check,
 * not-null, unique or foreign key constraint refuses a row). Both are about the rows written:
 * the same batch fails the same way every time, and splitting it finds the event that causes it.
 *
 * <p><b>Transient, retried:</b> everything else. Connection failures (08), serialization
 * failures and deadlocks (40), insufficient resources (53), operator intervention (57, a server
 * restarting), and failures that are not about a row (42 a missing table, XX internal errors, an
 * exception that is no {@link SQLException}): retrying may fix them, and setting events aside
 * would not, since every event would fail alike.
 */
final class WriteFailures {

  private WriteFailures() {}

  /** True when retrying the same write cannot succeed because of what it writes. */
  static boolean isPermanent(Throwable failure) {
    String state = sqlState(failure);
    return state != null && (state.startsWith("22") || state.startsWith("23"));
  }

  /** A one-line reason for admins: the SQLState and the database's first line. */
  static String reason(Throwable failure) {
    String message = String.valueOf(failure.getMessage()).lines().findFirst().orElse("").trim();
    String state = sqlState(failure);
    return state == null ? message : "SQLState " + state + ": " + message;
  }

  private static String sqlState(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        return sql.getSQLState();
      }
    }
    return null;
  }
}

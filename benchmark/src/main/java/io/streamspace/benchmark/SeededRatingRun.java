package io.streamspace.benchmark;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A rating run's number for the usage records a workload seeds by SQL, taken as the billing
 * plugin's {@code RatingRuns.begin} takes it: under the runs' shared advisory lock, held until the
 * caller's transaction commits, so the daily usage rollup's settled run never passes a run still
 * writing. A record stamped otherwise (run 0, or a number taken without the lock) could lie at or
 * below the rollup's watermark without being in the rollup, and every read through the rollup
 * (reports, usage by member, invoices) would miss it.
 */
final class SeededRatingRun {

  // the billing plugin's RatingRuns.KEY ("bruns" in ASCII), the key of the runs' advisory lock
  private static final long KEY = 0x62_7275_6e73L;

  private static final String TAKE =
      "SELECT nextval('billing_rating_runs') FROM pg_advisory_xact_lock_shared(?)";

  private SeededRatingRun() {}

  /**
   * A new run's number, in {@code connection}'s transaction; stamp the records with it and
   * commit them in that transaction.
   *
   * @throws IllegalStateException when the connection commits each statement: the lock would
   *     end before the records are written
   */
  static long take(Connection connection) throws SQLException {
    if (connection.getAutoCommit()) {
      throw new IllegalStateException(
          "a seeded rating run needs a transaction: its lock is held until the records commit");
    }
    try (PreparedStatement take = connection.prepareStatement(TAKE)) {
      take.setLong(1, KEY);
      try (ResultSet number = take.executeQuery()) {
        number.next();
        return number.getLong(1);
      }
    }
  }
}

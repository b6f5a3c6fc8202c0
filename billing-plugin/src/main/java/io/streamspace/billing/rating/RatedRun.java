package io.streamspace.billing.rating;

import io.streamspace.billing.config.BillingConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * What else happens, in a share's rating transaction, to what a rating run rated: the prepaid
 * ledger's burns ({@code prepaid.Burns}), wired in, so that rating does not depend on the ledger.
 * A crash rolls it back with the records; a run rates a record once, so it acts on one once.
 */
@FunctionalInterface
public interface RatedRun {

  /** Nothing more. */
  RatedRun NONE = (connection, config, ratingRun, from, cap, now) -> {};

  /**
   * After the run {@code ratingRun} stored its records of one share, in its transaction.
   *
   * @param from the earliest instant any of its records starts at
   * @param cap where its records end, at the latest
   */
  void rated(
      Connection connection,
      BillingConfig config,
      long ratingRun,
      Instant from,
      Instant cap,
      Instant now)
      throws SQLException;
}

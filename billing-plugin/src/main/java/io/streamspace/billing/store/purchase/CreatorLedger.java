package io.streamspace.billing.store.purchase;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Where a purchase's money is owed to its creator: told, in the purchase's own transaction, when
 * a sale takes effect and when it is refunded or charged back, so that a purchase and its
 * creator's share are committed together or not at all.
 */
public interface CreatorLedger {

  /** A ledger that keeps nothing: the store without revenue sharing (tests of purchasing). */
  CreatorLedger NONE =
      new CreatorLedger() {
        @Override
        public void sold(Connection c, long purchaseId) {}

        @Override
        public void refunded(Connection c, long purchaseId, Instant at) {}

        @Override
        public void chargedBack(Connection c, long purchaseId, Instant at) {}
      };

  /** The purchase took effect: its sale is the creator's (once, however often told). */
  void sold(Connection c, long purchaseId) throws SQLException;

  /** The purchase was refunded at {@code at}: its sale is clawed back (once). */
  void refunded(Connection c, long purchaseId, Instant at) throws SQLException;

  /** The purchase's payment was charged back at {@code at}: its sale is clawed back (once). */
  void chargedBack(Connection c, long purchaseId, Instant at) throws SQLException;
}

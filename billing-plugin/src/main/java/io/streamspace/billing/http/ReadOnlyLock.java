package io.streamspace.billing.http;

import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.hold.Hold;
import io.streamspace.billing.hold.HoldReason;
import io.streamspace.common.http.ApiException;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The guard of every write a user makes on an account, but paying: while the account is locked
 * for non-payment ({@link io.streamspace.billing.hold.PaymentLock}), the write is refused with
 * 423 {@code account_locked} and the lock's sentence (what is unpaid, how to unlock). One line
 * at the top of a write route, once the caller's account is known: {@code
 * readOnlyLock.requireNotLocked(accountId)}. Reads, payments and admin routes do not call it.
 * It reads the database, so a lock placed on another node refuses at once.
 */
public final class ReadOnlyLock {

  private final AccountHolds holds;

  public ReadOnlyLock(AccountHolds holds) {
    this.holds = holds;
  }

  /** Refuses with 423 {@code account_locked} when the account is locked read-only. */
  public void requireNotLocked(String accountId) throws ApiException, SQLException {
    Optional<String> why = lockedBecause(accountId);
    if (why.isPresent()) {
      throw ApiException.locked(why.get());
    }
  }

  /** The lock's sentence (what is unpaid, how to unlock) while the account is locked. */
  public Optional<String> lockedBecause(String accountId) throws SQLException {
    return holds.active(accountId, HoldReason.NON_PAYMENT).map(Hold::detail);
  }
}

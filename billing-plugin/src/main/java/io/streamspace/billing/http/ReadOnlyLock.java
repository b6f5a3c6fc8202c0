package io.streamspace.billing.http;

import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.hold.Hold;
import io.streamspace.billing.hold.HoldReason;
import io.streamspace.common.http.ApiException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The guard of every write a user makes on an account, but paying: while the account is locked
 * for non-payment ({@link io.streamspace.billing.hold.PaymentLock}), the write is refused with
 * 423 {@code account_locked} and the lock's sentence (what is unpaid, how to unlock); once the
 * organization is closed (org.deleted), with 409 {@code organization_closed}, for good. One line
 * at the top of a write route, once the caller's account is known: {@code
 * readOnlyLock.requireNotLocked(orgId)}. Reads, payments (a closed organization's Owner still
 * pays its final invoice, through the Customer Portal or collection) and admin routes do not
 * call it. It reads the database, so a lock placed or a closing stored on another node refuses
 * at once.
 */
public final class ReadOnlyLock {

  /** The code of the refusal of a closed organization's writes. */
  public static final String ORGANIZATION_CLOSED = "organization_closed";

  private final AccountHolds holds;
  private final AccountRepository accounts;

  public ReadOnlyLock(AccountHolds holds, AccountRepository accounts) {
    this.holds = holds;
    this.accounts = accounts;
  }

  /**
   * Refuses with 409 {@code organization_closed} when the organization is closed, else with 423
   * {@code account_locked} when the account is locked read-only.
   */
  public void requireNotLocked(String orgId) throws ApiException, SQLException {
    requireOpen(orgId);
    Optional<String> why = lockedBecause(orgId);
    if (why.isPresent()) {
      throw ApiException.locked(why.get());
    }
  }

  /**
   * Refuses with 409 {@code organization_closed} when the organization is closed (org.deleted):
   * its plan, packs, limits and payment settings no longer change.
   */
  public void requireOpen(String orgId) throws ApiException, SQLException {
    Optional<Instant> closedAt = accounts.closedAt(orgId);
    if (closedAt.isPresent()) {
      throw ApiException.conflict(
          ORGANIZATION_CLOSED,
          "the organization was closed at "
              + closedAt.get()
              + "; its invoices can still be read"
              + " and paid",
          Map.of());
    }
  }

  /** When the organization closed (org.deleted); empty while it is open or has no account. */
  public Optional<Instant> closedAt(String orgId) throws SQLException {
    return accounts.closedAt(orgId);
  }

  /** The lock's sentence (what is unpaid, how to unlock) while the account is locked. */
  public Optional<String> lockedBecause(String orgId) throws SQLException {
    return holds.active(orgId, HoldReason.NON_PAYMENT).map(Hold::detail);
  }
}

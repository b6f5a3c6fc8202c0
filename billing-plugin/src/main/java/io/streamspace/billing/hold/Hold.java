package io.streamspace.billing.hold;

import io.streamspace.billing.events.AccountHoldChanged;
import java.time.Instant;

/**
 * A hold on an account, active until it is lifted.
 *
 * @param detail why, in a sentence shown to the user (the refusal's and the suspension's reason)
 * @param liftedBy {@value AccountHolds#LIFTED_BY_BILLING} when the plugin lifted it (paid, back
 *     within limits), else the admin who did; null while active
 */
public record Hold(
    long id,
    String orgId,
    HoldReason reason,
    String detail,
    Instant placedAt,
    Instant liftedAt,
    String liftedBy,
    String liftNote) {

  public boolean active() {
    return liftedAt == null;
  }

  /**
   * The hold as {@code billing.account.suspended}, {@code resumed}, {@code locked} and {@code
   * unlocked} tell it; built here, as the events package knows no hold.
   */
  public AccountHoldChanged event() {
    return new AccountHoldChanged(
        orgId, reason.dbName(), detail, placedAt, liftedAt, liftedBy, liftNote);
  }
}

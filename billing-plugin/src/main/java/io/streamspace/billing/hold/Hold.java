package io.streamspace.billing.hold;

import io.streamspace.billing.events.AccountHoldChanged;
import java.time.Instant;
import java.util.List;

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

  /** The hold as the unlock route answers it and the audit trail keeps it: no sessions. */
  public AccountHoldChanged event() {
    return new AccountHoldChanged(
        orgId, null, reason.dbName(), detail, placedAt, liftedAt, liftedBy, liftNote, null);
  }

  /**
   * The hold as its reason's events tell it ({@link HoldReason#placedEvent}, {@link
   * HoldReason#liftedEvent}), with the sessions it suspends or resumes; built here, as the events
   * package knows no hold.
   */
  public AccountHoldChanged event(List<String> sessions) {
    return new AccountHoldChanged(
        orgId, orgId, reason.dbName(), detail, placedAt, liftedAt, liftedBy, liftNote, sessions);
  }
}

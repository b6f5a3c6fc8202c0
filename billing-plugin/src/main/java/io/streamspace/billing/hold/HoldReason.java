package io.streamspace.billing.hold;

import io.streamspace.billing.events.BillingEvents;
import io.streamspace.plugin.api.session.SessionControl;
import java.util.Arrays;

/**
 * Why an account is held: its sessions suspended and new ones refused. Declared in the order a
 * refusal names them when an account has several: the one a user must act on first.
 */
public enum HoldReason {
  /** An invoice overdue for longer than {@code paymentGraceDays}: the read-only lock. */
  NON_PAYMENT(
      "non_payment",
      "account_locked",
      BillingEvents.ACCOUNT_LOCKED,
      BillingEvents.ACCOUNT_UNLOCKED,
      false),

  /**
   * A prepaid organization's balance is spent (its runway reached zero): its sessions are
   * suspended with a snapshot, billed for storage only while it lasts, and resume when money
   * arrives (the wind-down).
   */
  BALANCE_EXHAUSTED(
      "balance_exhausted",
      "insufficient_balance",
      BillingEvents.SESSION_SUSPENDED,
      BillingEvents.SESSION_RESUMED,
      true),

  /** The period's estimated cost reached a spending limit whose action is {@code block}. */
  SPENDING_LIMIT(
      "spending_limit",
      "spending_limit_reached",
      BillingEvents.ACCOUNT_SUSPENDED,
      BillingEvents.ACCOUNT_RESUMED,
      false),

  /** Over a hard limit for longer than {@code gracePeriodDays} ({@code autoSuspendOnOverage}). */
  OVER_LIMIT(
      "over_limit",
      "account_suspended",
      BillingEvents.ACCOUNT_SUSPENDED,
      BillingEvents.ACCOUNT_RESUMED,
      false);

  private final String dbName;
  private final String admissionCode;
  private final String placedEvent;
  private final String liftedEvent;
  private final boolean snapshot;

  HoldReason(
      String dbName,
      String admissionCode,
      String placedEvent,
      String liftedEvent,
      boolean snapshot) {
    this.dbName = dbName;
    this.admissionCode = admissionCode;
    this.placedEvent = placedEvent;
    this.liftedEvent = liftedEvent;
    this.snapshot = snapshot;
  }

  /** Its name in the database and in JSON ({@code non_payment}). */
  public String dbName() {
    return dbName;
  }

  /** The code admission denies a new session with while the hold is on. */
  public String admissionCode() {
    return admissionCode;
  }

  /** The event published once when the hold is placed. */
  public String placedEvent() {
    return placedEvent;
  }

  /** The event published once when it is lifted. */
  public String liftedEvent() {
    return liftedEvent;
  }

  /**
   * The reason the host suspends a session of an account held for it with: {@code detail}, the
   * sentence the user sees, asking for a snapshot ({@link SessionControl#SNAPSHOT}) when the
   * session is to resume where it stopped once the hold is lifted.
   */
  public String suspension(String detail) {
    return snapshot ? SessionControl.SNAPSHOT + detail : detail;
  }

  public static HoldReason ofDbName(String name) {
    return Arrays.stream(values())
        .filter(r -> r.dbName.equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown hold reason: " + name));
  }
}

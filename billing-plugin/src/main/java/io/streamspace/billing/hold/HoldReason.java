package io.streamspace.billing.hold;

import io.streamspace.billing.events.BillingEvents;
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
      BillingEvents.ACCOUNT_UNLOCKED),

  /** The period's estimated cost reached a spending limit whose action is {@code block}. */
  SPENDING_LIMIT(
      "spending_limit",
      "spending_limit_reached",
      BillingEvents.ACCOUNT_SUSPENDED,
      BillingEvents.ACCOUNT_RESUMED),

  /** Over a hard limit for longer than {@code gracePeriodDays} ({@code autoSuspendOnOverage}). */
  OVER_LIMIT(
      "over_limit",
      "account_suspended",
      BillingEvents.ACCOUNT_SUSPENDED,
      BillingEvents.ACCOUNT_RESUMED);

  private final String dbName;
  private final String admissionCode;
  private final String placedEvent;
  private final String liftedEvent;

  HoldReason(String dbName, String admissionCode, String placedEvent, String liftedEvent) {
    this.dbName = dbName;
    this.admissionCode = admissionCode;
    this.placedEvent = placedEvent;
    this.liftedEvent = liftedEvent;
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

  public static HoldReason ofDbName(String name) {
    return Arrays.stream(values())
        .filter(r -> r.dbName.equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown hold reason: " + name));
  }
}

package io.streamspace.billing.events;

import io.streamspace.billing.hold.Hold;
import java.time.Instant;

/**
 * The payload of {@code billing.account.suspended}, {@code resumed}, {@code locked} and {@code
 * unlocked}: the hold placed or lifted.
 *
 * @param reason {@code non_payment}, {@code spending_limit} or {@code over_limit}
 * @param detail why, in the sentence the user sees
 * @param liftedAt null when the hold was placed
 * @param liftedBy {@code billing}, or the admin who lifted it; null when placed
 */
public record AccountHoldChanged(
    String userId,
    String reason,
    String detail,
    Instant placedAt,
    Instant liftedAt,
    String liftedBy,
    String note) {

  public static AccountHoldChanged of(Hold hold) {
    return new AccountHoldChanged(
        hold.accountId(),
        hold.reason().dbName(),
        hold.detail(),
        hold.placedAt(),
        hold.liftedAt(),
        hold.liftedBy(),
        hold.liftNote());
  }
}

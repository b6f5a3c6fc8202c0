package io.streamspace.billing.events;

import java.time.Instant;

/**
 * The payload of {@code billing.account.suspended}, {@code resumed}, {@code locked} and {@code
 * unlocked}: the hold placed or lifted, as the hold package tells it.
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
    String note) {}

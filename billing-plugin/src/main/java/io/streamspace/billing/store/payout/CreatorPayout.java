package io.streamspace.billing.store.payout;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A payout as its creator and the platform admin see it.
 *
 * @param period the month it pays, {@code YYYY-MM}
 * @param status {@code pending}, {@code failed} or {@code paid}
 * @param attempts the tries sent to Stripe so far
 * @param nextAttemptAt when it is tried next; null once paid, or when failed for good
 * @param lastError what went wrong last ({@code no payout account} while the creator has none)
 */
public record CreatorPayout(
    long id,
    String creatorId,
    String period,
    String currency,
    BigDecimal amount,
    String status,
    int attempts,
    Instant nextAttemptAt,
    String lastError,
    String stripeTransferId,
    Instant createdAt,
    Instant paidAt) {

  public static final String PENDING = "pending";
  public static final String FAILED = "failed";
  public static final String PAID = "paid";

  /** What a payout waits for while its creator has set no connected account. */
  public static final String NO_ACCOUNT = "no payout account";
}

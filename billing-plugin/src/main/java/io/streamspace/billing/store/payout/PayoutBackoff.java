package io.streamspace.billing.store.payout;

import io.streamspace.common.time.Backoff;
import java.time.Duration;
import java.time.Instant;

/**
 * When a payout whose transfer failed is tried again: an hour after its first failed try,
 * doubling with each try up to a day apart, so an outage or a short balance is waited out without
 * hammering Stripe, and a payout is never left for longer than a day.
 */
final class PayoutBackoff {

  private static final Backoff BACKOFF = new Backoff(Duration.ofHours(1), Duration.ofDays(1));

  private PayoutBackoff() {}

  /**
   * @param attempts the tries so far, the failed one included (at least 1)
   */
  static Instant after(int attempts, Instant now) {
    return now.plus(BACKOFF.after(Math.max(attempts, 1)));
  }
}

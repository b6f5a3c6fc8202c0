package io.streamspace.billing.payments.collection;

import io.streamspace.common.time.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When a collection attempt is tried again, decided from figures alone (no database, no Stripe).
 * Stripe unreachable: the same attempt, with the same key, one minute after the first try,
 * doubling with each try up to an hour apart, so an outage is waited out without hammering
 * Stripe. A decline: the next attempt, {@code paymentRetryDays} after the invoice was finalized
 * (the first entry after attempt 1, the second after attempt 2...) and none after the last entry
 * (an auto top-up's attempts: {@code paymentRetryDays} after its balance fell below the threshold);
 * or at once when the customer has replaced the declined card as the default meanwhile (each such
 * attempt needs another new card, so this is bounded by what the customer does).
 *
 * @param retryDays {@code paymentRetryDays}: days after the finalization of each retry
 */
public record RetrySchedule(List<Integer> retryDays) {

  /** Stripe unreachable: a minute after the first try, doubling up to an hour apart. */
  static final Backoff OUTAGE = new Backoff(Duration.ofMinutes(1), Duration.ofHours(1));

  /**
   * When an attempt Stripe could not be reached for is due again.
   *
   * @param tries how many times the attempt was claimed, this try included (at least 1)
   */
  public static Instant afterOutage(int tries, Instant now) {
    return now.plus(OUTAGE.after(tries));
  }

  /**
   * When the attempt after a declined one is due; empty when the declined one was the last.
   *
   * @param failed the declined attempt's number (1 for the first)
   * @param cardReplaced whether the declined card is no longer the customer's default
   */
  public Optional<Instant> afterDecline(
      int failed, Instant finalizedAt, boolean cardReplaced, Instant now) {
    if (cardReplaced) {
      return Optional.of(now);
    }
    if (failed > retryDays.size()) {
      return Optional.empty();
    }
    return Optional.of(finalizedAt.plus(Duration.ofDays(retryDays.get(failed - 1))));
  }
}

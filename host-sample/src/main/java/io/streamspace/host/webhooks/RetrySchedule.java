package io.streamspace.host.webhooks;

import io.streamspace.common.time.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a failed delivery is tried again: one minute after the first failure, doubling after each
 * (2, 4, 8… minutes) up to six hours between attempts, each delay lengthened by a random 0 to 25 %
 * so that endpoints coming back are not hit by every node at once; no attempt is scheduled later
 * than three days after the event: the delivery is then failed (an admin may still replay it).
 */
final class RetrySchedule {

  static final Backoff DELAYS = new Backoff(Duration.ofMinutes(1), Duration.ofHours(6));
  static final Duration GIVE_UP_AFTER = Duration.ofDays(3);
  static final double MAX_JITTER = 0.25;

  private RetrySchedule() {}

  /**
   * The delay after the {@code failures}-th failure (1 for the first), before jitter.
   *
   * @param failures at least 1
   */
  static Duration nominalDelay(int failures) {
    return DELAYS.after(failures);
  }

  /**
   * The next attempt after the {@code failures}-th failure at {@code now}, or empty when it would
   * come later than {@link #GIVE_UP_AFTER} after {@code createdAt}.
   *
   * @param random from 0 (inclusive) to 1 (exclusive): how much of the jitter to add
   */
  static Optional<Instant> nextAttempt(
      Instant createdAt, int failures, Instant now, double random) {
    Duration nominal = nominalDelay(failures);
    long jitterMillis = (long) (nominal.toMillis() * MAX_JITTER * random);
    Instant next = now.plus(nominal).plusMillis(jitterMillis);
    return next.isAfter(createdAt.plus(GIVE_UP_AFTER)) ? Optional.empty() : Optional.of(next);
  }
}

package io.streamspace.common.time;

import java.time.Duration;
import java.util.Objects;

/**
 * A capped exponential backoff: the wait after a first failure is {@code first}, and each failure
 * after it doubles the wait before, up to {@code max}, which no wait ever passes. The one
 * definition of the rule for whoever waits between failed tries (the journal's consumers, the
 * plugin registry following other nodes, the metering queue's writer, the webhooks' worker,
 * Stripe collection waiting out an outage, creators' payouts tried again); each names its own
 * figures.
 *
 * @param first the wait after a first failure: positive
 * @param max the longest wait: at least {@code first}
 */
public record Backoff(Duration first, Duration max) {

  public Backoff {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(max, "max");
    if (first.isNegative() || first.isZero()) {
      throw new IllegalArgumentException("first must be positive, got " + first);
    }
    if (max.compareTo(first) < 0) {
      throw new IllegalArgumentException("max " + max + " is shorter than first " + first);
    }
  }

  /**
   * The wait after {@code previous} when the try failed again: doubled, at most {@link #max}.
   * A {@code previous} shorter than {@link #first} (zero: no failure before) gives {@code first}.
   */
  public Duration next(Duration previous) {
    if (previous.compareTo(first) < 0) {
      return first;
    }
    // doubled past max when previous > max - previous; so compared, a wait never overflows
    return previous.compareTo(max.minus(previous)) > 0 ? max : previous.multipliedBy(2);
  }

  /**
   * The wait after the {@code failures}-th failure in a row (1 for the first): {@link #first}
   * doubled {@code failures - 1} times, at most {@link #max}.
   *
   * @param failures at least 1
   */
  public Duration after(int failures) {
    if (failures < 1) {
      throw new IllegalArgumentException("failures must be at least 1, got " + failures);
    }
    Duration wait = first;
    for (int failure = 1; failure < failures && wait.compareTo(max) < 0; failure++) {
      wait = next(wait);
    }
    return wait;
  }
}

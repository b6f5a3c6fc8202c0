package io.streamspace.host.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Failed authentications per client address, in memory: an address with {@link #MAX_FAILURES}
 * failures within {@link #WINDOW} of its first one has its next failures answered 429 until that
 * window has passed. Only failures count: {@link Authenticator} checks a token before asking
 * here, so a valid token is never refused.
 *
 * <p>Memory is bounded: at most {@link #MAX_ADDRESSES} addresses are remembered, the least
 * recently active forgotten first, so an attacker rotating addresses costs a fixed amount of
 * memory (and, at worst, makes the host forget an address early). Each node counts on its own.
 */
public final class FailedAuthThrottle {

  public static final int MAX_FAILURES = 10;
  public static final Duration WINDOW = Duration.ofMinutes(5);
  public static final int MAX_ADDRESSES = 10_000;

  private final WindowCounts failures;

  public FailedAuthThrottle(Clock clock) {
    this(clock, MAX_FAILURES, WINDOW, MAX_ADDRESSES);
  }

  FailedAuthThrottle(Clock clock, int maxFailures, Duration window, int maxAddresses) {
    this.failures = new WindowCounts(clock, maxFailures, window, maxAddresses);
  }

  /** How long the address must wait, or empty when its failures are under the limit. */
  public Optional<Duration> retryAfter(String address) {
    return failures.retryAfter(address);
  }

  /** Counts a failed authentication from the address, opening a new window when the last passed. */
  public void recordFailure(String address) {
    failures.record(address);
  }

  int trackedAddresses() {
    return failures.trackedKeys();
  }
}

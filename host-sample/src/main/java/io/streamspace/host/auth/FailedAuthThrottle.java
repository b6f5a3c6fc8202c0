package io.streamspace.host.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Failed authentications per client address, in memory: an address with {@link #MAX_FAILURES}
 * failures within {@link #WINDOW} of its first one is refused until that window has passed.
 *
 * <p>Memory is bounded: at most {@link #MAX_ADDRESSES} addresses are remembered, the least
 * recently active forgotten first, so an attacker rotating addresses costs a fixed amount of
 * memory (and, at worst, makes the host forget an address early). Each node counts on its own.
 */
public final class FailedAuthThrottle {

  public static final int MAX_FAILURES = 10;
  public static final Duration WINDOW = Duration.ofMinutes(5);
  public static final int MAX_ADDRESSES = 10_000;

  /** An address's failures since the start of its window. */
  private record Failures(Instant windowStart, int count) {}

  private final Clock clock;
  private final int maxFailures;
  private final Duration window;
  private final Map<String, Failures> byAddress;

  public FailedAuthThrottle(Clock clock) {
    this(clock, MAX_FAILURES, WINDOW, MAX_ADDRESSES);
  }

  FailedAuthThrottle(Clock clock, int maxFailures, Duration window, int maxAddresses) {
    this.clock = clock;
    this.maxFailures = maxFailures;
    this.window = window;
    this.byAddress =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
            return size() > maxAddresses;
          }
        };
  }

  /** How long the address must wait, or empty when it may try to authenticate. */
  public synchronized Optional<Duration> retryAfter(String address) {
    Failures failures = byAddress.get(address);
    if (failures == null) {
      return Optional.empty();
    }
    Duration left = Duration.between(clock.instant(), failures.windowStart().plus(window));
    if (left.isNegative() || left.isZero()) {
      byAddress.remove(address);
      return Optional.empty();
    }
    return failures.count() >= maxFailures ? Optional.of(left) : Optional.empty();
  }

  /** Counts a failed authentication from the address, opening a new window when the last passed. */
  public synchronized void recordFailure(String address) {
    Instant now = clock.instant();
    byAddress.compute(
        address,
        (a, failures) ->
            failures == null || !now.isBefore(failures.windowStart().plus(window))
                ? new Failures(now, 1)
                : new Failures(failures.windowStart(), failures.count() + 1));
  }

  synchronized int trackedAddresses() {
    return byAddress.size();
  }
}

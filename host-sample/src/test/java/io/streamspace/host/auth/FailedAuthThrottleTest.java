package io.streamspace.host.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FailedAuthThrottleTest {

  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

  private final MutableClock clock = new MutableClock(NOW);
  private final FailedAuthThrottle throttle =
      new FailedAuthThrottle(clock, 3, Duration.ofMinutes(5), 100);

  @Test
  void anAddressIsBlockedAfterItsFailuresUntilTheWindowFromItsFirstFailurePasses() {
    throttle.recordFailure("10.0.0.1");
    clock.advance(Duration.ofMinutes(1));
    throttle.recordFailure("10.0.0.1");
    assertEquals(Optional.empty(), throttle.retryAfter("10.0.0.1"), "two failures are allowed");
    throttle.recordFailure("10.0.0.1");

    assertEquals(Optional.of(Duration.ofMinutes(4)), throttle.retryAfter("10.0.0.1"));
    assertEquals(Optional.empty(), throttle.retryAfter("10.0.0.2"), "only that address");
    clock.advance(Duration.ofMinutes(4).minusSeconds(1));
    assertEquals(Optional.of(Duration.ofSeconds(1)), throttle.retryAfter("10.0.0.1"));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(Optional.empty(), throttle.retryAfter("10.0.0.1"));
  }

  @Test
  void failuresSpreadOverMoreThanAWindowNeverBlock() {
    for (int i = 0; i < 10; i++) {
      throttle.recordFailure("10.0.0.3");
      throttle.recordFailure("10.0.0.3");
      assertEquals(Optional.empty(), throttle.retryAfter("10.0.0.3"));
      clock.advance(Duration.ofMinutes(5));
    }
  }

  @Test
  void anAttackerRotatingAddressesDoesNotGrowMemoryWithoutBound() {
    for (int i = 0; i < 100_000; i++) {
      throttle.recordFailure("2001:db8::" + Integer.toHexString(i));
    }
    assertTrue(throttle.trackedAddresses() <= 100, "tracked " + throttle.trackedAddresses());
  }
}

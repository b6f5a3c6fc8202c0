package io.streamspace.host.auth;

import io.javalin.http.Context;
import io.streamspace.common.http.ApiException;
import io.streamspace.plugin.api.http.HttpStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * Counts per key in memory, each in a fixed window from its first count: a key counted {@code
 * max} times within {@code window} of its first count is refused until that window has passed.
 * At most {@code maxKeys} keys are remembered, the least recently active forgotten first, so
 * rotating keys costs a fixed amount of memory. What the failed-authentication throttle and the
 * token-minting limit both are; each node counts on its own.
 */
final class WindowCounts {

  /** A key's count since the start of its window. */
  private record Window(Instant start, int count) {}

  private final Clock clock;
  private final int max;
  private final Duration window;
  private final Map<String, Window> byKey;

  WindowCounts(Clock clock, int max, Duration window, int maxKeys) {
    this.clock = clock;
    this.max = max;
    this.window = window;
    this.byKey =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
            return size() > maxKeys;
          }
        };
  }

  /** How long the key must wait, or empty when it is under its limit. */
  synchronized Optional<Duration> retryAfter(String key) {
    Window counted = byKey.get(key);
    if (counted == null) {
      return Optional.empty();
    }
    Duration left = Duration.between(clock.instant(), counted.start().plus(window));
    if (left.isNegative() || left.isZero()) {
      byKey.remove(key);
      return Optional.empty();
    }
    return counted.count() >= max ? Optional.of(left) : Optional.empty();
  }

  /** Counts once for the key, opening a new window when the last passed. */
  synchronized void record(String key) {
    Instant now = clock.instant();
    byKey.compute(
        key,
        (k, counted) ->
            counted == null || !now.isBefore(counted.start().plus(window))
                ? new Window(now, 1)
                : new Window(counted.start(), counted.count() + 1));
  }

  /** Whole seconds to wait, rounded up, at least 1: what {@code Retry-After} says. */
  static long seconds(Duration wait) {
    return Math.max(1, (wait.toMillis() + 999) / 1000);
  }

  /**
   * The 429 refusal of a key that must wait: sets {@code Retry-After} on the answer and returns
   * the error to throw, whose message {@code why} writes from the whole seconds to wait.
   */
  static ApiException tooMany(Context ctx, Duration wait, String code, LongFunction<String> why) {
    long seconds = seconds(wait);
    ctx.header("Retry-After", Long.toString(seconds));
    return new ApiException(HttpStatus.TOO_MANY_REQUESTS, code, why.apply(seconds));
  }

  synchronized int trackedKeys() {
    return byKey.size();
  }
}

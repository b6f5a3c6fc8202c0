package io.streamspace.benchmark;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** The p50 and p99 of measured round trips. */
public record Latencies(Duration p50, Duration p99) {

  public static Latencies of(List<Long> nanos) {
    return of(nanos.stream().mapToLong(Long::longValue).toArray());
  }

  public static Latencies of(long[] nanos) {
    if (nanos.length == 0) {
      return new Latencies(null, null);
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return new Latencies(
        Duration.ofNanos(sorted[sorted.length / 2]),
        Duration.ofNanos(sorted[Math.min(sorted.length - 1, sorted.length * 99 / 100)]));
  }
}

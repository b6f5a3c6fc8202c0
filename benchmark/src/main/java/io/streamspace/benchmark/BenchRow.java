package io.streamspace.benchmark;

import java.time.Duration;

/**
 * One row of the benchmark's table.
 *
 * @param workload what was measured, e.g. "events over HTTP, batches of 1,000"
 * @param size what it ran on, e.g. "100,000 sessions, 60 s"
 * @param time how long the measured part took
 * @param rate per second in {@code unit} (events, requests...), or null where no rate applies
 * @param unit what {@code rate} counts, e.g. "events"; null with a null rate
 * @param p50 the median latency, or null where it does not apply
 * @param p99 the 99th percentile latency, or null
 * @param baseline what the raw PostgreSQL baseline did, e.g. "batched INSERT of the rows"; null
 *     where none applies
 * @param baselineTime how long the baseline took; null without a baseline
 * @param target the target in words, e.g. "≥ 100,000 events/s"; null for none
 * @param met whether the target was met; null without a target
 */
public record BenchRow(
    String workload,
    String size,
    Duration time,
    Double rate,
    String unit,
    Duration p50,
    Duration p99,
    String baseline,
    Duration baselineTime,
    String target,
    Boolean met) {

  /** The time over the baseline's, or null without a baseline. */
  public Double ratio() {
    if (baselineTime == null || baselineTime.isZero()) {
      return null;
    }
    return (double) time.toNanos() / baselineTime.toNanos();
  }
}

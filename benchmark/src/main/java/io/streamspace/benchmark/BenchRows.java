package io.streamspace.benchmark;

import java.time.Duration;

/** Rows of the shapes several workloads answer. */
public final class BenchRows {

  private BenchRows() {}

  /** A row with a time and a target only: no rate, latencies or baseline. */
  public static BenchRow timed(
      String workload, String size, Duration time, String target, boolean met) {
    return new BenchRow(workload, size, time, null, null, null, null, null, null, target, met);
  }
}

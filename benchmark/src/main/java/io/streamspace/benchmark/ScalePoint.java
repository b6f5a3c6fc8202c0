package io.streamspace.benchmark;

import java.time.Duration;

/**
 * What {@code bench --scale} measured at one size.
 *
 * @param organizations the number of organizations of each workload at this size
 * @param invoicing generate-invoices with its finalization
 * @param calculateUsage calculate-usage rating an hour of one session per organization
 * @param dashboard the median time of one dashboard answer
 * @param databaseBytes the database's size once the three ran ({@code pg_database_size}); -1
 *     when it could not be read
 */
record ScalePoint(
    int organizations,
    Measure invoicing,
    Measure calculateUsage,
    Measure dashboard,
    long databaseBytes) {

  /**
   * One workload's figure at one size: its time and its ratio to its raw baseline (null where it
   * has none), or why it failed.
   */
  record Measure(Duration time, Double ratio, String failure) {

    static Measure of(BenchRow row) {
      return new Measure(row.time(), row.ratio(), null);
    }

    static Measure of(Duration time) {
      return new Measure(time, null, null);
    }

    static Measure failed(Throwable why) {
      return new Measure(null, null, why.getMessage() == null ? why.toString() : why.getMessage());
    }

    boolean ran() {
      return failure == null;
    }

    /** Microseconds per organization at {@code organizations}; NaN when it failed. */
    double microsPer(int organizations) {
      return ran() ? time.toNanos() / 1e3 / organizations : Double.NaN;
    }
  }

  boolean allRan() {
    return invoicing.ran() && calculateUsage.ran() && dashboard.ran();
  }
}

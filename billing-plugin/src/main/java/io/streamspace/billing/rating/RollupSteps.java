package io.streamspace.billing.rating;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the steps of a roll-up end ({@link UsageRollup#rollUp}): the rating runs after the
 * rollup's watermark, taken in order, cut after the run that brings a step to {@code
 * recordsPerStep} records or more, so that each step adds about that many records in a
 * transaction of its own. A run is never split (the watermark is a run), so a run larger than a
 * step is a step alone. The last step ends at the settled run, whatever it holds: a run may
 * have rated nothing, or its records been re-stamped by a void since.
 */
final class RollupSteps {

  /**
   * How many records a rating run wrote.
   *
   * @param run the run's number ({@link RatingRuns})
   * @param records its records still stamped with it
   */
  record RunSize(long run, long records) {}

  private RollupSteps() {}

  /**
   * The runs at which the steps end, in order; the last is {@code settled}.
   *
   * @param sizes the runs after the watermark up to {@code settled} that hold records, in order
   */
  static List<Long> ends(List<RunSize> sizes, long settled, long recordsPerStep) {
    List<Long> ends = new ArrayList<>();
    long inStep = 0;
    for (RunSize size : sizes) {
      inStep += size.records();
      if (inStep >= recordsPerStep && size.run() < settled) {
        ends.add(size.run());
        inStep = 0;
      }
    }
    ends.add(settled);
    return List.copyOf(ends);
  }
}

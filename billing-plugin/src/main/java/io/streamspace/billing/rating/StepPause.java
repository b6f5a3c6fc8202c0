package io.streamspace.billing.rating;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The wait background work takes between two of its steps, so that what runs beside it keeps the
 * cores it needs: the daily roll-up's steps ({@link UsageRollup}) and check-quotas' pages of
 * accounts take it. calculate-usage paces its rounds itself ({@code RatingPace}).
 */
@FunctionalInterface
public interface StepPause {

  /**
   * How many times as long as a step took the work pauses after it while events are metered on
   * this node ({@link #whileMetering}): it then takes a third of a core beside intake, as
   * admission's reload in slices does.
   */
  int TIMES_A_STEP_WHILE_METERING = 2;

  /** Waits after a step that took {@code took}. */
  void after(Duration took) throws InterruptedException;

  /**
   * {@link #TIMES_A_STEP_WHILE_METERING} times a step's time while {@code metering} says events
   * are being metered on this node; no pause on a quiet node, where nothing waits on the cores.
   */
  static StepPause whileMetering(BooleanSupplier metering) {
    return took -> {
      if (metering.getAsBoolean()) {
        Thread.sleep(took.multipliedBy(TIMES_A_STEP_WHILE_METERING).toMillis());
      }
    };
  }
}

package io.streamspace.billing.pace;

import java.time.Duration;

/**
 * The wait background work takes between two of its steps, so that what runs beside it keeps the
 * cores it needs: the daily roll-up's steps and check-quotas' pages of accounts take it.
 * calculate-usage paces its rounds itself ({@code RatingPace}).
 */
@FunctionalInterface
public interface StepPause {

  /**
   * How many times as long as a step took the work pauses after it while events are metered on
   * this node ({@link #whileMetering}): it then takes a third of a core beside intake, as
   * admission's reload in slices does.
   */
  int TIMES_A_STEP_WHILE_METERING = 2;

  /**
   * Waits after a step that took {@code took}; returns at once, with the thread's interrupt set,
   * when interrupted (the host is stopping: the work goes on without pauses, as before them).
   */
  void after(Duration took);

  /**
   * {@link #TIMES_A_STEP_WHILE_METERING} times a step's time while {@code lane} says events are
   * being metered on this node, letting go of the lane meanwhile; no pause on a quiet node, where
   * nothing waits on the cores.
   */
  static StepPause whileMetering(BackgroundLane lane) {
    return took -> {
      if (lane.busy()) {
        try {
          lane.pause(took.multipliedBy(TIMES_A_STEP_WHILE_METERING));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
  }
}

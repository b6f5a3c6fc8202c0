package io.streamspace.billing.rating;

import java.math.BigDecimal;

/**
 * How much one calculate-usage run rates: at most {@code hoursPerRun} hours of work in all
 * (session-hours and storage-hours) and at most {@code hoursPerSubject} hours of one subject (a
 * session, or an account's storage), never more than the run's. Pure.
 *
 * <p>A subject's work is its unrated time up to its settle point. When all the work fits within
 * the run's bound, each subject rates up to {@code hoursPerSubject} hours. When it does not,
 * every subject is held at a common level L, the largest with Σ min(work, L) within the bound
 * (computed by the run's SQL over all subjects at once): each rates at most L, in whole hours
 * (rounded down, at least 1, so a run always moves), and never more than {@code hoursPerSubject}.
 * Short backlogs complete; long ones are worked off over the next runs.
 */
record RatingBound(int hoursPerRun, int hoursPerSubject) {

  private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3_600L);

  /** @throws IllegalArgumentException for a bound under an hour */
  RatingBound {
    if (hoursPerSubject < 1 || hoursPerRun < 1) {
      throw new IllegalArgumentException("the bounds must be at least 1 hour");
    }
    hoursPerSubject = Math.min(hoursPerSubject, hoursPerRun);
  }

  /** The run's bound in seconds, as the work is measured. */
  BigDecimal runSeconds() {
    return seconds(hoursPerRun);
  }

  /** Whether {@code workSeconds} of work fits within one run, so no level is needed. */
  boolean fits(BigDecimal workSeconds) {
    return workSeconds.compareTo(runSeconds()) <= 0;
  }

  /** The hours each subject may rate when the work is held at {@code levelSeconds}. */
  int hoursAtLevel(BigDecimal levelSeconds) {
    int wholeHours = levelSeconds.divideToIntegralValue(SECONDS_PER_HOUR).intValueExact();
    return Math.min(hoursPerSubject, Math.max(1, wholeHours));
  }

  private static BigDecimal seconds(int hours) {
    return BigDecimal.valueOf(hours * 3_600L);
  }
}

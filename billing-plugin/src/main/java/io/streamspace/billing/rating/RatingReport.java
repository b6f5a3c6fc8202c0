package io.streamspace.billing.rating;

import java.time.Duration;

/**
 * A calculate-usage run's outcome and what it cost: its own time (closing, finding the work,
 * rating: the wall time of its transactions) apart from the pauses between its rounds of chunks.
 *
 * @param outcome what it did
 * @param chunks  the chunks it rated in (0: nothing to rate)
 * @param rounds  the rounds it rated them in: as many as the chunks when events were being
 *                metered throughout (one chunk at a time, {@link RatingPace})
 * @param own     its wall time less its pauses
 * @param paused  the time it paused between rounds of chunks for other work
 */
public record RatingReport(
    UsageCalculator.Outcome outcome, int chunks, int rounds, Duration own, Duration paused) {

  /** The outcome's summary, and what it cost: "...: N ms of its own, M ms paused ...". */
  public String summary() {
    return outcome.summary()
        + "; rated in %d chunk(s) in %d round(s): %d ms of its own, %d ms paused for other work"
            .formatted(chunks, rounds, own.toMillis(), paused.toMillis());
  }
}

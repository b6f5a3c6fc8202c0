package io.streamspace.billing.rating;

import java.time.Duration;

/**
 * A calculate-usage run's outcome and what it cost: its own time (closing, finding the work,
 * rating), what it would take without its pacing ({@link RatingPace}), apart from the rest.
 *
 * @param outcome what it did
 * @param chunks  the chunks it rated in (0: nothing to rate)
 * @param rounds  the rounds it rated them in: as many as the chunks when events were being
 *                metered throughout (one chunk at a time, {@link RatingPace})
 * @param own     its wall time until its rounds began (closing the timed-out sessions, finding
 *                the work, cutting the chunks), then each round's work: its chunks' time shared by
 *                its lanes ({@link RatingPace#work}), and the last round's wall time
 * @param paused  the rest of its wall time: its pauses between rounds for other work, and each
 *                round's lanes waiting for its last chunk
 */
public record RatingReport(
    UsageCalculator.Outcome outcome, int chunks, int rounds, Duration own, Duration paused) {

  /** The outcome's summary, and what it cost: "...: N ms of its own, M ms paused ...". */
  public String summary() {
    return outcome.summary()
        + ("; rated in %d chunk(s) in %d round(s): %d ms of its own, %d ms paused for other work"
                + " or waiting for a round's last chunk")
            .formatted(chunks, rounds, own.toMillis(), paused.toMillis());
  }
}

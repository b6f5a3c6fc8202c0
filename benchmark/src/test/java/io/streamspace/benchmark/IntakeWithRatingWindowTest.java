package io.streamspace.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The intake-with-rating window starts clear of the cron's next run, so that the sessions' creation
 * round is over before any run: the run's batches are then the heartbeats the target is about.
 */
class IntakeWithRatingWindowTest {

  @Test
  void aWindowTwentySecondsOrMoreBeforeTheNextMinuteStartsAtOnce() {
    assertEquals(
        Duration.ZERO,
        IntakeWithRatingWorkload.waitBeforeWindow(Instant.parse("2026-11-27T14:00:40Z")));
    assertEquals(
        Duration.ZERO,
        IntakeWithRatingWorkload.waitBeforeWindow(Instant.parse("2026-11-27T14:00:00Z")));
  }

  @Test
  void aWindowCloserToTheNextMinuteWaitsUntilTwoSecondsPastIt() {
    assertEquals(
        Duration.ofMillis(2_500),
        IntakeWithRatingWorkload.waitBeforeWindow(Instant.parse("2026-11-27T14:00:59.500Z")));
    assertEquals(
        Duration.ofSeconds(21).plusMillis(1),
        IntakeWithRatingWorkload.waitBeforeWindow(Instant.parse("2026-11-27T14:00:40.999Z")));
  }
}

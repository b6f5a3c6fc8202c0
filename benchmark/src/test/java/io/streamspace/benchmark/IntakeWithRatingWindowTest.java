package io.streamspace.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.benchmark.IntakeWithRatingWorkload.Run;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

  @Test
  void aWindowAcrossTwoMinuteMarksWantsARunAtEach_butNotAtOneARunWasStillRatingAt() {
    Instant from = Instant.parse("2026-11-28T05:48:10Z");
    Instant to = from.plusSeconds(130); // 05:50:20: the marks 05:49 and 05:50
    Run hour = run("2026-11-28T05:49:00.542Z", Duration.ofSeconds(40));
    Run minute = run("2026-11-28T05:50:00.300Z", Duration.ofMillis(400));
    Run outlasting = run("2026-11-28T05:49:00.542Z", Duration.ofMillis(78_403));

    assertEquals(2, IntakeWithRatingWorkload.expectedRuns(from, to, List.of()), "none yet");
    assertEquals(2, IntakeWithRatingWorkload.expectedRuns(from, to, List.of(hour)));
    assertEquals(2, IntakeWithRatingWorkload.expectedRuns(from, to, List.of(hour, minute)));
    assertEquals(
        1,
        IntakeWithRatingWorkload.expectedRuns(from, to, List.of(outlasting)),
        "the hour's run of 78 s was still rating at 05:50 (run AK, on Kafka)");
    Instant small = Instant.parse("2026-11-28T05:48:10Z");
    assertEquals(
        1,
        IntakeWithRatingWorkload.expectedRuns(small, small.plusSeconds(4), List.of()),
        "a window with no minute mark: the small size's run through the route");
  }

  private static Run run(String startedAt, Duration took) {
    return new Run(Instant.parse(startedAt), took, true, 0, true, took);
  }
}

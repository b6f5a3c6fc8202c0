package io.streamspace.billing.rating;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.pace.BackgroundLane;
import io.streamspace.billing.rating.UsageCalculator.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * How a run's chunks go in rounds: two for each of its transactions (its lanes), one while events
 * are metered.
 */
class RatingPaceTest {

  private static final List<KeyRange> FIVE_CHUNKS =
      IntStream.range(0, 5).mapToObj(i -> new KeyRange("org-" + i, "org-" + (i + 1))).toList();

  @Test
  void whileEventsAreMetered_aRoundRatesOneChunk_onceTheyStopTwoForEachTransaction()
      throws Exception {
    AtomicInteger asked = new AtomicInteger();
    // events metered during the first two rounds, none after
    RatingPace pace = new RatingPace(2, 0, new BackgroundLane(() -> asked.getAndIncrement() < 2));
    List<List<KeyRange>> rounds = new ArrayList<>();

    RatingPace.Paced paced =
        pace.rate(
            FIVE_CHUNKS,
            new Outcome(3, 0, 0, 0, 0, 0),
            chunks -> {
              rounds.add(chunks);
              return new Outcome(0, 10L * chunks.size(), chunks.size(), 0, 0, 0);
            });

    assertEquals(
        List.of(FIVE_CHUNKS.subList(0, 1), FIVE_CHUNKS.subList(1, 2), FIVE_CHUNKS.subList(2, 5)),
        rounds);
    assertEquals(3, paced.rounds());
    assertEquals(new Outcome(3, 50, 5, 0, 0, 0), paced.outcome(), "every chunk's, added up");
  }

  @Test
  void aRunBegunWhileEventsAreMeteredCutsItsChunksAnEighthTheSize_atLeastOneSubjectEach() {
    assertEquals(
        500, new RatingPace(2, 100, new BackgroundLane(() -> true)).subjectsPerChunk(4_000));
    assertEquals(1, new RatingPace(2, 100, new BackgroundLane(() -> true)).subjectsPerChunk(7));
    assertEquals(
        4_000, new RatingPace(2, 100, new BackgroundLane(() -> false)).subjectsPerChunk(4_000));
  }

  @Test
  void whileEventsAreMetered_aRunScansInOneTransaction_elseInOneForEachLane() {
    assertEquals(1, new RatingPace(2, 100, new BackgroundLane(() -> true)).lanes());
    assertEquals(2, new RatingPace(2, 100, new BackgroundLane(() -> false)).lanes());
  }

  @Test
  void aRunWithNothingMeteredRatesTwoChunksAPerTransactionARound_andPausesAfterEachButTheLast()
      throws Exception {
    RatingPace pace = new RatingPace(1, 100, new BackgroundLane(() -> false));
    List<Integer> sizes = new ArrayList<>();

    RatingPace.Paced paced =
        pace.rate(
            FIVE_CHUNKS,
            new Outcome(0, 0, 0, 0, 0, 0),
            chunks -> {
              sizes.add(chunks.size());
              long began = System.nanoTime();
              while (System.nanoTime() - began < 2_000_000) {
                Thread.onSpinWait(); // a round of 2 ms, paused as long after it
              }
              return new Outcome(0, 0, 0, 0, 0, 0);
            });

    assertEquals(List.of(2, 2, 1), sizes);
    assertEquals(3, paced.rounds());
    // two pauses, each as long as its round (at least 2 ms): none after the last
    assertTrue(paced.pausedNanos() >= 4_000_000, paced.pausedNanos() + " ns");
  }

  @Test
  void whileEventsAreMetered_theRunPausesTwiceAsLongAsEachRoundTook() throws Exception {
    RatingPace pace = new RatingPace(1, 100, new BackgroundLane(() -> true));

    RatingPace.Paced paced =
        pace.rate(
            FIVE_CHUNKS.subList(0, 2),
            new Outcome(0, 0, 0, 0, 0, 0),
            chunks -> {
              long began = System.nanoTime();
              while (System.nanoTime() - began < 2_000_000) {
                Thread.onSpinWait(); // a round of 2 ms, paused twice as long after it
              }
              return new Outcome(0, 0, 0, 0, 0, 0);
            });

    assertEquals(2, paced.rounds());
    // one pause, after the first of two rounds of one chunk: twice its at least 2 ms
    assertTrue(paced.pausedNanos() >= 4_000_000, paced.pausedNanos() + " ns");
  }
}

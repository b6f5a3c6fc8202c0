package io.streamspace.common.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static final Backoff TENTH_TO_FIVE =
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

  @Test
  void theWaitStartsAtFirst_doublesAfterEachFailure_andStopsAtMax() {
    List<Long> waits = new ArrayList<>();
    Duration wait = TENTH_TO_FIVE.first();
    for (int failure = 1; failure <= 9; failure++) {
      waits.add(wait.toMillis());
      wait = TENTH_TO_FIVE.next(wait);
    }

    // 100 ms doubled: 200, 400, 800, 1,600, 3,200, then 6,400 capped at 5,000
    assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L, 5000L), waits);
  }

  @Test
  void theWaitAfterTheNthFailureIsFirstDoubledNMinusOneTimes_atMostMax() {
    Backoff minuteToSixHours = new Backoff(Duration.ofMinutes(1), Duration.ofHours(6));

    assertEquals(Duration.ofMinutes(1), minuteToSixHours.after(1));
    assertEquals(Duration.ofMinutes(2), minuteToSixHours.after(2));
    assertEquals(Duration.ofMinutes(256), minuteToSixHours.after(9)); // 2^8 minutes
    assertEquals(Duration.ofHours(6), minuteToSixHours.after(10)); // 512 minutes > 360
    assertEquals(Duration.ofHours(6), minuteToSixHours.after(Integer.MAX_VALUE));
    // after(n) is next applied n - 1 times to first
    Duration wait = TENTH_TO_FIVE.first();
    for (int failures = 1; failures <= 12; failures++) {
      assertEquals(wait, TENTH_TO_FIVE.after(failures), "after " + failures);
      wait = TENTH_TO_FIVE.next(wait);
    }
  }

  @Test
  void aWaitIsNeverOverMax_evenWhenDoublingWouldPassDurationsLimit() {
    Backoff huge = new Backoff(Duration.ofNanos(3), Duration.ofSeconds(Long.MAX_VALUE));
    Duration wait = huge.first();
    for (int failure = 0; failure < 200; failure++) {
      wait = huge.next(wait);
      assertTrue(wait.compareTo(huge.max()) <= 0, wait::toString);
    }
    assertEquals(huge.max(), wait);
    // a max that is no doubling of first is still reached exactly, never passed: 3, 6, then 7
    Backoff odd = new Backoff(Duration.ofNanos(3), Duration.ofNanos(7));
    assertEquals(Duration.ofNanos(6), odd.next(Duration.ofNanos(3)));
    assertEquals(Duration.ofNanos(7), odd.next(Duration.ofNanos(6)));
    assertEquals(Duration.ofNanos(7), odd.next(Duration.ofNanos(7)));
    assertEquals(Duration.ofNanos(7), odd.next(Duration.ofDays(1)));
  }

  @Test
  void noFailureBefore_nextGivesFirst() {
    assertEquals(Duration.ofMillis(100), TENTH_TO_FIVE.next(Duration.ZERO));
    assertEquals(Duration.ofMillis(100), TENTH_TO_FIVE.next(Duration.ofMillis(99)));
  }

  @Test
  void firstMustBePositiveAndMaxAtLeastFirst() {
    assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> TENTH_TO_FIVE.after(0));
    assertEquals(
        Duration.ofSeconds(1),
        new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)).next(Duration.ofSeconds(1)));
  }
}

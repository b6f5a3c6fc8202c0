package io.streamspace.billing.rating;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamspace.testing.Await;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A run's lanes: a round's chunks by lanes at once, each lane taking the next chunk as soon as it
 * is free, on threads kept from round to round.
 */
class ConcurrentlyTest {

  private final Concurrently lanes = new Concurrently(2);

  @AfterEach
  void closeTheLanes() {
    lanes.close();
  }

  /**
   * The second lane is the same thread in every round (the pool then hands it back the same
   * connection, its statement prepared), and never the caller's.
   */
  @Test
  void theOtherLaneIsOneThreadKeptFromRoundToRound() throws Exception {
    Set<Thread> others = ConcurrentHashMap.newKeySet();
    for (int round = 0; round < 3; round++) {
      CountDownLatch both = new CountDownLatch(2);
      lanes.run(
          List.<Callable<Integer>>of(
              () -> {
                meet(both);
                return 0;
              },
              () -> {
                others.add(Thread.currentThread());
                meet(both);
                return 0;
              }),
          0,
          Integer::sum);
    }

    assertEquals(1, others.size(), others.toString());
    assertFalse(others.contains(Thread.currentThread()));
  }

  /**
   * The first item taken is done only once the three others are: the other lane takes them one
   * after the other without waiting for it (one item a lane at a time, the first would wait in
   * vain).
   */
  @Test
  void aLaneTakesTheNextItemAsSoonAsItIsFree_notWaitingForTheOtherLanes() throws Exception {
    CountDownLatch othersDone = new CountDownLatch(3);
    AtomicInteger taken = new AtomicInteger();

    int total =
        lanes.eachOf(
            List.of(1, 2, 3, 4),
            2,
            item -> {
              if (taken.getAndIncrement() == 0) {
                Await.opened(othersDone, Duration.ofSeconds(10), "the other items");
              } else {
                othersDone.countDown();
              }
              return item;
            },
            0,
            Integer::sum);

    assertEquals(10, total, "every item once");
  }

  @Test
  void aFailedItemIsThrownOnceTheLanesHaveEnded_theOtherLaneDoingTheRest() {
    List<Integer> done = new java.util.concurrent.CopyOnWriteArrayList<>();
    SQLException failure = new SQLException("item 2 failed");

    SQLException thrown =
        assertThrows(
            SQLException.class,
            () ->
                lanes.eachOf(
                    List.of(1, 2, 3, 4, 5),
                    2,
                    item -> {
                      if (item == 2) {
                        throw failure;
                      }
                      done.add(item);
                      return item;
                    },
                    0,
                    Integer::sum));

    assertEquals(failure, thrown);
    assertEquals(List.of(1, 3, 4, 5), done.stream().sorted().toList());
  }

  /** Counts {@code both} down, then waits for the other lane to: both lanes at once. */
  private static void meet(CountDownLatch both) {
    both.countDown();
    Await.opened(both, Duration.ofSeconds(10), "the other lane");
  }
}

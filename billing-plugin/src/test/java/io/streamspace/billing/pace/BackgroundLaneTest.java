package io.streamspace.billing.pace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BackgroundLaneTest {

  private static final Duration TEST_LIMIT = Duration.ofSeconds(10);

  @Test
  void whileEventsAreMetered_aSecondWorkWaitsUntilTheFirstLetsGoOfTheLane() throws Exception {
    BackgroundLane lane = new BackgroundLane(() -> true);
    AtomicBoolean secondRan = new AtomicBoolean();
    OtherWork first = OtherWork.holding(lane);

    Thread second = started(() -> lane.hold(() -> secondRan.getAndSet(true)));
    awaitWaiting(lane, 1);

    assertFalse(secondRan.get(), "the second work waits while the first holds the lane");
    first.close();
    join(second);
    assertTrue(secondRan.get());
    assertEquals(0, lane.waiting());
  }

  @Test
  void aWorkThatPausesLetsAnotherTakeTheLane_andWaitsForItBackAfter() throws Exception {
    BackgroundLane lane = new BackgroundLane(() -> true);
    CountDownLatch firstIn = new CountDownLatch(1);
    CountDownLatch pauseNow = new CountDownLatch(1);
    AtomicBoolean firstDone = new AtomicBoolean();
    Thread first =
        started(
            () ->
                lane.hold(
                    () -> {
                      firstIn.countDown();
                      pauseNow.await();
                      lane.pause(Duration.ofMillis(1));
                      return firstDone.getAndSet(true);
                    }));
    firstIn.await();
    OtherWork second = OtherWork.asking(lane);
    awaitWaiting(lane, 1);

    pauseNow.countDown();
    second.awaitTurn(); // it took the lane during the first's pause
    awaitWaiting(lane, 1); // and the first, its pause over, waits for it back

    assertFalse(firstDone.get());
    second.close();
    join(first);
    assertTrue(firstDone.get());
  }

  @Test
  void onANodeMeteringNothing_nothingWaitsForTheLane() throws Exception {
    BackgroundLane lane = new BackgroundLane(() -> false);
    OtherWork first = OtherWork.holding(lane);

    int second = assertTimeoutPreemptively(TEST_LIMIT, () -> lane.hold(() -> 2));

    assertEquals(2, second, "it ran beside the first, which still works");
    first.close();
  }

  @Test
  void aWorkHoldingTheLaneHoldsItAgainWithoutWaitingForItself() {
    BackgroundLane lane = new BackgroundLane(() -> true);

    int inner = assertTimeoutPreemptively(TEST_LIMIT, () -> lane.hold(() -> lane.hold(() -> 7)));

    assertEquals(7, inner);
    assertEquals(
        8, assertTimeoutPreemptively(TEST_LIMIT, () -> lane.hold(() -> 8)), "given back once");
  }

  @Test
  void aWorkWaitsForTheLaneNoLongerThanTheLongestWait_thenGoesOnBesideTheOneHoldingIt()
      throws Exception {
    BackgroundLane lane = new BackgroundLane(() -> true, Duration.ofMillis(50));
    OtherWork first = OtherWork.holding(lane);

    int second = assertTimeoutPreemptively(TEST_LIMIT, () -> lane.hold(() -> 2));

    assertEquals(2, second);
    assertTrue(first.working(), "the first still holds the lane");
    first.close();
    assertEquals(
        3,
        assertTimeoutPreemptively(TEST_LIMIT, () -> lane.hold(() -> 3)),
        "the lane is free again: the one that went on beside gave back nothing it did not take");
  }

  @Test
  void aWorkBegunOnAQuietNodeTakesTheLaneAtItsFirstPauseOnceEventsArrive() throws Exception {
    AtomicBoolean metering = new AtomicBoolean(false);
    BackgroundLane lane = new BackgroundLane(metering::get);
    CountDownLatch firstIn = new CountDownLatch(1);
    CountDownLatch pauseNow = new CountDownLatch(1);
    CountDownLatch joined = new CountDownLatch(1);
    CountDownLatch firstDone = new CountDownLatch(1);
    Thread first =
        started(
            () ->
                lane.hold(
                    () -> {
                      firstIn.countDown();
                      pauseNow.await();
                      lane.pause(Duration.ofMillis(1));
                      joined.countDown();
                      firstDone.await();
                      return null;
                    }));
    firstIn.await();
    metering.set(true);
    pauseNow.countDown();
    joined.await();

    AtomicBoolean secondRan = new AtomicBoolean();
    Thread second = started(() -> lane.hold(() -> secondRan.getAndSet(true)));
    awaitWaiting(lane, 1);

    assertFalse(secondRan.get(), "the first holds the lane since its pause");
    firstDone.countDown();
    join(first, second);
    assertTrue(secondRan.get());
  }

  @Test
  void anInterruptWhileAPauseWaitsForTheLaneEndsThePause_andTheLaneIsLeftFree() throws Exception {
    BackgroundLane lane = new BackgroundLane(() -> true);
    CountDownLatch pausingIn = new CountDownLatch(1);
    CountDownLatch pauseNow = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    Thread pausing =
        new Thread(
            () -> {
              try {
                lane.hold(
                    () -> {
                      pausingIn.countDown();
                      pauseNow.await();
                      lane.pause(Duration.ofMillis(1));
                      return null;
                    });
              } catch (InterruptedException e) {
                interrupted.set(true);
              }
            });
    pausing.start();
    pausingIn.await();
    OtherWork other = OtherWork.asking(lane);
    awaitWaiting(lane, 1);
    pauseNow.countDown();
    other.awaitTurn(); // it took the lane during the pause
    awaitWaiting(lane, 1); // and the pausing work waits to take it back

    pausing.interrupt();
    join(pausing);
    assertTrue(interrupted.get(), "the pause ended by the interrupt");
    other.close();
    assertEquals(
        4,
        assertTimeoutPreemptively(TEST_LIMIT, () -> lane.hold(() -> 4)),
        "the lane is free: the interrupted work held none of it");
  }

  /** A thread doing {@code work}, started. */
  private static Thread started(BackgroundLane.Work<?, InterruptedException> work) {
    Thread thread =
        new Thread(
            () -> {
              try {
                work.run();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    thread.start();
    return thread;
  }

  private static void awaitWaiting(BackgroundLane lane, int works) {
    assertTimeoutPreemptively(
        TEST_LIMIT,
        () -> {
          while (lane.waiting() != works) {
            Thread.onSpinWait();
          }
        });
  }

  private static void join(Thread... threads) throws InterruptedException {
    for (Thread thread : threads) {
      thread.join(TEST_LIMIT.toMillis());
      assertFalse(thread.isAlive(), thread.getName() + " ended");
    }
  }
}

package io.streamspace.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {

  @Test
  void returnsOnceTheConditionHoldsAskingNoMoreThanNeeded() {
    AtomicInteger asks = new AtomicInteger();
    Await.await(
        Duration.ofSeconds(5),
        Duration.ofMillis(1),
        "the third ask",
        () -> asks.incrementAndGet() == 3);
    assertEquals(3, asks.get());
  }

  @Test
  void returnsTheValueThatWasAccepted() {
    AtomicInteger reads = new AtomicInteger();
    int accepted =
        Await.await(
            Duration.ofSeconds(5),
            Duration.ofMillis(1),
            "a value of 4",
            reads::incrementAndGet,
            value -> value >= 4);
    assertEquals(4, accepted);
  }

  @Test
  void failsAtTheDeadlineNamingWhatItWaitedForAndTheLastValue() {
    AssertionError failed =
        assertThrows(
            AssertionError.class,
            () ->
                Await.await(
                    Duration.ofMillis(30),
                    Duration.ofMillis(5),
                    "the answer",
                    () -> "not yet",
                    "done"::equals));
    assertTrue(failed.getMessage().contains("the answer"), failed.getMessage());
    assertTrue(failed.getMessage().contains("not yet"), failed.getMessage());
  }

  @Test
  void parksBetweenAsksInsteadOfSpinning() {
    AtomicInteger asks = new AtomicInteger();
    assertThrows(
        AssertionError.class,
        () ->
            Await.await(
                Duration.ofMillis(200),
                Duration.ofMillis(50),
                "never",
                () -> asks.incrementAndGet() < 0));
    // a spin loop asks millions of times in 200 ms; parking 50 ms between asks, about 5
    assertTrue(asks.get() <= 10, "asked " + asks.get() + " times");
  }

  @Test
  void aCheckedExceptionFromTheConditionFailsTheWaitWithItsCause() {
    AssertionError failed =
        assertThrows(
            AssertionError.class,
            () ->
                Await.await(
                    Duration.ofSeconds(5),
                    Duration.ofMillis(1),
                    "a read",
                    () -> {
                      throw new IOException("connection refused");
                    }));
    assertTrue(failed.getCause() instanceof IOException);
  }

  @Test
  void aLatchOpenedByAnotherThread_endsTheWait_andOneStillClosedAtTheDeadlineFailsNamingIt() {
    CountDownLatch opened = new CountDownLatch(1);
    new Thread(opened::countDown).start();
    Await.opened(opened, Duration.ofSeconds(10), "the other thread");
    assertEquals(0, opened.getCount());

    AssertionError failed =
        assertThrows(
            AssertionError.class,
            () -> Await.opened(new CountDownLatch(1), Duration.ofMillis(50), "the other worker"));
    assertEquals("waited PT0.05S for the other worker", failed.getMessage());
  }
}

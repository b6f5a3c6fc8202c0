package io.streamspace.billing.pace;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Another work on the background lane, on a thread of its own, for tests of what waits for it: it
 * asks for its turn as any work does, says when it has it, and keeps it until closed, or for a set
 * time of its own (another work's statement of that length).
 */
public final class OtherWork implements AutoCloseable {

  private static final Duration TEST_LIMIT = Duration.ofSeconds(10);

  private final CountDownLatch in = new CountDownLatch(1);
  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread thread;

  private OtherWork(BackgroundLane lane, Duration keepFor) {
    thread =
        new Thread(
            () -> {
              try {
                lane.hold(
                    () -> {
                      in.countDown();
                      return done.await(keepFor.toNanos(), TimeUnit.NANOSECONDS);
                    });
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "other-work");
    thread.start();
  }

  /** A work that has asked for its turn on {@code lane} (it may be waiting for it still). */
  public static OtherWork asking(BackgroundLane lane) {
    return new OtherWork(lane, TEST_LIMIT);
  }

  /** A work that has its turn on {@code lane}, until closed. */
  public static OtherWork holding(BackgroundLane lane) throws InterruptedException {
    OtherWork work = asking(lane);
    work.awaitTurn();
    return work;
  }

  /** A work that has its turn on {@code lane} and gives it back after {@code keepFor}. */
  public static OtherWork holdingFor(BackgroundLane lane, Duration keepFor)
      throws InterruptedException {
    OtherWork work = new OtherWork(lane, keepFor);
    work.awaitTurn();
    return work;
  }

  /** Waits until it has its turn. */
  public void awaitTurn() throws InterruptedException {
    in.await();
  }

  /** Whether it is still working (holding its turn, or waiting for it). */
  public boolean working() {
    return thread.isAlive();
  }

  /** Ends its work, giving its turn back, and waits for its thread to end. */
  @Override
  public void close() throws InterruptedException {
    done.countDown();
    thread.join(TEST_LIMIT.toMillis());
    if (thread.isAlive()) {
      throw new IllegalStateException("the other work did not end");
    }
  }
}

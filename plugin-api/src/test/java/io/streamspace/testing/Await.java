package io.streamspace.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Waits in tests for work that happens on another thread or in another process, where no
 * deterministic trigger exists: asks a condition, parks for the poll interval between asks (so
 * the code under test keeps the cores of a small machine), and fails naming what it waited for
 * when the deadline passes. One place for every such wait, instead of hand-written spin loops.
 *
 * <pre>{@code
 * Await.await(Duration.ofSeconds(30), Duration.ofMillis(20), "the cron job fired",
 *     () -> !runs.isEmpty());
 * Response ready = Await.await(Duration.ofSeconds(15), Duration.ofMillis(50), "a ready host",
 *     () -> http.get("/api/health/ready"), response -> response.status() == 200);
 * }</pre>
 */
public final class Await {

  /** A condition that may throw, as a query or an HTTP call does; an exception fails the wait. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /** A value that may throw to read, as a query or an HTTP call does. */
  @FunctionalInterface
  public interface Reading<T> {
    T read() throws Exception;
  }

  private Await() {}

  /**
   * Waits until {@code latch} opens: a step of another thread the test set up to signal it.
   *
   * @throws AssertionError naming {@code what} when it is still closed at the deadline, or when
   *     the wait is interrupted
   */
  public static void opened(CountDownLatch latch, Duration deadline, String what) {
    try {
      if (!latch.await(deadline.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new AssertionError("waited " + deadline + " for " + what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what, e);
    }
  }

  /**
   * Asks {@code condition} until it holds, parking {@code pollInterval} between asks.
   *
   * @throws AssertionError naming {@code what} when it still does not hold at the deadline
   */
  public static void await(
      Duration deadline, Duration pollInterval, String what, Condition condition) {
    await(deadline, pollInterval, what, condition::holds, Boolean::booleanValue);
  }

  /**
   * Reads {@code value} until {@code done} accepts it, parking {@code pollInterval} between reads,
   * and returns the value accepted.
   *
   * @throws AssertionError naming {@code what} and the last value read at the deadline
   */
  public static <T> T await(
      Duration deadline,
      Duration pollInterval,
      String what,
      Reading<T> value,
      Predicate<? super T> done) {
    Objects.requireNonNull(what, "what");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("pollInterval must be positive: " + pollInterval);
    }
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      T read;
      try {
        read = value.read();
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Exception e) {
        throw new AssertionError("while waiting for " + what + ": " + e, e);
      }
      if (done.test(read)) {
        return read;
      }
      long left = end - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("waited " + deadline + " for " + what + "; last seen: " + read);
      }
      LockSupport.parkNanos(Math.min(left, pollInterval.toNanos()));
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what);
      }
    }
  }
}

package io.streamspace.billing.rating;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BinaryOperator;
import java.util.stream.IntStream;

/** calculate-usage's transactions that run at once, each on a connection and core of its own. */
final class Concurrently {

  private Concurrently() {}

  /**
   * The first task on this thread and the others each on a thread of their own, combined; fails
   * with the first failure once all have ended (the transactions that committed stay: each is
   * whole, and the next run rates the others).
   */
  static <T> T run(List<Callable<T>> tasks, T none, BinaryOperator<T> combine) throws SQLException {
    if (tasks.isEmpty()) {
      return none;
    }
    ExecutorService others = Executors.newFixedThreadPool(Math.max(1, tasks.size() - 1));
    try {
      List<Future<T>> started = tasks.stream().skip(1).map(others::submit).toList();
      T total = none;
      SQLException failure = null;
      try {
        total = combine.apply(total, tasks.get(0).call());
      } catch (Exception e) {
        failure = firstOrSuppressed(failure, e);
      }
      for (Future<T> task : started) {
        try {
          total = combine.apply(total, task.get());
        } catch (ExecutionException e) {
          failure = firstOrSuppressed(failure, e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failure = firstOrSuppressed(failure, e);
        }
      }
      if (failure != null) {
        throw failure;
      }
      return total;
    } finally {
      others.shutdown();
    }
  }

  /** One item's task. */
  @FunctionalInterface
  interface Task<I, T> {
    T run(I item) throws SQLException;
  }

  /**
   * Every item's task, by {@code lanes} lanes at once (the first on this thread), each lane taking
   * the next item left as soon as it has done one, so that none waits for another's; combined as
   * {@link #run} combines. A lane that fails takes no more; the others go on.
   */
  static <I, T> T eachOf(
      List<I> items, int lanes, Task<I, T> task, T none, BinaryOperator<T> combine)
      throws SQLException {
    AtomicInteger next = new AtomicInteger();
    return run(
        IntStream.range(0, Math.min(lanes, items.size()))
            .<Callable<T>>mapToObj(
                lane ->
                    () -> {
                      T done = none;
                      for (int i = next.getAndIncrement();
                          i < items.size();
                          i = next.getAndIncrement()) {
                        done = combine.apply(done, task.run(items.get(i)));
                      }
                      return done;
                    })
            .toList(),
        none,
        combine);
  }

  private static SQLException firstOrSuppressed(SQLException first, Throwable next) {
    if (first != null) {
      first.addSuppressed(next);
      return first;
    }
    return next instanceof SQLException sql
        ? sql
        : new SQLException("a calculate-usage transaction failed", next);
  }
}

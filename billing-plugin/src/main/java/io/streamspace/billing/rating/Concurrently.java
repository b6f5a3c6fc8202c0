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

/**
 * A calculate-usage run's lanes: its transactions that run at once, each on a connection and core
 * of its own. The first lane is the run's own thread; the others are threads kept for the whole
 * run (not made anew for each round of chunks), so that each lane tends to take the same
 * connection from transaction to transaction (the pool hands a thread back the connection it last
 * used), where the rating statement is prepared and the catalog cached: on a connection new to it,
 * a chunk's statement took 45–60 ms more to parse and plan than once prepared there
 * (docs/benchmark-history.md, run AP).
 * Closing it ends the threads.
 */
final class Concurrently implements AutoCloseable {

  private final int lanes;
  private final ExecutorService others;

  /** @param lanes how many tasks may run at once, the caller's thread among them */
  Concurrently(int lanes) {
    if (lanes < 1) {
      throw new IllegalArgumentException("a run needs a lane");
    }
    this.lanes = lanes;
    this.others = lanes > 1 ? Executors.newFixedThreadPool(lanes - 1) : null;
  }

  /**
   * The first task on this thread and the others each on a lane of their own (at most as many
   * tasks as lanes), combined; fails with the first failure once all have ended (the transactions
   * that committed stay: each is whole, and the next run rates the others).
   */
  <T> T run(List<Callable<T>> tasks, T none, BinaryOperator<T> combine) throws SQLException {
    if (tasks.size() > lanes) {
      throw new IllegalArgumentException(tasks.size() + " tasks for " + lanes + " lanes");
    }
    if (tasks.isEmpty()) {
      return none;
    }
    List<Future<T>> started = tasks.stream().skip(1).map(task -> others.submit(task)).toList();
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
  }

  /** One item's task. */
  @FunctionalInterface
  interface Task<I, T> {
    T run(I item) throws SQLException;
  }

  /**
   * Every item's task, by {@code atOnce} of the lanes at once (the first on this thread), each lane
   * taking the next item left as soon as it has done one, so that none waits for another's;
   * combined as {@link #run} combines. A lane that fails takes no more; the others go on.
   */
  <I, T> T eachOf(List<I> items, int atOnce, Task<I, T> task, T none, BinaryOperator<T> combine)
      throws SQLException {
    AtomicInteger next = new AtomicInteger();
    return run(
        IntStream.range(0, Math.min(atOnce, items.size()))
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

  @Override
  public void close() {
    if (others != null) {
      others.shutdown();
    }
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

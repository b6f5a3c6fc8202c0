package io.streamspace.billing.invoicing;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs an invoice run's chunks on a few threads at once, each chunk in its own transaction: the
 * drafts' statements, a range of accounts each ({@link InvoiceDrafts}), and finalization's
 * chunks of drafts ({@link InvoiceFinalizer}). The chunks of a run hold disjoint accounts or
 * drafts and lock what they share in one order, as two runs on two nodes do, so they need nothing
 * more to take turns: in finalization, the year's number counter, locked last, lets one chunk at
 * a time number its invoices and commit, while the others claim usage, apply credits and write
 * lines.
 */
final class ChunkWorkers {

  /** What is done to one chunk, in its own transaction; answers what it found. */
  @FunctionalInterface
  interface Work<C, R> {
    List<R> run(C chunk) throws SQLException;
  }

  private static final AtomicInteger RUNS = new AtomicInteger();

  private final int threads;

  /** @param threads how many chunks run at once; 1 runs them one after the other, in order */
  ChunkWorkers(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("at least one worker: " + threads);
    }
    this.threads = threads;
  }

  /**
   * Runs {@code work} on every chunk, up to {@code threads} at once, taking them in order, and
   * answers what each answered, in the chunks' order. A chunk that throws stops the run: the
   * chunks not started are not run, those running end first, then it is thrown. An interruption
   * of the calling thread stops it the same way, thrown as an {@link SQLException}. What the
   * chunks not run would have done is left to the next run (accounts without their draft,
   * drafts not finalized), as after a crash.
   */
  <C, R> List<R> eachChunk(List<C> chunks, Work<C, R> work) throws SQLException {
    List<R> answered = new ArrayList<>();
    if (threads == 1 || chunks.size() <= 1) {
      for (C chunk : chunks) {
        answered.addAll(work.run(chunk));
      }
      return answered;
    }
    int run = RUNS.incrementAndGet();
    AtomicInteger thread = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(threads, chunks.size()),
            task -> {
              Thread worker =
                  new Thread(task, "invoice-run-" + run + "-" + thread.incrementAndGet());
              worker.setDaemon(true); // a stopping JVM does not wait for a run's chunks
              return worker;
            });
    // set when the run stops early (a chunk failed, the caller was interrupted): the chunks not
    // started then answer nothing; running ones are not interrupted, so that each ends its
    // transaction as it would alone
    AtomicBoolean stopping = new AtomicBoolean();
    List<Future<List<R>>> futures = new ArrayList<>(chunks.size());
    for (C chunk : chunks) {
      futures.add(
          pool.submit(
              () -> {
                if (stopping.get()) {
                  return List.<R>of();
                }
                try {
                  return work.run(chunk);
                } catch (SQLException | RuntimeException | Error e) {
                  stopping.set(true);
                  throw e;
                }
              }));
    }
    pool.shutdown();
    try {
      for (Future<List<R>> future : futures) {
        answered.addAll(future.get());
      }
      return answered;
    } catch (InterruptedException e) {
      stopping.set(true);
      awaitRunning(pool);
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted: the chunks not started were not run", e);
    } catch (ExecutionException e) {
      stopping.set(true);
      awaitRunning(pool);
      if (e.getCause() instanceof SQLException failure) {
        throw failure;
      }
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Waits for the running chunks to end their transactions: they hold their drafts' locks. */
  private static void awaitRunning(ExecutorService pool) {
    try {
      pool.awaitTermination(1, TimeUnit.HOURS);
    } catch (InterruptedException again) {
      Thread.currentThread().interrupt();
    }
  }
}

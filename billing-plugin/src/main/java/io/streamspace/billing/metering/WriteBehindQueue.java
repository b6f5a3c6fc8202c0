package io.streamspace.billing.metering;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded in-memory queue drained by one writer thread, in batches (DESIGN §7).
 *
 * <ul>
 *   <li>{@link #put} blocks while the queue is full: back-pressure reaches the caller instead of
 *       memory growing without bound.
 *   <li>The writer collects a batch for at most {@code maxDelay} after its first item, or less
 *       when someone waits on {@link #flush()}, and hands it to the {@link BatchWriter} at once.
 *   <li>{@link #flush()} is a group commit: a marker travels through the queue behind every item
 *       put before the call, and its future completes once the batch holding it is written, or
 *       exceptionally when that write failed.
 *   <li>A failed batch's items are carried into the next batch (writes are idempotent) up to
 *       {@value #MAX_ATTEMPTS} attempts, so a database outage loses nothing; items that still
 *       fail (a poison value) are dropped, logged, and the next flush completes exceptionally
 *       so no caller acknowledges them.
 * </ul>
 *
 * @param <E> the item type
 */
public final class WriteBehindQueue<E> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WriteBehindQueue.class);

  /** Writes one batch, all or nothing. */
  @FunctionalInterface
  public interface BatchWriter<E> {
    void write(List<E> batch) throws Exception;
  }

  private record FlushRequest(CompletableFuture<Void> done) {}

  static final int MAX_ATTEMPTS = 3;

  private final BlockingQueue<Object> queue;
  private final BatchWriter<E> writer;
  private final long maxDelayNanos;
  private final int maxBatch;
  private final Thread thread;
  private volatile boolean closing;
  // touched by the writer thread only (and by close() after it has stopped)
  private final List<E> carried = new ArrayList<>();
  private int carriedAttempts;
  private Exception unreportedLoss;

  /**
   * @param capacity how many items may wait before {@link #put} blocks
   * @param maxBatch the most items written in one batch
   * @param maxDelay how long the first item of a batch may wait for company
   */
  public WriteBehindQueue(String name, int capacity, int maxBatch, Duration maxDelay,
      BatchWriter<E> writer) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.writer = writer;
    this.maxBatch = maxBatch;
    this.maxDelayNanos = maxDelay.toNanos();
    this.thread = new Thread(this::drainUntilClosed, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Enqueues an item, blocking while the queue is full. */
  public void put(E item) {
    enqueue(item);
  }

  /** Completes once every item put before this call is written. */
  public CompletableFuture<Void> flush() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    enqueue(new FlushRequest(done));
    return done;
  }

  private void enqueue(Object item) {
    if (closing) {
      throw new IllegalStateException("the write-behind queue is closed");
    }
    try {
      queue.put(item);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for room in the queue", e);
    }
  }

  /** Writes what is queued and stops the writer thread. */
  @Override
  public void close() {
    closing = true;
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Object> rest = new ArrayList<>();
    queue.drainTo(rest); // items a racing put slipped in after the thread's last look
    if (!rest.isEmpty() || !carried.isEmpty()) {
      writeBatch(rest);
    }
  }

  private void drainUntilClosed() {
    List<Object> batch = new ArrayList<>();
    while (!closing || !queue.isEmpty()) {
      try {
        Object first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        collect(batch);
        writeBatch(batch);
      } catch (InterruptedException e) {
        LOG.warn("write-behind thread interrupted; stopping");
        return;
      } finally {
        batch.clear();
      }
    }
  }

  /** Adds to the batch until it is full, the delay is over, or a flush is waiting. */
  private void collect(List<Object> batch) throws InterruptedException {
    long deadline = System.nanoTime() + maxDelayNanos;
    boolean flushWaiting = batch.get(0) instanceof FlushRequest;
    while (!flushWaiting && batch.size() < maxBatch) {
      int from = batch.size();
      queue.drainTo(batch, maxBatch - from);
      for (int i = from; i < batch.size() && !flushWaiting; i++) {
        flushWaiting = batch.get(i) instanceof FlushRequest;
      }
      long left = deadline - System.nanoTime();
      if (flushWaiting || batch.size() >= maxBatch || left <= 0) {
        return;
      }
      Object next = queue.poll(left, TimeUnit.NANOSECONDS);
      if (next == null) {
        return;
      }
      batch.add(next);
      flushWaiting = next instanceof FlushRequest;
    }
  }

  @SuppressWarnings("unchecked")
  private void writeBatch(List<Object> batch) {
    List<E> items = new ArrayList<>(carried);
    List<CompletableFuture<Void>> waiting = new ArrayList<>();
    for (Object o : batch) {
      if (o instanceof FlushRequest request) {
        waiting.add(request.done());
      } else {
        items.add((E) o);
      }
    }
    try {
      if (!items.isEmpty()) {
        writer.write(items);
      }
      carried.clear();
      carriedAttempts = 0;
      completeAll(waiting, unreportedLoss);
    } catch (Exception e) {
      keepForRetry(items, e);
      completeAll(waiting, e);
    }
  }

  private void keepForRetry(List<E> items, Exception failure) {
    carried.clear();
    if (++carriedAttempts < MAX_ATTEMPTS) {
      LOG.warn("writing a batch of {} items failed (attempt {}); retrying with the next batch",
          items.size(), carriedAttempts, failure);
      carried.addAll(items);
    } else {
      LOG.error("dropping {} items after {} failed attempts", items.size(), carriedAttempts,
          failure);
      carriedAttempts = 0;
      unreportedLoss = failure;
    }
  }

  private void completeAll(List<CompletableFuture<Void>> waiting, Exception failure) {
    if (waiting.isEmpty()) {
      return;
    }
    for (CompletableFuture<Void> done : waiting) {
      if (failure == null) {
        done.complete(null);
      } else {
        done.completeExceptionally(failure);
      }
    }
    if (failure == unreportedLoss) {
      unreportedLoss = null;
    }
  }
}

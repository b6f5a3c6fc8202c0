package io.streamspace.billing.metering;

import io.streamspace.common.time.Backoff;
import io.streamspace.plugin.api.http.DatabaseOutage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded in-memory queue drained by one writer thread, in batches (docs/billing-internals.md,
 * "Metering: the write-behind queue").
 *
 * <ul>
 *   <li>{@link #put} blocks while the queue is full: back-pressure reaches the caller instead of
 *       memory growing without bound.
 *   <li>The writer collects a batch for at most {@code maxDelay} after its first item, or less
 *       when someone waits on {@link #flush()}, and hands it to the {@link BatchWriter} at once.
 *   <li>{@link #flush()} is a group commit: a marker travels through the queue behind every item
 *       put before the call, and its future completes once every item ahead of it is written (or
 *       set aside, below).
 *   <li>A write that fails for a reason retrying cannot fix (the {@code permanent} predicate) is
 *       split to find the item that causes it: each half is written on its own, and a failing
 *       half split again, until the failure is down to single items. Those go to the
 *       {@link DeadLetterSink}, the rest is written, and the flushes waiting complete normally:
 *       one item that can never be written never blocks the others, and is not dropped either.
 *   <li>Any other failed write drops nothing: the writer keeps what is not yet written or set
 *       aside and retries it by itself (writes are idempotent, and so is setting aside), waiting
 *       {@link #BACKOFF} between attempts (50 ms, doubling up to 5 s), and takes
 *       nothing new from the queue until it is written, so the queue stays bounded and fills up,
 *       pushing back on producers, during a long outage. A sink that fails counts as such a
 *       failure. The flushes waiting on a failed write, those already queued and those made until
 *       a write succeeds complete exceptionally at once (their callers do not acknowledge, and the
 *       platform redelivers); a flush completes normally only once everything put before it is
 *       written or set aside.
 *   <li>{@link #close()}, or an interrupt of the writer thread, writes what was collected and what
 *       is queued. Only if that fails is it given up, logged; no flush ever reported it written.
 * </ul>
 *
 * @param <E> the item type
 */
public final class WriteBehindQueue<E> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WriteBehindQueue.class);

  /** Writes one batch, all or nothing. */
  @FunctionalInterface
  public interface BatchWriter<E> {
    void write(List<E> batch) throws Exception;
  }

  /** Keeps an item that can never be written elsewhere, for someone to look at and replay. */
  @FunctionalInterface
  public interface DeadLetterSink<E> {
    /**
     * @param failure why writing the item alone failed
     * @throws Exception when the item could not be kept: it is then retried like a failed write
     */
    void setAside(E item, Exception failure) throws Exception;
  }

  private record FlushRequest(CompletableFuture<Void> done) {}

  static final Backoff BACKOFF = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(5));

  private final BlockingQueue<Object> queue;
  private final BatchWriter<E> writer;
  private final Predicate<Exception> permanent;
  private final DeadLetterSink<E> deadLetters;
  private final long maxDelayNanos;
  private final int maxBatch;
  private final Thread thread;
  private volatile boolean closing;
  // counted down on close, so that a writer waiting before a retry makes its last attempt at once
  private final CountDownLatch closed = new CountDownLatch(1);
  // the last write failure, until a write succeeds: flushes made meanwhile fail at once
  private volatile Exception outage;
  // items taken from the queue and neither written nor set aside yet, in order; writer thread
  // only (and close() after it has stopped)
  private final List<E> pending = new ArrayList<>();

  /**
   * @param capacity how many items may wait before {@link #put} blocks
   * @param maxBatch the most items written in one batch
   * @param maxDelay how long the first item of a batch may wait for company
   * @param permanent which write failures retrying cannot fix: caused by an item of the batch
   * @param deadLetters where an item whose write alone fails permanently goes
   */
  public WriteBehindQueue(
      String name,
      int capacity,
      int maxBatch,
      Duration maxDelay,
      BatchWriter<E> writer,
      Predicate<Exception> permanent,
      DeadLetterSink<E> deadLetters) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.writer = writer;
    this.permanent = permanent;
    this.deadLetters = deadLetters;
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

  /**
   * Completes once every item put before this call is written or set aside, or exceptionally
   * when a write failed since and nothing has been written yet (the items are kept and retried).
   */
  public CompletableFuture<Void> flush() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    enqueue(new FlushRequest(done));
    // Checked after the put: a failure the writer reports concurrently is seen either here or
    // by its pass over the queue. The marker stays queued; completing it again does nothing.
    Exception failure = outage;
    if (failure != null) {
      done.completeExceptionally(failure);
    }
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
    closed.countDown();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return; // the writer, still running, writes what is queued on its own
    }
    List<Object> rest = new ArrayList<>();
    queue.drainTo(rest); // items a racing put slipped in after the thread's last look
    if (!rest.isEmpty()) {
      writeBatch(rest);
    }
  }

  private void drainUntilClosed() {
    Duration backoff = Duration.ZERO; // no failure yet: BACKOFF.next of it is BACKOFF.first()
    while (!closing || !queue.isEmpty() || !pending.isEmpty()) {
      List<Object> batch = new ArrayList<>();
      try {
        if (pending.isEmpty()) {
          Object first = queue.poll(100, TimeUnit.MILLISECONDS);
          if (first == null) {
            continue;
          }
          batch.add(first);
          collect(batch);
        } else {
          // a failed batch is retried alone, after a wait that close() cuts short
          closed.await(backoff.toNanos(), TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        // taken as a request to stop: what was collected is still written below, then what
        // is queued, so that no item is dropped and no flush is left waiting
        log.warn("write-behind thread interrupted; writing what is queued and stopping");
        closing = true;
        closed.countDown();
      }
      backoff = writeBatch(batch) ? Duration.ZERO : BACKOFF.next(backoff);
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

  /**
   * Writes the pending items with the batch's, setting aside those that can never be written;
   * tells whether that succeeded.
   */
  @SuppressWarnings("unchecked")
  private boolean writeBatch(List<Object> batch) {
    List<CompletableFuture<Void>> waiting = new ArrayList<>();
    for (Object o : batch) {
      if (o instanceof FlushRequest request) {
        waiting.add(request.done());
      } else {
        pending.add((E) o);
      }
    }
    try {
      writeSettingAsidePoison();
      outage = null;
      waiting.forEach(done -> done.complete(null));
      return true;
    } catch (Exception e) {
      outage = e; // before the pass over the queue: see flush()
      waiting.forEach(done -> done.completeExceptionally(e));
      for (Object queued : queue) {
        if (queued instanceof FlushRequest request) {
          request.done().completeExceptionally(e);
        }
      }
      if (closing) {
        log.error(
            "giving up {} items that could not be written before the queue closed; "
                + "no flush reported them written",
            pending.size(),
            e);
        pending.clear();
      } else if (DatabaseOutage.causedBy(e)) {
        // one line per retry for as long as the outage lasts, not a stack trace each
        log.warn(
            "writing a batch of {} items failed, the database cannot be reached ({});"
                + " keeping it to retry",
            pending.size(),
            e.toString());
      } else {
        log.warn("writing a batch of {} items failed; keeping it to retry", pending.size(), e);
      }
      return false;
    }
  }

  /**
   * Writes the pending items; when a write fails permanently, writes each half of it on its own,
   * splitting again until the items that fail alone are isolated and set aside. Throws the first
   * other failure, leaving pending only what was neither written nor set aside.
   */
  private void writeSettingAsidePoison() throws Exception {
    Deque<List<E>> parts = new ArrayDeque<>(); // the next part to write on top, then in order
    boolean splitting = false;
    if (!pending.isEmpty()) {
      parts.push(new ArrayList<>(pending));
    }
    try {
      while (!parts.isEmpty()) {
        List<E> part = parts.peek();
        try {
          writer.write(part);
        } catch (Exception e) {
          if (!permanent.test(e)) {
            throw e;
          }
          if (part.size() > 1) {
            if (!splitting) { // once per batch, not once per split
              splitting = true;
              log.warn(
                  "writing {} items failed for a reason retrying cannot fix ({}); writing "
                      + "each half on its own to set aside what causes it",
                  part.size(),
                  String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            }
            parts.pop();
            parts.push(part.subList(part.size() / 2, part.size()));
            parts.push(part.subList(0, part.size() / 2));
            continue;
          }
          deadLetters.setAside(part.get(0), e);
        }
        parts.pop();
      }
    } finally {
      List<E> left = new ArrayList<>();
      parts.forEach(left::addAll);
      pending.clear();
      pending.addAll(left);
    }
  }
}

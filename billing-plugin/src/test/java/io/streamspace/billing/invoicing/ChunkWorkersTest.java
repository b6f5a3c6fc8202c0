package io.streamspace.billing.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.testing.Await;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChunkWorkersTest {

  /** How long a worker waits for the other to reach the step the test sets them to meet at. */
  private static final Duration THE_OTHER_WORKERS_WAIT = Duration.ofSeconds(10);

  private static final List<List<Long>> CHUNKS =
      IntStream.range(0, 8).mapToObj(i -> List.of(10L * i, 10L * i + 1)).toList();

  @Test
  void twoWorkersRunTwoChunksAtOnceAndAnswerInTheChunksOrder() throws Exception {
    // the first two chunks each wait until both have started: one worker would never get there
    CountDownLatch bothStarted = new CountDownLatch(2);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    List<Long> answered =
        new ChunkWorkers(2)
            .eachChunk(
                CHUNKS,
                chunk -> {
                  threads.add(Thread.currentThread().getName());
                  bothStarted.countDown();
                  Await.opened(bothStarted, THE_OTHER_WORKERS_WAIT, "the other worker");
                  return List.of(chunk.get(1));
                });
    assertEquals(List.of(1L, 11L, 21L, 31L, 41L, 51L, 61L, 71L), answered);
    assertEquals(2, threads.size(), threads.toString());
  }

  @Test
  void oneWorkerRunsTheChunksInOrderOnTheCallersThread() throws Exception {
    Thread caller = Thread.currentThread();
    List<Long> answered =
        new ChunkWorkers(1)
            .eachChunk(
                CHUNKS,
                chunk -> {
                  assertSame(caller, Thread.currentThread());
                  return List.of(chunk.get(0));
                });
    assertEquals(List.of(0L, 10L, 20L, 30L, 40L, 50L, 60L, 70L), answered);
  }

  @Test
  void aChunkThatThrowsIsThrownOnceTheChunksRunningBesideItEnded() {
    CountDownLatch failing = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    AtomicInteger ended = new AtomicInteger();
    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () ->
                new ChunkWorkers(2)
                    .eachChunk(
                        CHUNKS,
                        chunk -> {
                          if (chunk.get(0) == 0L) {
                            failing.countDown();
                            throw new IllegalStateException("chunk 0 failed");
                          }
                          started.incrementAndGet();
                          // the other worker's chunk is running as 0 fails
                          Await.opened(failing, THE_OTHER_WORKERS_WAIT, "the other worker");
                          ended.incrementAndGet();
                          return List.of();
                        }));
    assertEquals("chunk 0 failed", thrown.getMessage());
    assertEquals(started.get(), ended.get(), "no chunk still running when the run fails");
  }

  @Test
  void aChunkThatFailsWhileAnEarlierOneRunsStartsNoFurtherChunk() {
    CountDownLatch zeroStarted = new CountDownLatch(1);
    AtomicReference<Thread> failedOn = new AtomicReference<>();
    CountDownLatch failing = new CountDownLatch(1);
    Set<Long> run = ConcurrentHashMap.newKeySet();
    assertThrows(
        SQLException.class,
        () ->
            new ChunkWorkers(2)
                .eachChunk(
                    CHUNKS,
                    chunk -> {
                      run.add(chunk.get(0));
                      if (chunk.get(0) == 10L) {
                        Await.opened(zeroStarted, THE_OTHER_WORKERS_WAIT, "the other worker");
                        failedOn.set(Thread.currentThread());
                        failing.countDown();
                        throw new SQLException("chunk 1 failed");
                      }
                      if (chunk.get(0) == 0L) {
                        zeroStarted.countDown();
                        Await.opened(failing, THE_OTHER_WORKERS_WAIT, "the other worker");
                        // chunk 0 runs on until the failing worker is gone: had it gone on to
                        // the queued chunks, they would have run meanwhile
                        awaitState(failedOn.get(), Thread.State.TERMINATED);
                      }
                      return List.of();
                    }));
    assertEquals(Set.of(0L, 10L), run);
  }

  @Test
  void anInterruptedCallerRunsNoFurtherChunkAndFailsWithTheInterruptKept() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Set<Long> run = ConcurrentHashMap.newKeySet();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                new ChunkWorkers(2)
                    .eachChunk(
                        CHUNKS,
                        chunk -> {
                          run.add(chunk.get(0));
                          Await.opened(release, THE_OTHER_WORKERS_WAIT, "the other worker");
                          return List.of();
                        });
              } catch (SQLException | RuntimeException e) {
                failure.set(e);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
              }
            });
    caller.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (run.size() < 2 && System.nanoTime() < deadline) {
      Thread.onSpinWait(); // both workers have taken a chunk
    }
    caller.interrupt();
    awaitState(caller, Thread.State.TIMED_WAITING); // for the two running chunks to end
    release.countDown();
    caller.join(TimeUnit.SECONDS.toMillis(10));
    assertFalse(caller.isAlive());
    assertTrue(failure.get() instanceof SQLException, String.valueOf(failure.get()));
    assertTrue(stillInterrupted.get());
    assertEquals(Set.of(0L, 10L), run, "only the two chunks running when interrupted");
  }

  /** Waits (10 s at most) until {@code thread} is in {@code state}. */
  private static void awaitState(Thread thread, Thread.State state) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (thread.getState() != state) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(thread.getName() + " is " + thread.getState());
      }
      Thread.onSpinWait();
    }
  }

  @Test
  void noWorkerIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ChunkWorkers(0));
  }
}

package io.streamspace.billing.metering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.testing.Await;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WriteBehindQueueTest {

  private final List<Integer> written = Collections.synchronizedList(new ArrayList<>());
  private final List<Integer> setAside = Collections.synchronizedList(new ArrayList<>());
  private final List<Exception> setAsideBecause = Collections.synchronizedList(new ArrayList<>());

  /** What PostgreSQL answers when a row breaks a CHECK constraint: no retry can fix it. */
  private static SQLException checkViolation() {
    return new SQLException("ERROR: new row violates check constraint \"no_13\"", "23514");
  }

  @Test
  void oneItemThatCanNeverBeWrittenIsSetAsideAndTheOthersAreWritten() throws Exception {
    List<List<Integer>> attempts = Collections.synchronizedList(new ArrayList<>());
    try (WriteBehindQueue<Integer> queue =
        queue(
            1_000,
            batch -> {
              attempts.add(List.copyOf(batch));
              if (batch.contains(13)) {
                throw checkViolation(); // all or nothing: the batch's other items are not written
              }
              written.addAll(batch);
            })) {
      for (int i = 0; i < 100; i++) {
        queue.put(i);
      }
      queue.flush().get(10, TimeUnit.SECONDS); // completes normally: nothing blocks

      List<Integer> allButThirteen = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        if (i != 13) {
          allButThirteen.add(i);
        }
      }
      assertEquals(allButThirteen, written, "the others written once each, in order");
      assertEquals(List.of(13), setAside, "the bad item is reported, not dropped");
      assertEquals("23514", ((SQLException) setAsideBecause.get(0)).getSQLState());
      assertTrue(
          attempts.size() <= 2 * 7 + 1,
          "halving finds it in about log2(100) steps: " + attempts.size());

      queue.put(100);
      queue.flush().get(10, TimeUnit.SECONDS);
      assertEquals(100, written.get(written.size() - 1), "and the queue goes on");
    }
  }

  @Test
  void aTransientFailureIsRetriedNotSetAside() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    CountDownLatch stored = new CountDownLatch(1);
    try (WriteBehindQueue<Integer> queue =
        queue(
            100,
            batch -> {
              if (attempts.incrementAndGet() <= 3) {
                throw new SQLException("connection refused", "08001");
              }
              written.addAll(batch);
              stored.countDown();
            })) {
      queue.put(1);
      queue.put(2);
      assertFlushFails(queue.flush());

      assertTrue(stored.await(10, TimeUnit.SECONDS), "retried until the database is back");
      flushAsThePlatformRedelivers(queue);
      assertEquals(List.of(1, 2), written, "written whole, not split");
      assertEquals(List.of(), setAside, "a connection failure sets nothing aside");
    }
  }

  @Test
  void anItemThatCannotBeSetAsideIsKeptAndRetried() throws Exception {
    AtomicInteger sinkCalls = new AtomicInteger();
    CountDownLatch setAsideAtLast = new CountDownLatch(1);
    try (WriteBehindQueue<Integer> queue =
        new WriteBehindQueue<>(
            "test-writer",
            100,
            1_000,
            Duration.ofMillis(50),
            batch -> {
              if (batch.contains(2)) {
                throw checkViolation();
              }
              written.addAll(batch);
            },
            WriteFailures::isPermanent,
            (item, failure) -> {
              if (sinkCalls.incrementAndGet() == 1) {
                throw new SQLException("the host's database is down", "08006");
              }
              setAside.add(item);
              setAsideAtLast.countDown();
            })) {
      queue.put(1);
      queue.put(2);
      queue.put(3);
      assertFlushFails(queue.flush()); // 2 is neither written nor kept: not acknowledged

      assertTrue(setAsideAtLast.await(10, TimeUnit.SECONDS), "retried until it is kept");
      flushAsThePlatformRedelivers(queue);
      assertEquals(List.of(2), setAside);
      assertEquals(List.of(1, 3), written, "1 written before the sink failed, 3 after, once each");
    }
  }

  @Test
  void flushCompletesAfterEverythingPutBeforeItIsWritten() {
    try (WriteBehindQueue<Integer> queue = queue(10, written::addAll)) {
      for (int i = 0; i < 25; i++) {
        queue.put(i);
      }
      queue.flush().join();

      assertEquals(25, written.size());
      assertEquals(0, written.get(0));
      assertEquals(24, written.get(24));
    }
  }

  @Test
  void noAcknowledgedItemIsLostWhileTheDatabaseIsDown() throws Exception {
    // the review's scenario: the database fails more than three writes in a row, the old limit
    int failures = 4;
    AtomicInteger attempts = new AtomicInteger();
    CountDownLatch allFailed = new CountDownLatch(failures);
    CountDownLatch stored = new CountDownLatch(1);
    try (WriteBehindQueue<Integer> queue =
        queue(
            100,
            batch -> {
              if (attempts.incrementAndGet() <= failures) {
                allFailed.countDown();
                throw new SQLException("database down");
              }
              written.addAll(batch);
              stored.countDown();
            })) {
      queue.put(1);
      assertFlushFails(queue.flush());
      queue.put(2);
      assertFlushFails(queue.flush()); // the outage is known: the caller does not acknowledge 2
      // the writer retries on its own, without a flush asking it to, and stores the kept batch
      assertTrue(allFailed.await(10, TimeUnit.SECONDS), "retried until the database is back");
      assertTrue(stored.await(10, TimeUnit.SECONDS), "the kept batch is stored");

      queue.put(3);
      flushAsThePlatformRedelivers(queue);
      assertEquals(List.of(1, 2, 3), written, "written once each, in order, none dropped");
    }
  }

  @Test
  void aFlushSucceedsOnlyOnceEveryItemPutBeforeItIsWritten() throws Exception {
    CountDownLatch failing = new CountDownLatch(1);
    CountDownLatch recover = new CountDownLatch(1);
    CountDownLatch stored = new CountDownLatch(1);
    AtomicInteger attempts = new AtomicInteger();
    try (WriteBehindQueue<Integer> queue =
        queue(
            100,
            batch -> {
              if (attempts.incrementAndGet() == 1) {
                failing.countDown();
                recover.await(); // the write hangs, then fails, while flushes queue up behind it
                throw new SQLException("database down");
              }
              written.addAll(batch);
              stored.countDown();
            })) {
      queue.put(1);
      CompletableFuture<Void> first = queue.flush();
      failing.await();
      queue.put(2);
      CompletableFuture<Void> queuedDuringTheFailure = queue.flush();
      recover.countDown();

      assertFlushFails(first);
      assertFlushFails(queuedDuringTheFailure);
      assertTrue(stored.await(10, TimeUnit.SECONDS), "the writer retried on its own");
      queue.put(3);
      flushAsThePlatformRedelivers(queue);
      assertEquals(List.of(1, 2, 3), written);
    }
  }

  @Test
  void anInterruptWritesWhatTheWriterHadCollected() throws Exception {
    CountDownLatch stored = new CountDownLatch(1);
    WriteBehindQueue<Integer> queue =
        new WriteBehindQueue<>(
            "interrupted-writer",
            100,
            1_000,
            Duration.ofHours(1),
            batch -> {
              written.addAll(batch);
              stored.countDown();
            },
            WriteFailures::isPermanent,
            (item, failure) -> setAside.add(item));
    queue.put(1);
    Thread writer =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals("interrupted-writer"))
            .findFirst()
            .orElseThrow();
    // wait until the writer holds item 1 in the batch it is collecting (for up to an hour)
    Await.await(
        Duration.ofSeconds(30),
        Duration.ofMillis(10),
        "the writer collecting a batch",
        () ->
            Arrays.stream(writer.getStackTrace())
                .anyMatch(f -> f.getMethodName().equals("collect")));
    writer.interrupt();

    assertTrue(stored.await(10, TimeUnit.SECONDS), "the collected item is written, not cleared");
    assertEquals(List.of(1), written);
    writer.join(10_000);
    assertThrows(IllegalStateException.class, () -> queue.put(2), "the queue has stopped");
  }

  /**
   * Flushes until a flush succeeds, as the platform redelivers on 503: the write that ended the
   * outage may have returned while the writer has not yet noted it.
   */
  private static void flushAsThePlatformRedelivers(WriteBehindQueue<Integer> queue)
      throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        queue.flush().get(10, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (attempt == 1_000) {
          throw e;
        }
      }
    }
  }

  private static void assertFlushFails(CompletableFuture<Void> flush) {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> flush.get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof SQLException, e.toString());
  }

  @Test
  void putBlocksWhileTheQueueIsFull() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch writing = new CountDownLatch(1);
    try (WriteBehindQueue<Integer> queue =
        queue(
            2,
            batch -> {
              writing.countDown();
              release.await();
              written.addAll(batch);
            })) {
      queue.put(0);
      writing.await(); // the writer holds item 0; the queue itself is empty
      queue.put(1);
      queue.put(2);
      Thread producer = new Thread(() -> queue.put(3));
      producer.start();
      producer.join(200);
      assertTrue(producer.isAlive(), "the third put waits for room");

      release.countDown();
      producer.join();
      queue.flush().get();
      assertEquals(List.of(0, 1, 2, 3), written);
    }
  }

  @Test
  void closeWritesWhatIsLeftAndRefusesMore() {
    WriteBehindQueue<Integer> queue = queue(100, written::addAll);
    queue.put(1);
    queue.close();

    assertEquals(List.of(1), written);
    assertThrows(IllegalStateException.class, () -> queue.put(2));
  }

  private WriteBehindQueue<Integer> queue(
      int capacity, WriteBehindQueue.BatchWriter<Integer> writer) {
    return new WriteBehindQueue<>(
        "test-writer",
        capacity,
        1_000,
        Duration.ofMillis(50),
        writer,
        WriteFailures::isPermanent,
        (item, failure) -> {
          setAside.add(item);
          setAsideBecause.add(failure);
        });
  }
}

package io.streamspace.billing.metering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WriteBehindQueueTest {

  private final List<Integer> written = Collections.synchronizedList(new ArrayList<>());

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
  void aFailedWriteFailsTheFlushAndIsRetriedWithTheNextBatch() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    try (WriteBehindQueue<Integer> queue = queue(100, batch -> {
      if (attempts.incrementAndGet() == 1) {
        throw new SQLException("database down");
      }
      written.addAll(batch);
    })) {
      queue.put(1);
      CompletableFuture<Void> failed = queue.flush();
      ExecutionException e = assertThrows(ExecutionException.class, failed::get);
      assertTrue(e.getCause() instanceof SQLException);

      queue.put(2);
      queue.flush().get();

      assertEquals(List.of(1, 2), written);
    }
  }

  @Test
  void itemsThatKeepFailingAreDroppedAndTheNextFlushSaysSo() throws Exception {
    try (WriteBehindQueue<Integer> queue = queue(100, batch -> {
      if (batch.contains(13)) {
        throw new SQLException("poison");
      }
      written.addAll(batch);
    })) {
      queue.put(13);
      queue.flush().handle((ok, e) -> null).get();
      for (int attempt = 1; attempt < WriteBehindQueue.MAX_ATTEMPTS; attempt++) {
        queue.put(100 + attempt);
        queue.flush().handle((ok, e) -> null).get();
      }
      queue.put(7);
      queue.flush().get();

      assertEquals(List.of(7), written, "the poison batch was given up; later items flow");
    }
  }

  @Test
  void putBlocksWhileTheQueueIsFull() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch writing = new CountDownLatch(1);
    try (WriteBehindQueue<Integer> queue = queue(2, batch -> {
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

  private static WriteBehindQueue<Integer> queue(int capacity,
      WriteBehindQueue.BatchWriter<Integer> writer) {
    return new WriteBehindQueue<>("test-writer", capacity, 1_000, Duration.ofMillis(50), writer);
  }
}

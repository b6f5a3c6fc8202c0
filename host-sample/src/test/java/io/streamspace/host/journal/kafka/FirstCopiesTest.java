package io.streamspace.host.journal.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.testing.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A plugin's round waits for the journal's index as long as the index moves on, however far
 * behind it is, and fails only once it has stopped moving for the index wait. The time is a test
 * clock that moves 15 s each time the wait looks at it (the index wait being 20 s), and may move
 * the index's place one record on as it does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FirstCopiesTest {

  private static final Duration INDEX_WAIT = Duration.ofSeconds(20);
  private static final long STEP = Duration.ofSeconds(15).toNanos();
  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

  private Database database;
  private int topics;

  @BeforeAll
  void start() {
    database = Database.external(TestDatabases.freshDatabaseUrl(), Map.of());
    HostMigrations.migrate(database.dataSource());
  }

  @AfterAll
  void stop() {
    database.close();
  }

  @Test
  void anIndexBehindButMovingOnIsWaitedFor_longPastTheIndexWait() throws Exception {
    String topic = "first-copies-" + ++topics;
    KafkaPlaces places = new KafkaPlaces(database.dataSource(), topic);
    places.set(KafkaPlaces.INDEX, Map.of(0, 1L), NOW);
    AtomicLong indexAt = new AtomicLong(1);
    FirstCopies[] copies = new FirstCopies[1];
    copies[0] =
        firstCopies(
            topic,
            () -> {
              // a record a look, 15 s apart: the last of five is passed after a minute
              places.set(KafkaPlaces.INDEX, Map.of(0, indexAt.incrementAndGet()), NOW);
              copies[0].indexAdvanced();
            });

    List<FirstCopies.Copy> handed = copies[0].toHand(round(topic, 5), () -> false);

    assertEquals(5, handed.size(), "every record of the round, once the index passed it");
    assertEquals(5, indexAt.get(), "the index was 4 records, and 60 s, behind");
  }

  @Test
  void anIndexThatDoesNotMoveOnFailsTheRound_onceTheIndexWaitHasPassed() {
    String topic = "first-copies-" + ++topics;
    KafkaPlaces places = new KafkaPlaces(database.dataSource(), topic);
    places.set(KafkaPlaces.INDEX, Map.of(0, 1L), NOW);
    AtomicLong looks = new AtomicLong();
    FirstCopies[] copies = new FirstCopies[1];
    copies[0] =
        firstCopies(
            topic,
            () -> {
              looks.incrementAndGet();
              copies[0].indexAdvanced(); // woken, without moving: looks again at once
            });

    IllegalStateException failed =
        assertThrows(
            IllegalStateException.class, () -> copies[0].toHand(round(topic, 5), () -> false));

    assertTrue(failed.getMessage().contains("has not moved on for 20 s"), failed.getMessage());
    assertEquals(3, looks.get(), "failed at the look 30 s after the index was first seen, not 15");
  }

  /** The wait counted on a clock that moves 15 s a look, running {@code atEachLook} first. */
  private FirstCopies firstCopies(String topic, Runnable atEachLook) {
    AtomicLong nanos = new AtomicLong();
    LongSupplier clock =
        () -> {
          atEachLook.run();
          return nanos.addAndGet(STEP);
        };
    return new FirstCopies(database.dataSource(), topic, INDEX_WAIT, clock);
  }

  /** Records at offsets 0 to {@code size - 1} of partition 0, each with an id of its own. */
  private static List<ConsumerRecord<byte[], byte[]>> round(String topic, int size) {
    return LongStream.range(0, size)
        .mapToObj(
            offset -> {
              ConsumerRecord<byte[], byte[]> record =
                  new ConsumerRecord<>(topic, 0, offset, bytes("acct"), bytes("{}"));
              record.headers().add(JournalRecords.EVENT_ID, bytes(topic + "-" + offset));
              return record;
            })
        .toList();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}

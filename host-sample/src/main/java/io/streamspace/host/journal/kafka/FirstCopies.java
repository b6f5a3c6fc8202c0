package io.streamspace.host.journal.kafka;

import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which records of a plugin's round are to be handed: the first copy of each event, as the
 * journal's index decided it ({@link JournalIndexConsumer}), and no other. Intake no longer claims
 * ids, so the topic may hold an event twice (a redelivery that raced past intake's look-up) or
 * another body under an id (a conflict that did): the index takes each id for the first copy it
 * reads and records that record's partition and offset in its entry ({@code host_journal}); a
 * plugin's consumer hands a record only once the index's place is past it, and only when it is
 * that copy.
 *
 * <p>One read per round: the index's places and the claims of the round's ids where the index
 * found a second copy, in one statement.
 * While the index is behind the round, the round waits for it: woken by this node's index as soon
 * as it commits a round, else (another node indexes the partition) looking again every {@link
 * #LOOK_AGAIN}, for at most the index wait ({@link #INDEX_WAIT}). Past it, the records the index
 * has passed are handed and the rest are left to the next round (the consumer reads them again
 * from where the handed part ends), so a round stays well inside the time Kafka gives a consumer
 * between two polls however far the index is behind. A round of which the index has passed no
 * record fails, and is handed again after the consumers' backoff.
 *
 * <p>A record the index is past but whose id holds no place (indexed before the index recorded
 * places, forgotten by the journal's retention, or not a journal entry) is handed, as every
 * record was before: the plugins' natural keys make a second copy harmless. So is, without its
 * entry being read, a record past the last one of its partition the index did not take as its
 * event's first copy (the index records it with its place): a second copy is rare, so most
 * rounds read the index's places alone.
 */
final class FirstCopies {

  private static final Logger log = LoggerFactory.getLogger(FirstCopies.class);

  /**
   * How long a round waits for the journal's index to pass all its records, before it hands the
   * part the index has passed (or fails, when that is none).
   */
  static final Duration INDEX_WAIT = Duration.ofSeconds(20);

  /** How often a waiting round looks again when this node's index does not wake it. */
  static final Duration LOOK_AGAIN = Duration.ofMillis(100);

  // The index's places, and the entries of the round's ids only where the index may have found
  // a second copy: at or before the last record of its partition it did not take as its event's
  // first copy (host_kafka_offsets.last_repeat). Past it every record is its event's first copy,
  // handed without reading its entry: most rounds read no entry.
  private static final String DECIDED =
      """
      WITH places AS (
        SELECT partition, next_offset, last_repeat FROM host_kafka_offsets
        WHERE consumer = ? AND topic = ?
      )
      SELECT partition, next_offset, NULL AS event_id FROM places
      UNION ALL
      SELECT j.kafka_partition, j.kafka_offset, j.event_id
      FROM unnest(?::text[], ?::int[], ?::bigint[]) AS r(event_id, partition, record_offset)
      JOIN places p ON p.partition = r.partition AND r.record_offset <= p.last_repeat
      JOIN host_journal j ON j.event_id = r.event_id
      """;

  /** A record's place in the topic. */
  private record Place(int partition, long offset) {}

  /**
   * A record to hand, with the id of the event it journals (null: none), decoded once a round.
   */
  record Copy(ConsumerRecord<byte[], byte[]> record, String eventId) {}

  /**
   * The records of a round to hand, and the place they reach in each of the round's partitions:
   * past the round's last record there, or, where the index is behind it, at the index's place
   * (the first record left to the next round).
   */
  record Decided(List<Copy> copies, Map<Integer, Long> reached) {}

  private final DataSource dataSource;
  private final String topic;
  private final Duration indexWait;
  private final Object monitor = new Object();
  // how many rounds this node's index has committed
  private long indexRounds;

  /**
   * @param indexWait how long a round waits for the index to pass all its records ({@link
   *     #INDEX_WAIT}; shorter in tests)
   */
  FirstCopies(DataSource dataSource, String topic, Duration indexWait) {
    this.dataSource = dataSource;
    this.topic = topic;
    this.indexWait = indexWait;
  }

  /** This node's index committed a round: rounds waiting for it look again. */
  void indexAdvanced() {
    synchronized (monitor) {
      indexRounds++;
      monitor.notifyAll();
    }
  }

  /**
   * The round's records to hand, in their order, once the index has decided every one, or, after
   * the index wait, those it has decided.
   *
   * @param next the place past the round's last record, by partition
   * @param stopping whether the consumer is stopping (then it stops waiting)
   * @throws InterruptedException when the consumer stops while waiting
   * @throws IllegalStateException when the index has passed none of the round's records within
   *     the index wait
   */
  Decided toHand(
      List<ConsumerRecord<byte[], byte[]>> round, Map<Integer, Long> next, BooleanSupplier stopping)
      throws InterruptedException {
    List<Copy> copies = new ArrayList<>(round.size());
    List<Copy> withIds = new ArrayList<>(round.size());
    for (ConsumerRecord<byte[], byte[]> record : round) {
      Copy copy = new Copy(record, JournalRecords.eventId(record));
      copies.add(copy);
      if (copy.eventId() != null) {
        withIds.add(copy);
      }
    }
    long deadline = System.nanoTime() + indexWait.toNanos();
    while (true) {
      long seen;
      synchronized (monitor) {
        seen = indexRounds;
      }
      Map<Integer, Long> indexed = new HashMap<>();
      Map<String, Place> claimed = new HashMap<>();
      read(withIds, indexed, claimed);
      List<Copy> passed = passed(copies, indexed);
      if (passed.size() == copies.size()) {
        return new Decided(firstCopies(passed, claimed), next);
      }
      if (stopping.getAsBoolean()) {
        throw new InterruptedException("stopping while waiting for the journal's index");
      }
      if (System.nanoTime() > deadline) {
        if (passed.isEmpty()) {
          throw new IllegalStateException(
              "the journal's index has passed none of this round's records within "
                  + indexWait.toSeconds()
                  + " s");
        }
        log.info(
            "The Kafka journal's index (topic {}) is behind a plugin's round: {} of its {} records"
                + " are handed, the rest in the next round",
            topic,
            passed.size(),
            copies.size());
        return new Decided(firstCopies(passed, claimed), reached(round, next, indexed));
      }
      synchronized (monitor) {
        if (indexRounds == seen) {
          monitor.wait(LOOK_AGAIN.toMillis());
        }
      }
    }
  }

  /** The records the index has passed, in their order. */
  private static List<Copy> passed(List<Copy> round, Map<Integer, Long> indexed) {
    List<Copy> passed = new ArrayList<>(round.size());
    for (Copy copy : round) {
      ConsumerRecord<byte[], byte[]> record = copy.record();
      if (indexed.getOrDefault(record.partition(), 0L) > record.offset()) {
        passed.add(copy);
      }
    }
    return passed;
  }

  /** Where the handed part of the round ends in each partition: past its round, or the index. */
  private static Map<Integer, Long> reached(
      List<ConsumerRecord<byte[], byte[]>> round,
      Map<Integer, Long> next,
      Map<Integer, Long> indexed) {
    Map<Integer, Long> first = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> record : round) {
      first.putIfAbsent(record.partition(), record.offset());
    }
    Map<Integer, Long> reached = new TreeMap<>();
    next.forEach(
        (partition, past) -> {
          long index = indexed.getOrDefault(partition, 0L);
          reached.put(partition, Math.min(past, Math.max(index, first.get(partition))));
        });
    return reached;
  }

  private static List<Copy> firstCopies(List<Copy> round, Map<String, Place> claimed) {
    List<Copy> first = new ArrayList<>(round.size());
    for (Copy copy : round) {
      Place place = copy.eventId() == null ? null : claimed.get(copy.eventId());
      ConsumerRecord<byte[], byte[]> record = copy.record();
      if (place == null || place.equals(new Place(record.partition(), record.offset()))) {
        first.add(copy);
      }
    }
    return first;
  }

  private void read(List<Copy> withIds, Map<Integer, Long> indexed, Map<String, Place> claimed) {
    int n = withIds.size();
    String[] ids = new String[n];
    Integer[] partitions = new Integer[n];
    Long[] offsets = new Long[n];
    for (int i = 0; i < n; i++) {
      ConsumerRecord<byte[], byte[]> record = withIds.get(i).record();
      ids[i] = withIds.get(i).eventId();
      partitions[i] = record.partition();
      offsets[i] = record.offset();
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(
                connection,
                DECIDED,
                KafkaPlaces.INDEX,
                topic,
                connection.createArrayOf("text", ids),
                connection.createArrayOf("int4", partitions),
                connection.createArrayOf("int8", offsets));
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        int partition = rows.getInt(1);
        boolean noPlace = rows.wasNull();
        long offset = rows.getLong(2);
        String id = rows.getString(3);
        if (id == null) {
          indexed.put(partition, offset);
        } else if (!noPlace) {
          claimed.put(id, new Place(partition, offset));
        }
      }
    } catch (SQLException e) {
      throw Sql.failure("reading which records the Kafka journal's index took", e);
    }
  }
}

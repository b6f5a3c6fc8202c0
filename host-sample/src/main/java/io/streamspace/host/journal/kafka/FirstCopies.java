package io.streamspace.host.journal.kafka;

import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Which records of a plugin's round are to be handed: the first copy of each event, as the
 * journal's index decided it ({@link JournalIndexConsumer}), and no other. Intake no longer claims
 * ids, so the topic may hold an event twice (a redelivery that raced past intake's look-up) or
 * another body under an id (a conflict that did): the index takes each id for the first copy it
 * reads and records that record's partition and offset in its entry ({@code host_journal}); a
 * plugin's consumer hands a record only once the index's place is past it, and only when it is
 * that copy.
 *
 * <p>One read per round: the index's places and the claims of the round's ids, in one statement.
 * While the index is behind the round, the round waits for it: woken by this node's index as soon
 * as it commits a round, else (another node indexes the partition) looking again every {@link
 * #LOOK_AGAIN}, for at most {@link #INDEX_WAIT}, past which the round fails and is handed again
 * after the consumers' backoff.
 *
 * <p>A record the index is past but whose id holds no place (indexed before the index recorded
 * places, forgotten by the journal's retention, or not a journal entry) is handed, as every
 * record was before: the plugins' natural keys make a second copy harmless.
 */
final class FirstCopies {

  /** How long a round waits for the journal's index before it fails (and is handed again). */
  static final Duration INDEX_WAIT = Duration.ofSeconds(20);

  /** How often a waiting round looks again when this node's index does not wake it. */
  static final Duration LOOK_AGAIN = Duration.ofMillis(100);

  private static final String DECIDED =
      """
      SELECT partition, next_offset, NULL AS event_id
      FROM host_kafka_offsets WHERE consumer = ? AND topic = ?
      UNION ALL
      SELECT kafka_partition, kafka_offset, event_id
      FROM host_journal WHERE event_id = ANY (?)
      """;

  /** A record's place in the topic. */
  private record Place(int partition, long offset) {}

  /**
   * A record to hand, with the id of the event it journals (null: none), decoded once a round.
   */
  record Copy(ConsumerRecord<byte[], byte[]> record, String eventId) {}

  private final DataSource dataSource;
  private final String topic;
  private final Object monitor = new Object();
  // how many rounds this node's index has committed
  private long indexRounds;

  FirstCopies(DataSource dataSource, String topic) {
    this.dataSource = dataSource;
    this.topic = topic;
  }

  /** This node's index committed a round: rounds waiting for it look again. */
  void indexAdvanced() {
    synchronized (monitor) {
      indexRounds++;
      monitor.notifyAll();
    }
  }

  /**
   * The round's records to hand, in their order, once the index has decided every one.
   *
   * @param stopping whether the consumer is stopping (then it stops waiting)
   * @throws InterruptedException when the consumer stops while waiting
   * @throws IllegalStateException when the index is not past the round within {@link #INDEX_WAIT}
   */
  List<Copy> toHand(List<ConsumerRecord<byte[], byte[]>> round, BooleanSupplier stopping)
      throws InterruptedException {
    List<Copy> copies = new ArrayList<>(round.size());
    Set<String> ids = new LinkedHashSet<>();
    for (ConsumerRecord<byte[], byte[]> record : round) {
      Copy copy = new Copy(record, JournalRecords.eventId(record));
      copies.add(copy);
      if (copy.eventId() != null) {
        ids.add(copy.eventId());
      }
    }
    long deadline = System.nanoTime() + INDEX_WAIT.toNanos();
    while (true) {
      long seen;
      synchronized (monitor) {
        seen = indexRounds;
      }
      Map<Integer, Long> indexed = new HashMap<>();
      Map<String, Place> claimed = new HashMap<>();
      read(ids, indexed, claimed);
      if (round.stream().allMatch(r -> indexed.getOrDefault(r.partition(), 0L) > r.offset())) {
        return firstCopies(copies, claimed);
      }
      if (stopping.getAsBoolean()) {
        throw new InterruptedException("stopping while waiting for the journal's index");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the journal's index has not passed this round's records within "
                + INDEX_WAIT.toSeconds()
                + " s");
      }
      synchronized (monitor) {
        if (indexRounds == seen) {
          monitor.wait(LOOK_AGAIN.toMillis());
        }
      }
    }
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

  private void read(Set<String> ids, Map<Integer, Long> indexed, Map<String, Place> claimed) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(
                connection,
                DECIDED,
                KafkaPlaces.INDEX,
                topic,
                connection.createArrayOf("text", ids.toArray()));
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

package io.streamspace.host.journal.kafka;

import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import io.streamspace.common.time.InstantText;
import io.streamspace.host.deadletters.DeadLetterStore;
import io.streamspace.host.journal.EventJournal;
import io.streamspace.host.journal.JournalEntry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's index on Kafka, and the place where its events are de-duplicated: writes every
 * event of the topic into {@code host_journal} once, as the PostgreSQL journal does when it
 * appends, so that support's query ({@code GET /api/admin/journal}, {@link EventJournal#find})
 * and the retention ({@code JournalRetention}) work the same on both journals. One consumer per
 * node in one group, so each partition is indexed by one node at a time.
 *
 * <p>Intake claims nothing (it only looks the ids up, {@link KafkaIntake}), so the topic may hold
 * an event twice, or another body under an id, when a redelivery raced past that look-up. Here
 * each id is taken by the first copy the index reads (in topic order within a partition; one
 * event's copies share its account's partition): its entry is written ({@code ON CONFLICT
 * (event_id) DO NOTHING}, the journal's unique id being the claim) with that record's partition
 * and offset, which the plugins' consumers hand and no other copy ({@link FirstCopies}). One row
 * per event, nothing else. A later copy with the same body is a duplicate, skipped. One with
 * another body is a conflict: not applied, and not dropped without a word either: it is set
 * aside as a dead letter ({@link DeadLetterStore#JOURNAL}) with the reason, and logged.
 *
 * <p>Exactly once: a round's entries, dead letters and places are one transaction. A crash
 * before the commit leaves nothing of the round; after, the round is not read again.
 */
final class JournalIndexConsumer extends PartitionConsumer {

  private static final Logger log = LoggerFactory.getLogger(JournalIndexConsumer.class);

  /** The consumer group of the journal's index, one member per node. */
  static final String GROUP = "streamspace-journal-index";

  static final String CONFLICT_REASON =
      "another event was accepted under this id; this one is not applied";

  // The round's first copies take their ids by writing their entries: host_journal's unique
  // event_id is the claim, and the entry records which record it is. The others (an id taken
  // before) answer the body stored under the id. Set-based: one statement and one row an event.
  private static final String INDEX =
      """
      WITH batch AS (
        SELECT * FROM unnest(?::text[], ?::text[], ?::text[]::timestamptz[], ?::text[],
                             ?::text[], ?::text[], ?::text[]::timestamptz[], ?::int[],
                             ?::bigint[])
          WITH ORDINALITY AS b(event_id, event_type, occurred_at, user_id, session_id, body,
                               journaled_at, kafka_partition, kafka_offset, n)
      ),
      journaled AS (
        INSERT INTO host_journal
          (seq, journaled_at, event_id, event_type, occurred_at, user_id, session_id, body,
           kafka_partition, kafka_offset)
        SELECT nextval('host_journal_seq'), journaled_at, event_id, event_type, occurred_at,
               user_id, session_id, body, kafka_partition, kafka_offset
        FROM batch ORDER BY n
        ON CONFLICT (event_id) DO NOTHING
        RETURNING event_id
      )
      SELECT b.n, j.event_id IS NOT NULL, k.body
      FROM batch b
      LEFT JOIN journaled j USING (event_id)
      LEFT JOIN host_journal k ON j.event_id IS NULL AND k.event_id = b.event_id
      """;

  // An id another transaction took while this one waited for it is not in that statement's
  // snapshot; a new statement (read committed) sees it.
  private static final String STORED =
      "SELECT event_id, body FROM host_journal WHERE event_id = ANY (?)";

  private final DataSource dataSource;
  private final FirstCopies firstCopies;

  JournalIndexConsumer(
      String topic,
      Properties properties,
      KafkaPlaces places,
      DataSource dataSource,
      FirstCopies firstCopies,
      Clock clock,
      IntakeFirst intakeFirst) {
    super(KafkaPlaces.INDEX, topic, properties, places, clock, FirstPlace.BEGINNING, intakeFirst);
    this.dataSource = dataSource;
    this.firstCopies = firstCopies;
  }

  @Override
  protected Map<Integer, Long> consume(
      List<ConsumerRecord<byte[], byte[]>> round, Map<Integer, Long> next) {
    List<EventJournal.Journaled> records = new ArrayList<>(round.size());
    // by partition, the last record not taken as its event's first copy (FirstCopies)
    Map<Integer, Long> lastRepeats = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : round) {
      readable(record)
          .ifPresentOrElse(
              records::add,
              () -> lastRepeats.merge(record.partition(), record.offset(), Math::max));
    }
    try {
      Transactions.<Void, RuntimeException>inTransaction(
          dataSource,
          connection -> {
            if (!records.isEmpty()) {
              Indexed indexed = index(connection, records);
              DeadLetterStore.setAside(connection, indexed.conflicts(), clock.instant());
              indexed.repeats().forEach(r -> lastRepeats.merge(r.partition(), r.seq(), Math::max));
            }
            places.advanceIndex(connection, next, lastRepeats, clock.instant());
            return null;
          });
    } catch (SQLException e) {
      throw Sql.failure("indexing the Kafka journal", e);
    }
    firstCopies.indexAdvanced();
    return next;
  }

  /**
   * What a round's index did: the conflicts to set aside (each id once), and the records it did
   * not take as their events' first copies (the duplicates and the conflicts).
   */
  private record Indexed(
      List<DeadLetterStore.SetAside> conflicts, List<EventJournal.Journaled> repeats) {}

  /** Claims and writes the round's first copies. */
  private static Indexed index(Connection connection, List<EventJournal.Journaled> records)
      throws SQLException {
    // the first copy of an id in the round stands for it (one statement may not claim a row twice)
    Map<String, Integer> firstOf = new LinkedHashMap<>();
    List<EventJournal.Journaled> firsts = new ArrayList<>();
    for (EventJournal.Journaled record : records) {
      if (firstOf.putIfAbsent(record.entry().eventId(), firsts.size()) == null) {
        firsts.add(record);
      }
    }
    boolean[] claimed = new boolean[firsts.size()];
    Map<String, String> stored = new HashMap<>();
    try (PreparedStatement statement = bind(connection, firsts);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        int n = rows.getInt(1) - 1;
        claimed[n] = rows.getBoolean(2);
        String body = rows.getString(3);
        if (body != null) {
          stored.put(firsts.get(n).entry().eventId(), body);
        }
      }
    }
    List<String> unseen = new ArrayList<>();
    for (int n = 0; n < firsts.size(); n++) {
      String id = firsts.get(n).entry().eventId();
      if (claimed[n]) {
        stored.put(id, firsts.get(n).entry().body());
      } else if (!stored.containsKey(id)) {
        unseen.add(id);
      }
    }
    if (!unseen.isEmpty()) {
      claimedMeanwhile(connection, unseen, stored);
    }
    Map<String, DeadLetterStore.SetAside> conflicts = new LinkedHashMap<>();
    List<EventJournal.Journaled> repeats = new ArrayList<>();
    for (EventJournal.Journaled record : records) {
      JournalEntry entry = record.entry();
      int n = firstOf.get(entry.eventId());
      boolean theClaimedCopy = claimed[n] && firsts.get(n) == record;
      if (!theClaimedCopy) {
        repeats.add(record);
      }
      String body = stored.get(entry.eventId());
      // a copy of the claimed body is a duplicate (one form per event, JournalEntry); an id
      // forgotten meanwhile was taken before
      if (!theClaimedCopy && body != null && !body.equals(entry.body())) {
        conflicts.putIfAbsent(entry.eventId(), conflict(record));
      }
    }
    return new Indexed(List.copyOf(conflicts.values()), repeats);
  }

  private static DeadLetterStore.SetAside conflict(EventJournal.Journaled record) {
    JournalEntry entry = record.entry();
    log.warn(
        "The Kafka journal's index set event {} ({}) at {}@{} aside as a dead letter: {}",
        entry.eventId(),
        entry.type(),
        record.partition(),
        record.seq(),
        CONFLICT_REASON);
    return new DeadLetterStore.SetAside(
        entry.eventId(), entry.type(), entry.body(), CONFLICT_REASON);
  }

  /** The bodies stored for ids another node took while this round's claim waited. */
  private static void claimedMeanwhile(
      Connection connection, List<String> ids, Map<String, String> stored) throws SQLException {
    try (PreparedStatement statement =
            Sql.prepare(connection, STORED, connection.createArrayOf("text", ids.toArray()));
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        stored.put(rows.getString(1), rows.getString(2));
      }
    }
  }

  private static PreparedStatement bind(Connection connection, List<EventJournal.Journaled> firsts)
      throws SQLException {
    int n = firsts.size();
    String[][] columns = new String[7][n];
    Integer[] partitions = new Integer[n];
    Long[] offsets = new Long[n];
    for (int i = 0; i < n; i++) {
      EventJournal.Journaled journaled = firsts.get(i);
      JournalEntry entry = journaled.entry();
      columns[0][i] = entry.eventId();
      columns[1][i] = entry.type();
      columns[2][i] = InstantText.of(entry.occurredAt());
      columns[3][i] = entry.userId();
      columns[4][i] = entry.sessionId();
      columns[5][i] = entry.body();
      columns[6][i] = InstantText.of(journaled.journaledAt());
      partitions[i] = journaled.partition();
      offsets[i] = journaled.seq();
    }
    Object[] params = new Object[columns.length + 2];
    for (int c = 0; c < columns.length; c++) {
      params[c] = connection.createArrayOf("text", columns[c]);
    }
    params[columns.length] = connection.createArrayOf("int4", partitions);
    params[columns.length + 1] = connection.createArrayOf("int8", offsets);
    return Sql.prepare(connection, INDEX, params);
  }
}

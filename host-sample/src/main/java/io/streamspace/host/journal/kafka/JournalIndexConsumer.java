package io.streamspace.host.journal.kafka;

import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import io.streamspace.common.time.InstantText;
import io.streamspace.host.journal.EventJournal;
import io.streamspace.host.journal.JournalEntry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The journal's index on Kafka: writes every record of the topic into {@code host_journal}, as
 * the PostgreSQL journal does when it appends, so that support's query ({@code GET
 * /api/admin/journal}, {@link EventJournal#find}) and the retention ({@code JournalRetention})
 * work the same on both journals. One consumer per node in one group, so each partition is
 * indexed by one node at a time.
 *
 * <p>Exactly once: a round claims its events' ids ({@code host_event_ids.seq}, null until then:
 * intake claimed the id when it accepted the event), writes the entries of the ids it claimed now
 * and only those (a second copy of an id in the topic is skipped), and moves its own places, all
 * in one transaction. A crash before the commit leaves nothing of the round; after, the round is
 * not read again. An id whose row intake's transaction never committed is inserted here.
 */
final class JournalIndexConsumer extends PartitionConsumer {

  /** The consumer group of the journal's index, one member per node. */
  static final String GROUP = "streamspace-journal-index";

  // The ids not yet indexed claim a seq: new rows, or intake's rows still without one; only those
  // entries are written. Set-based: one statement for the round.
  private static final String INDEX =
      """
      WITH batch AS (
        SELECT * FROM unnest(?::text[], ?::text[], ?::text[]::timestamptz[], ?::text[],
                             ?::text[], ?::text[], ?::text[]::timestamptz[])
          WITH ORDINALITY AS b(event_id, event_type, occurred_at, user_id, session_id, body,
                               journaled_at, n)
      ),
      claimed AS (
        INSERT INTO host_event_ids AS k (event_id, body_sha256, seq, journaled_at)
        SELECT event_id, sha256(convert_to(body, 'UTF8')), nextval('host_journal_seq'),
               journaled_at
        FROM batch ORDER BY n
        ON CONFLICT (event_id) DO UPDATE SET seq = excluded.seq WHERE k.seq IS NULL
        RETURNING event_id, seq
      )
      INSERT INTO host_journal
        (seq, journaled_at, event_id, event_type, occurred_at, user_id, session_id, body)
      SELECT c.seq, b.journaled_at, b.event_id, b.event_type, b.occurred_at, b.user_id,
             b.session_id, b.body
      FROM claimed c JOIN batch b USING (event_id)
      """;

  private final DataSource dataSource;

  JournalIndexConsumer(
      String topic, Properties properties, KafkaPlaces places, DataSource dataSource, Clock clock) {
    super(KafkaPlaces.INDEX, topic, properties, places, clock, FirstPlace.BEGINNING);
    this.dataSource = dataSource;
  }

  @Override
  protected void consume(List<ConsumerRecord<byte[], byte[]>> round, Map<Integer, Long> next) {
    List<EventJournal.Journaled> entries = new ArrayList<>(round.size());
    // the first copy of an id stands for it (one statement may not claim a row twice)
    Set<String> ids = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> record : round) {
      readable(record)
          .filter(journaled -> ids.add(journaled.entry().eventId()))
          .ifPresent(entries::add);
    }
    try {
      Transactions.<Void, RuntimeException>inTransaction(
          dataSource,
          connection -> {
            if (!entries.isEmpty()) {
              try (PreparedStatement index = bind(connection, entries)) {
                index.executeUpdate();
              }
            }
            places.advance(connection, name, next, clock.instant());
            return null;
          });
    } catch (SQLException e) {
      throw Sql.failure("indexing the Kafka journal", e);
    }
  }

  private static PreparedStatement bind(Connection connection, List<EventJournal.Journaled> entries)
      throws SQLException {
    int n = entries.size();
    String[][] columns = new String[7][n];
    for (int i = 0; i < n; i++) {
      EventJournal.Journaled journaled = entries.get(i);
      JournalEntry entry = journaled.entry();
      columns[0][i] = entry.eventId();
      columns[1][i] = entry.type();
      columns[2][i] = InstantText.of(entry.occurredAt());
      columns[3][i] = entry.userId();
      columns[4][i] = entry.sessionId();
      columns[5][i] = entry.body();
      columns[6][i] = InstantText.of(journaled.journaledAt());
    }
    Object[] params = new Object[columns.length];
    for (int c = 0; c < columns.length; c++) {
      params[c] = connection.createArrayOf("text", columns[c]);
    }
    return Sql.prepare(connection, INDEX, params);
  }
}

package io.streamspace.host.journal.kafka;

import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * Each consumer's place in each partition of the Kafka journal's topic ({@code
 * host_kafka_offsets}): the offset of the next record it is to be handed. The places live in
 * PostgreSQL, not in Kafka's consumer groups (which only share the partitions out), so that the
 * journal's index moves its places in the transaction that writes its entries, and a plugin's
 * place is where support and the lag read it.
 */
final class KafkaPlaces {

  /** The journal's index's name among the consumers, set apart from plugin ids by its "#". */
  static final String INDEX = "#index";

  /** A place, and when its consumer last stored it. */
  record Place(long next, Instant updatedAt) {}

  private static final String UPSERT =
      """
      INSERT INTO host_kafka_offsets AS o (consumer, topic, partition, next_offset, updated_at)
      SELECT ?, ?, t.partition, t.next_offset, ?
      FROM unnest(?::int[], ?::bigint[]) AS t(partition, next_offset)
      ON CONFLICT (consumer, topic, partition) DO
      """;

  // never backwards: a round stored late (a consumer that lost the partition meanwhile) cannot
  // move a place back behind what its new owner stored
  private static final String ADVANCE =
      UPSERT
          + " UPDATE SET next_offset = greatest(o.next_offset, excluded.next_offset),"
          + " updated_at = excluded.updated_at";

  // the index's: its places, and the last record in each partition it did not take as its
  // event's first copy (never back either; greatest ignores a null)
  private static final String ADVANCE_INDEX =
      """
      INSERT INTO host_kafka_offsets AS o
        (consumer, topic, partition, next_offset, updated_at, last_repeat)
      SELECT ?, ?, t.partition, t.next_offset, ?, t.last_repeat
      FROM unnest(?::int[], ?::bigint[], ?::bigint[]) AS t(partition, next_offset, last_repeat)
      ON CONFLICT (consumer, topic, partition) DO UPDATE
      SET next_offset = greatest(o.next_offset, excluded.next_offset),
          updated_at = excluded.updated_at,
          last_repeat = greatest(o.last_repeat, excluded.last_repeat)
      """;

  private static final String STORE_IF_ABSENT = UPSERT + " NOTHING";

  private static final String SET =
      UPSERT + " UPDATE SET next_offset = excluded.next_offset, updated_at = excluded.updated_at";

  private static final String READ =
      """
      SELECT consumer, partition, next_offset, updated_at FROM host_kafka_offsets
      WHERE topic = ? AND consumer = ANY (?)
      """;

  private static final String ENABLED_PLUGINS =
      """
      SELECT o.consumer, o.partition, o.next_offset, o.updated_at
      FROM host_kafka_offsets o JOIN host_plugins p ON p.plugin_id = o.consumer
      WHERE o.topic = ? AND p.installed AND p.enabled
      """;

  private final DataSource dataSource;
  private final String topic;

  KafkaPlaces(DataSource dataSource, String topic) {
    this.dataSource = dataSource;
    this.topic = topic;
  }

  /** The consumer's places, by partition; empty for a consumer seen for the first time. */
  Map<Integer, Long> read(String consumer) {
    Map<Integer, Long> places = new TreeMap<>();
    of(List.of(consumer))
        .getOrDefault(consumer, Map.of())
        .forEach((p, place) -> places.put(p, place.next()));
    return places;
  }

  /** The places of these consumers, by consumer and partition. */
  Map<String, Map<Integer, Place>> of(List<String> consumers) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(
                connection, READ, topic, connection.createArrayOf("text", consumers.toArray()));
        ResultSet rows = statement.executeQuery()) {
      return places(rows);
    } catch (SQLException e) {
      throw Sql.failure("reading places in the Kafka journal", e);
    }
  }

  /** The places of the installed and enabled plugins, by plugin and partition. */
  Map<String, Map<Integer, Place>> ofEnabledPlugins() {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = Sql.prepare(connection, ENABLED_PLUGINS, topic);
        ResultSet rows = statement.executeQuery()) {
      return places(rows);
    } catch (SQLException e) {
      throw Sql.failure("reading the enabled plugins' places in the Kafka journal", e);
    }
  }

  /** Stores these places where the consumer has none yet (another node may have just stored). */
  void storeIfAbsent(String consumer, Map<Integer, Long> places, Instant now) {
    execute(STORE_IF_ABSENT, consumer, places, now);
  }

  /** Moves the consumer's places forward to these (never back), in one statement. */
  void advance(String consumer, Map<Integer, Long> places, Instant now) {
    execute(ADVANCE, consumer, places, now);
  }

  /** {@link #advance} in the caller's transaction. */
  void advance(Connection connection, String consumer, Map<Integer, Long> places, Instant now)
      throws SQLException {
    try (PreparedStatement statement = bind(connection, ADVANCE, consumer, places, now)) {
      statement.executeUpdate();
    }
  }

  /**
   * {@link #advance} for the journal's index, in its round's transaction, with the offset of the
   * last record of the round in each partition it did not take as its event's first copy (none:
   * absent).
   */
  void advanceIndex(
      Connection connection, Map<Integer, Long> places, Map<Integer, Long> lastRepeats, Instant now)
      throws SQLException {
    Integer[] partitions = places.keySet().toArray(Integer[]::new);
    Long[] offsets = new Long[partitions.length];
    Long[] repeats = new Long[partitions.length];
    for (int i = 0; i < partitions.length; i++) {
      offsets[i] = places.get(partitions[i]);
      repeats[i] = lastRepeats.get(partitions[i]);
    }
    try (PreparedStatement statement =
        Sql.prepare(
            connection,
            ADVANCE_INDEX,
            INDEX,
            topic,
            Timestamp.from(now),
            connection.createArrayOf("int4", partitions),
            connection.createArrayOf("int8", offsets),
            connection.createArrayOf("int8", repeats))) {
      statement.executeUpdate();
    }
  }

  /** Sets the consumer's places to these as they are, back or forward (a rewind). */
  void set(String consumer, Map<Integer, Long> places, Instant now) {
    execute(SET, consumer, places, now);
  }

  private void execute(String sql, String consumer, Map<Integer, Long> places, Instant now) {
    if (places.isEmpty()) {
      return;
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = bind(connection, sql, consumer, places, now)) {
      statement.executeUpdate();
    } catch (SQLException e) {
      throw Sql.failure("storing the places of " + consumer + " in the Kafka journal", e);
    }
  }

  private PreparedStatement bind(
      Connection connection, String sql, String consumer, Map<Integer, Long> places, Instant now)
      throws SQLException {
    Integer[] partitions = places.keySet().toArray(Integer[]::new);
    Long[] offsets = new Long[partitions.length];
    for (int i = 0; i < partitions.length; i++) {
      offsets[i] = places.get(partitions[i]);
    }
    return Sql.prepare(
        connection,
        sql,
        consumer,
        topic,
        Timestamp.from(now),
        connection.createArrayOf("int4", partitions),
        connection.createArrayOf("int8", offsets));
  }

  private static Map<String, Map<Integer, Place>> places(ResultSet rows) throws SQLException {
    Map<String, Map<Integer, Place>> places = new HashMap<>();
    while (rows.next()) {
      places
          .computeIfAbsent(rows.getString("consumer"), c -> new TreeMap<>())
          .put(
              rows.getInt("partition"),
              new Place(rows.getLong("next_offset"), rows.getTimestamp("updated_at").toInstant()));
    }
    return places;
  }
}

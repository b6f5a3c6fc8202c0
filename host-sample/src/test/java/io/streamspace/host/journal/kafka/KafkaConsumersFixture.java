package io.streamspace.host.journal.kafka;

import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.host.journal.EventHandoff;
import io.streamspace.host.journal.EventJournal;
import io.streamspace.host.journal.JournalEntry;
import io.streamspace.host.kafka.KafkaBrokers;
import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.testing.Await;
import io.streamspace.testing.MutableClock;
import io.streamspace.testing.TestDatabases;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * What the Kafka journal's consumer tests share: the broker this JVM's test classes share, a
 * migrated PostgreSQL of the class's own, a producer, and the helpers that send, read places and
 * start consumers. Two classes, so that two test JVMs run them side by side: the tests of nodes
 * coming and going wait out Kafka's rebalances and its session timeout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class KafkaConsumersFixture {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final Duration POLL = Duration.ofMillis(50);
  static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

  final AtomicInteger topics = new AtomicInteger();
  KafkaBrokers kafka;
  Database database;
  KafkaProducer<byte[], byte[]> producer;

  @BeforeAll
  void start() {
    kafka = KafkaBrokers.shared();
    database = Database.external(TestDatabases.freshDatabaseUrl(), Map.of());
    HostMigrations.migrate(database.dataSource());
    Properties properties = new Properties();
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    properties.put(
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    producer = new KafkaProducer<>(properties);
  }

  @AfterAll
  void stop() throws Exception {
    producer.close();
    database.close();
  }

  /** Records what it was handed, in order, and holds the flushes the test puts in. */
  static final class Recording implements EventHandoff {
    final List<EventJournal.Journaled> handed = new CopyOnWriteArrayList<>();

    @Override
    public void handOff(EventJournal.Journaled journaled, ActivePlugin plugin) {
      handed.add(journaled);
    }

    List<String> ids() {
      return handed.stream().map(j -> j.entry().eventId()).toList();
    }
  }

  /** Keeps parsed the events of the ids given, as intake on this node would; records the rest. */
  static final class KeepsSome implements EventHandoff {
    final Set<String> kept;
    final List<String> handed = new CopyOnWriteArrayList<>();

    KeepsSome(Set<String> kept) {
      this.kept = kept;
    }

    @Override
    public boolean handOffKept(int partition, long seq, String eventId, ActivePlugin plugin) {
      if (!kept.contains(eventId)) {
        return false;
      }
      handed.add("kept " + eventId);
      return true;
    }

    @Override
    public void handOff(EventJournal.Journaled journaled, ActivePlugin plugin) {
      handed.add("read " + journaled.entry().eventId());
    }
  }

  /** A plugin whose next flush answers with the future the test put in, else at once. */
  static final class HeldFlushes implements PlatformPlugin {
    volatile CompletableFuture<Void> next;

    @Override
    public CompletionStage<Void> flush() {
      CompletableFuture<Void> held = next;
      next = null;
      return held != null ? held : CompletableFuture.completedFuture(null);
    }
  }

  /** Whether the plugin's group is stable, each of its two members owning one partition. */
  boolean stableWithOnePartitionEach(String pluginId) throws Exception {
    try (Admin admin = kafka.admin()) {
      ConsumerGroupDescription group =
          admin
              .describeConsumerGroups(List.of(KafkaConsumers.groupOf(pluginId)))
              .all()
              .get(10, TimeUnit.SECONDS)
              .get(KafkaConsumers.groupOf(pluginId));
      return group.groupState() == GroupState.STABLE
          && group.members().size() == 2
          && group.members().stream()
              .allMatch(member -> member.assignment().topicPartitions().size() == 1);
    }
  }

  KafkaConsumers consumers(String topic, EventHandoff handoff, DataSource dataSource, String node) {
    return consumers(settings(topic), handoff, dataSource, node);
  }

  KafkaConsumers consumers(
      KafkaSettings settings, EventHandoff handoff, DataSource dataSource, String node) {
    return new KafkaConsumers(
        settings,
        dataSource,
        handoff,
        new MutableClock(NOW),
        node,
        KafkaConsumers.backlogAgeBound(Duration.ofDays(35)));
  }

  KafkaSettings settings(String topic) {
    return settings(topic, true);
  }

  KafkaSettings settings(String topic, boolean intakeFirst) {
    return new KafkaSettings(kafka.bootstrapServers(), topic, 3, (short) 1, Map.of(), intakeFirst);
  }

  String topic(int partitions) {
    String topic = "consumers-test-" + topics.incrementAndGet();
    kafka.createTopic(topic, partitions, 1, Map.of());
    return topic;
  }

  /**
   * Journals {@code entry} now: records are timed by the real clock, as the broker deletes those
   * older than its retention (7 days), a first time 30 s after it started.
   */
  RecordMetadata send(String topic, JournalEntry entry) throws Exception {
    return send(topic, entry, Instant.now());
  }

  RecordMetadata send(String topic, JournalEntry entry, Instant journaledAt) throws Exception {
    return producer.send(JournalRecords.record(topic, entry, journaledAt)).get();
  }

  /** An event billed to {@code account} of a user of its own, whose body names its id. */
  static JournalEntry otherUsersEntry(String id, String account) {
    return new JournalEntry(
        id, "session.heartbeat", NOW, "user-" + id, "s-" + id, "{\"id\":\"" + id + "\"}", account);
  }

  /** An event of {@code account}'s user, whose body names its id. */
  static JournalEntry entry(String id, String account) {
    return new JournalEntry(
        id,
        "session.heartbeat",
        NOW,
        "user-" + account,
        "s-" + account,
        "{\"id\":\"" + id + "\",\"account\":\"" + account + "\"}",
        account);
  }

  static String accountOf(String orderedId) {
    return "acct-" + (Integer.parseInt(orderedId.substring("ordered-".length())) % 3);
  }

  /** Waits until the plugin's consumer has stored its places in each partition, and reads them. */
  Map<Integer, Long> awaitPositioned(String consumer, String topic, int partitions) {
    return Await.await(
        WAIT,
        POLL,
        consumer + "'s places stored",
        () -> places(consumer, topic),
        found -> found.size() == partitions);
  }

  Map<Integer, Long> places(String consumer, String topic) throws SQLException {
    Map<Integer, Long> places = new TreeMap<>();
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT partition, next_offset FROM host_kafka_offsets"
                    + " WHERE consumer = ? AND topic = ?")) {
      statement.setString(1, consumer);
      statement.setString(2, topic);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          places.put(rows.getInt(1), rows.getLong(2));
        }
      }
    }
    return places;
  }

  static Map<Integer, Long> withZeros(Map<Integer, Long> places, int partitions) {
    Map<Integer, Long> all = new TreeMap<>();
    for (int partition = 0; partition < partitions; partition++) {
      all.put(partition, places.getOrDefault(partition, 0L));
    }
    return all;
  }

  Map<String, Long> query(String sql) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet rows = statement.executeQuery()) {
      Map<String, Long> found = new LinkedHashMap<>();
      while (rows.next()) {
        found.put(rows.getString(1), rows.getLong(2));
      }
      return found;
    }
  }

  Map<String, String> texts(String sql) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet rows = statement.executeQuery()) {
      Map<String, String> found = new TreeMap<>();
      while (rows.next()) {
        found.put(rows.getString(1), rows.getString(2));
      }
      return found;
    }
  }

  void execute(String sql) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.execute();
    }
  }

  /** A data source that refuses connections, as a database that went away, while {@code down}. */
  static DataSource failingWhen(DataSource real, AtomicBoolean down) {
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (down.get() && method.getName().equals("getConnection")) {
                throw new SQLTransientConnectionException("the database went away", "08006");
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}

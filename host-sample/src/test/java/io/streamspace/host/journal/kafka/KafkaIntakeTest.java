package io.streamspace.host.journal.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.common.db.Sql;
import io.streamspace.common.http.ApiException;
import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.host.journal.Appended;
import io.streamspace.host.journal.EventJournal;
import io.streamspace.host.journal.JournalEntry;
import io.streamspace.host.kafka.KafkaBrokers;
import io.streamspace.plugin.api.http.HttpStatus;
import io.streamspace.testing.Await;
import io.streamspace.testing.MutableClock;
import io.streamspace.testing.TestDatabases;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Intake on the Kafka journal, on a real broker and real PostgreSQL: what it sends, what it reads
 * and never writes there, what it refuses, on one node and two; beside it the journal's index, as
 * on a host, which takes the ids that intake looks up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaIntakeTest {

  // today's: a record's timestamp is when it was journaled, and the brokers measure the topic's
  // retention (36 days) against their own clock, so a fixed day in the past would see the records
  // deleted at the broker's next retention check (the first 30 s after it starts)
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);
  private static final String TOPIC = "kafka-intake-test";
  private static final int PARTITIONS = 3;

  /**
   * The producer's timeouts for the topics whose sends a test expects acknowledged: patient (10 s a
   * request, 30 s a record), not intake's few seconds. These tests are about what intake reads,
   * writes and sends; on a CI machine busy with two other forks, each with its own broker and
   * PostgreSQL, a fresh topic's first produce request has been seen to outlast intake's 5 s and
   * be refused 503, as intake should refuse it, and the test failed on that instead.
   */
  private static final Map<String, String> PATIENT =
      Map.of("request.timeout.ms", "10000", "delivery.timeout.ms", "30000");

  private KafkaBrokers kafka;
  private KafkaSettings settings;
  private KafkaSettings unindexed;
  private TopicDescription topic;
  private final Database database = Database.external(TestDatabases.freshDatabaseUrl(), Map.of());
  private KafkaIntake intake;
  private KafkaConsumers index;

  @BeforeAll
  void start() {
    HostMigrations.migrate(database.dataSource());
    kafka = KafkaBrokers.shared();
    settings = new KafkaSettings(kafka.bootstrapServers(), TOPIC, PARTITIONS, (short) 1, PATIENT);
    // a topic no index reads until a test starts one
    unindexed =
        new KafkaSettings(
            kafka.bootstrapServers(), TOPIC + "-unindexed", PARTITIONS, (short) 1, PATIENT);
    try (Admin admin = kafka.admin()) {
      topic = KafkaTopic.ensure(admin, settings, Duration.ofDays(35));
      KafkaTopic.ensure(admin, unindexed, Duration.ofDays(35));
    }
    intake = new KafkaIntake(database.dataSource(), new MutableClock(NOW), settings);
    index = index(settings);
  }

  /** The journal's index on the topic, as a host runs it (its plugins' consumers: none). */
  private KafkaConsumers index(KafkaSettings settings) {
    return new KafkaConsumers(
        settings,
        database.dataSource(),
        (journaled, plugin) -> {},
        new MutableClock(NOW),
        "node-1",
        KafkaConsumers.backlogAgeBound(Duration.ofDays(35)));
  }

  @AfterAll
  void stop() {
    index.close();
    intake.close();
    database.close();
  }

  private static JournalEntry entry(String id, String account, String body) {
    return new JournalEntry(id, "session.heartbeat", NOW, "ann", "s-1", body, account);
  }

  @Test
  void theTopicIsCreatedWithTheSettingsAndTheRetentionOfTheIds_andLeftAsItIsWhenPresent()
      throws Exception {
    assertEquals(PARTITIONS, topic.partitions().size());
    try (Admin admin = kafka.admin()) {
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
      Config config =
          admin.describeConfigs(Set.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
      assertEquals("1", config.get("min.insync.replicas").value());
      assertEquals(
          Long.toString(Duration.ofDays(36).toMillis()), config.get("retention.ms").value());

      KafkaSettings other =
          new KafkaSettings(kafka.bootstrapServers(), TOPIC, 7, (short) 1, Map.of());
      assertEquals(
          PARTITIONS,
          KafkaTopic.ensure(admin, other, Duration.ofDays(35)).partitions().size(),
          "an existing topic is not changed");
    }
  }

  @Test
  void anExistingTopicsShorterRetentionIsRaisedToTheJournals_aLongerOrUnlimitedOneStays()
      throws Exception {
    String shorter = TOPIC + "-shorter";
    String unlimited = TOPIC + "-unlimited";
    kafka.createTopic(
        shorter, 1, 1, Map.of("retention.ms", Long.toString(Duration.ofDays(2).toMillis())));
    kafka.createTopic(unlimited, 1, 1, Map.of("retention.ms", "-1"));
    try (Admin admin = kafka.admin()) {
      for (String name : List.of(shorter, unlimited)) {
        KafkaTopic.ensure(
            admin,
            new KafkaSettings(kafka.bootstrapServers(), name, 1, (short) 1, Map.of()),
            Duration.ofDays(35));
      }

      assertEquals(Long.toString(Duration.ofDays(36).toMillis()), retentionMs(admin, shorter));
      assertEquals("-1", retentionMs(admin, unlimited));
    }
  }

  private static String retentionMs(Admin admin, String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    return admin
        .describeConfigs(Set.of(resource))
        .all()
        .get(30, TimeUnit.SECONDS)
        .get(resource)
        .get("retention.ms")
        .value();
  }

  @Test
  void aBatchIsAcknowledgedAndReadFromTheTopic_keyedByAccountWithTheJournalsHeaders()
      throws Exception {
    List<JournalEntry> batch =
        List.of(
            entry("read-1", "org-a", "{\"n\":1}"),
            entry("read-2", "org-b", "{\"n\":2}"),
            new JournalEntry("read-3", "user.updated", NOW, "bob", null, "{\"n\":3}", "bob"));

    Appended appended = intake.append(batch);

    assertEquals(Set.of(0, 1, 2), appended.seqs().keySet());
    assertEquals(Set.of(0, 1, 2), appended.partitions().keySet());
    assertEquals(0, appended.duplicates());
    List<ConsumerRecord<byte[], byte[]>> records = readTopic();
    for (int i = 0; i < batch.size(); i++) {
      ConsumerRecord<byte[], byte[]> record = recordOf(records, batch.get(i).eventId());
      assertEquals((long) appended.seqs().get(i), record.offset());
      assertEquals((int) appended.partitions().get(i), record.partition());
      assertEquals(batch.get(i).account(), new String(record.key(), StandardCharsets.UTF_8));
      EventJournal.Journaled journaled = JournalRecords.journaled(record);
      assertEquals(batch.get(i), journaled.entry());
      assertEquals(NOW, journaled.journaledAt());
    }
  }

  /**
   * The broker is the journal: a batch costs PostgreSQL one read-only statement, whatever its
   * size, and no row; the journal's index writes one row per event behind intake, its entry, whose
   * unique id is the claim, with the place of the record it took.
   */
  @Test
  void
      aBatchIsAnsweredAfterOneReadOfPostgreSql_writingNoRow_theIndexWritesOneRowPerEventAfterwards()
          throws Exception {
    List<String> statements = new CopyOnWriteArrayList<>();
    List<JournalEntry> batch =
        IntStream.range(0, 200)
            .mapToObj(i -> entry("unwritten-" + i, "org-" + (i % 7), "{\"n\":" + i + "}"))
            .toList();
    String[] ids = batch.stream().map(JournalEntry::eventId).toArray(String[]::new);
    Appended appended;
    try (KafkaIntake counted =
        new KafkaIntake(
            statementsInto(database.dataSource(), statements), new MutableClock(NOW), unindexed)) {
      appended = counted.append(batch);
    }

    assertEquals(200, appended.seqs().size(), "every event acknowledged by the brokers");
    assertEquals(1, statements.size(), String.join("\n", statements));
    assertTrue(statements.get(0).strip().startsWith("SELECT"), statements.get(0));
    assertEquals(0, rowsOf("host_event_ids", ids), "no id written by intake");
    assertEquals(0, rowsOf("host_journal", ids), "no entry written by intake");
    try (KafkaConsumers itsIndex = index(unindexed)) {
      Await.await(
          Duration.ofSeconds(30),
          Duration.ofMillis(50),
          "the journal's index past the batch",
          () -> rowsOf("host_journal", ids) == 200);
    }
    assertEquals(0, rowsOf("host_event_ids", ids), "no id row beside the entry");
    Map<String, String> placed = new HashMap<>();
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement statement =
            Sql.prepare(
                connection,
                "SELECT event_id, kafka_partition || '@' || kafka_offset FROM host_journal"
                    + " WHERE event_id = ANY(?)",
                connection.createArrayOf("text", ids));
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        placed.put(rows.getString(1), rows.getString(2));
      }
    }
    for (int i = 0; i < ids.length; i++) {
      String place = appended.partitions().get(i) + "@" + appended.seqs().get(i);
      assertEquals(place, placed.get(ids[i]), "the entry names the record it was taken from");
    }
  }

  /** A data source whose connections write every statement they prepare into {@code into}. */
  private static DataSource statementsInto(DataSource real, List<String> into) {
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              Object result = invoke(real, method, args);
              if (!(result instanceof Connection connection)) {
                return result;
              }
              return Proxy.newProxyInstance(
                  Connection.class.getClassLoader(),
                  new Class<?>[] {Connection.class},
                  (c, m, a) -> {
                    if (m.getName().startsWith("prepare")) {
                      into.add((String) a[0]);
                    } else if (m.getName().equals("createStatement")) {
                      into.add("(a statement)");
                    }
                    return invoke(connection, m, a);
                  });
            });
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private long rowsOf(String table, String[] ids) throws Exception {
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement statement =
            Sql.prepare(
                connection,
                "SELECT count(*) FROM " + table + " WHERE event_id = ANY(?)",
                connection.createArrayOf("text", ids));
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** Waits until the journal's index has read every record of {@code appended}. */
  private void awaitIndexed(Appended appended) {
    KafkaPlaces places = new KafkaPlaces(database.dataSource(), TOPIC);
    Await.await(
        Duration.ofSeconds(30),
        Duration.ofMillis(20),
        "the journal's index past the batch",
        () -> {
          Map<Integer, Long> indexed = places.read(KafkaPlaces.INDEX);
          return appended.lastByPartition().entrySet().stream()
              .allMatch(last -> indexed.getOrDefault(last.getKey(), 0L) > last.getValue());
        });
  }

  @Test
  void aRedeliveryOfAnEventTheIndexTookIsADuplicateAndNotSentAgain_alsoOnAnotherNode() {
    awaitIndexed(intake.append(List.of(entry("again-1", "org-a", "{\"n\":1}"))));
    long records = recordsInTopic();

    Appended here = intake.append(List.of(entry("again-1", "org-a", "{\"n\":1}")));
    Appended elsewhere;
    try (KafkaIntake otherNode =
        new KafkaIntake(database.dataSource(), new MutableClock(NOW), settings)) {
      elsewhere = otherNode.append(List.of(entry("again-1", "org-a", "{\"n\":1}")));
    }

    for (Appended appended : List.of(here, elsewhere)) {
      assertEquals(Map.of(), appended.seqs());
      assertEquals(1, appended.duplicates());
      assertEquals(List.of(), appended.conflicts());
    }
    assertEquals(records, recordsInTopic(), "nothing sent again");
  }

  @Test
  void theSameIdWithAnotherBodyIsAConflict_notSent() {
    awaitIndexed(intake.append(List.of(entry("other-1", "org-a", "{\"n\":1}"))));
    long records = recordsInTopic();

    Appended appended =
        intake.append(
            List.of(entry("other-1", "org-a", "{\"n\":2}"), entry("other-2", "org-a", "{}")));

    assertEquals(List.of(0), appended.conflicts());
    assertEquals(Set.of(1), appended.seqs().keySet());
    assertEquals(records + 1, recordsInTopic());
  }

  @Test
  void withinOneBatchTheFirstEntryOfAnIdStandsForIt_laterOnesRepeatOrConflict() throws Exception {
    Appended appended =
        intake.append(
            List.of(
                entry("batch-1", "org-a", "{\"n\":1}"),
                entry("batch-1", "org-a", "{\"n\":1}"),
                entry("batch-1", "org-a", "{\"n\":9}"),
                entry("batch-2", "org-a", "{\"n\":2}")));

    assertEquals(Set.of(0, 3), appended.seqs().keySet());
    assertEquals(1, appended.duplicates());
    assertEquals(List.of(2), appended.conflicts());
    List<ConsumerRecord<byte[], byte[]>> sent =
        readTopic().stream().filter(r -> eventId(r).startsWith("batch-")).toList();
    assertEquals(
        List.of("batch-1", "batch-2"), sent.stream().map(KafkaIntakeTest::eventId).toList());
    assertEquals("{\"n\":1}", new String(sent.get(0).value(), StandardCharsets.UTF_8));
  }

  @Test
  void brokersThatCannotBeReachedAtAllRefuseTheBatch503AfterOneWaitForThem_noIdWritten()
      throws Exception {
    KafkaSettings nowhere =
        new KafkaSettings("127.0.0.1:1", TOPIC, PARTITIONS, (short) 1, Map.of());
    List<JournalEntry> batch =
        IntStream.range(0, 20)
            .mapToObj(i -> entry("nowhere-" + i, "org-" + i, "{\"n\":" + i + "}"))
            .toList();
    ApiException refused;
    long started = System.nanoTime();
    try (KafkaIntake cutOff =
        new KafkaIntake(database.dataSource(), new MutableClock(NOW), nowhere)) {
      refused = assertThrows(ApiException.class, () -> cutOff.append(batch));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertEquals("journal_unavailable", refused.error().code());
    // each send would wait for the topic's metadata as long again: it stops at the first
    assertTrue(took.compareTo(KafkaIntake.MAX_BLOCK.multipliedBy(2)) < 0, took.toString());
    assertEquals(List.of(), journaledSeqs("nowhere-0", "nowhere-19"));
  }

  @Test
  void onceASendTimesOut_theNextBatchIsRefusedAtOnceWithNoSend_untilAProbeFindsThemBack()
      throws Exception {
    // a producer whose sends are acknowledged only when the test says: unacknowledged, they time
    // out as sends to brokers that went away do
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    AtomicBoolean brokersBack = new AtomicBoolean(false);
    BrokerOutage outage = new BrokerOutage(brokersBack::get, Duration.ofHours(1), "probe-test");
    try (KafkaIntake probing =
        new KafkaIntake(
            database.dataSource(),
            new MutableClock(NOW),
            TOPIC,
            producer,
            Duration.ofMillis(200),
            outage)) {
      ApiException first =
          assertThrows(
              ApiException.class,
              () -> probing.append(List.of(entry("outage-first", "org-a", "{}"))));
      assertEquals(1, producer.history().size(), "the first batch was sent, and timed out");
      // the producer gives up on it, as it does past its delivery timeout
      producer.errorNext(new TimeoutException("expired"));
      assertTrue(outage.down());

      ApiException second =
          assertThrows(
              ApiException.class,
              () -> probing.append(List.of(entry("outage-second", "org-a", "{}"))));
      assertEquals(1, producer.history().size(), "the second batch was not sent");
      assertEquals(List.of(), journaledSeqs("outage-first", "outage-second"), "nor written");
      for (ApiException refused : List.of(first, second)) {
        assertEquals(HttpStatus.SERVICE_UNAVAILABLE, refused.error().status());
        assertEquals("journal_unavailable", refused.error().code());
      }

      outage.probe();
      assertTrue(outage.down(), "a probe the brokers do not answer keeps the outage");
      brokersBack.set(true);
      outage.probe();
      assertFalse(outage.down(), "a probe they answer ends it");
      CompletableFuture<Appended> third =
          CompletableFuture.supplyAsync(
              () -> probing.append(List.of(entry("outage-third", "org-a", "{}"))));
      Await.await(
          Duration.ofSeconds(10),
          Duration.ofMillis(5),
          "the third batch sent",
          () -> producer.history().size() == 2);
      producer.completeNext();
      assertEquals(Set.of(0), third.get(10, TimeUnit.SECONDS).seqs().keySet());
    }
  }

  @Test
  void aDatabaseOutageRefusesTheBatchBeforeAnythingIsSent() throws Exception {
    String url = TestDatabases.freshDatabaseUrl();
    long records;
    try (Database gone = Database.external(url, Map.of())) {
      HostMigrations.migrate(gone.dataSource());
      try (KafkaIntake cutOff =
          new KafkaIntake(gone.dataSource(), new MutableClock(NOW), settings)) {
        records = recordsInTopic();
        dropDatabase(url);

        assertThrows(
            Sql.DatabaseException.class,
            () -> cutOff.append(List.of(entry("outage-1", "org-a", "{}"))));
      }
    }
    assertEquals(records, recordsInTopic(), "nothing sent");
  }

  /**
   * On a broker of their own, stopped and started again; through the journal, as intake asks it:
   * its back-pressure first (a plugin enabled and behind, which a journal letting no record wait
   * refuses with {@code journal_backlog} once a record is older than the clock), then the batch.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class BrokersDown {

    private final MutableClock clock = new MutableClock(NOW);
    private KafkaBrokers own;
    private KafkaJournal journal;

    @BeforeAll
    void start() throws Exception {
      own = KafkaBrokers.start(1);
      // a topic of another name: the places of the outer class's index are kept by topic name
      KafkaSettings settings =
          new KafkaSettings(
              own.bootstrapServers(), TOPIC + "-own", PARTITIONS, (short) 1, Map.of());
      journal =
          new KafkaJournal(
              settings,
              database.dataSource(),
              clock,
              (journaled, plugin) -> {},
              Duration.ZERO,
              Duration.ofDays(35),
              "node-1");
      try (Connection connection = database.dataSource().getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute(
            "INSERT INTO host_plugins (plugin_id, installed, enabled, updated_at)"
                + " VALUES ('behind', true, true, now())");
      }
      new KafkaPlaces(database.dataSource(), TOPIC + "-own")
          .set("behind", Map.of(0, 0L, 1, 0L, 2, 0L), NOW);
    }

    @AfterAll
    void stop() throws Exception {
      journal.close();
      own.close();
    }

    /** What intake does with a batch: the journal's refusals first, then the append. */
    private Appended intake(List<JournalEntry> batch) {
      journal.refuseWhenTooFarBehindOrDown();
      return journal.append(batch);
    }

    @Test
    void aBatchIsRefused503_noIdClaimed_theNextAtOnceBeforeTheBackPressure_andAcceptedOnceBack()
        throws Exception {
      List<JournalEntry> batch =
          IntStream.range(0, 50)
              .mapToObj(i -> entry("down-" + i, "org-" + (i % 5), "{\"n\":" + i + "}"))
              .toList();
      // the journal has sent before: it knows the partitions' leaders, which then go away
      journal.append(List.of(entry("before-down", "org-1", "{}")));
      clock.advance(Duration.ofSeconds(1));
      assertEquals("journal_backlog", refusal(() -> intake(batch)).error().code());
      ApiException refused;
      ApiException refusedAgain;
      Duration firstTook;
      Duration secondTook;
      own.stopAll();
      try {
        long started = System.nanoTime();
        refused = refusal(() -> journal.append(batch));
        firstTook = Duration.ofNanos(System.nanoTime() - started);
        started = System.nanoTime();
        refusedAgain = refusal(() -> intake(batch));
        secondTook = Duration.ofNanos(System.nanoTime() - started);
      } finally {
        own.startAll();
      }

      assertEquals(HttpStatus.SERVICE_UNAVAILABLE, refused.error().status());
      assertEquals("journal_unavailable", refused.error().code());
      assertEquals(0, journaledSeqs("down-0", "down-49").size(), "no id written");
      // known down, refused before the back-pressure's look-up of the topic's offsets, which would
      // have waited 2 s for the brokers and answered journal_backlog from the ends it last read
      assertEquals(HttpStatus.SERVICE_UNAVAILABLE, refusedAgain.error().status());
      assertEquals("journal_unavailable", refusedAgain.error().code());
      assertTrue(
          secondTook.multipliedBy(10).compareTo(firstTook) < 0,
          "the second refusal took " + secondTook + ", the first " + firstTook);
      Appended accepted =
          Await.await(
              Duration.ofSeconds(30),
              Duration.ofMillis(200),
              "the same batch accepted by the same journal once the broker is back",
              () -> {
                try {
                  return journal.append(batch);
                } catch (ApiException notYet) {
                  return null;
                }
              },
              appended -> appended != null);
      assertEquals(50, accepted.seqs().size());
      assertEquals(
          "journal_backlog",
          refusal(() -> intake(batch)).error().code(),
          "the outage over, the back-pressure answers again");
    }

    private ApiException refusal(Runnable intake) {
      return assertThrows(ApiException.class, intake::run);
    }
  }

  // --- the topic and the database, read as they are

  private List<String> journaledSeqs(String... ids) throws Exception {
    List<String> seqs = new ArrayList<>();
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement statement =
            Sql.prepare(
                connection,
                "SELECT seq FROM host_journal WHERE event_id = ANY(?) ORDER BY event_id",
                connection.createArrayOf("text", ids));
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        seqs.add(String.valueOf(rows.getObject(1)));
      }
    }
    return seqs;
  }

  /** Drops a database with its connections, as a database that went away. */
  private static void dropDatabase(String url) throws Exception {
    String name = url.replaceAll(".*/([^/?]+)\\?.*", "$1");
    String postgres = url.replace("/" + name + "?", "/postgres?");
    try (Database server = Database.external(postgres, Map.of());
        Connection connection = server.dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE " + name + " WITH (FORCE)");
    }
  }

  private long recordsInTopic() {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      return consumer.endOffsets(partitions()).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private List<ConsumerRecord<byte[], byte[]>> readTopic() {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      List<TopicPartition> partitions = partitions();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      Await.await(
          Duration.ofSeconds(30),
          Duration.ofMillis(1),
          "every record of the topic read",
          () -> {
            consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
          });
    }
    return records;
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed"),
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  private static List<TopicPartition> partitions() {
    return IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
  }

  private static ConsumerRecord<byte[], byte[]> recordOf(
      List<ConsumerRecord<byte[], byte[]>> records, String eventId) {
    List<ConsumerRecord<byte[], byte[]>> found =
        records.stream().filter(r -> eventId.equals(eventId(r))).toList();
    assertEquals(1, found.size(), eventId);
    return found.get(0);
  }

  private static String eventId(ConsumerRecord<byte[], byte[]> record) {
    Header header = record.headers().lastHeader(JournalRecords.EVENT_ID);
    assertNotNull(header, "an event_id header");
    return new String(header.value(), StandardCharsets.UTF_8);
  }
}

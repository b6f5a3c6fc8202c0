package io.streamspace.host.journal.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.common.db.Sql;
import io.streamspace.common.http.ApiException;
import io.streamspace.host.deadletters.DeadLetterStore;
import io.streamspace.host.journal.Appended;
import io.streamspace.host.journal.EventHandoff;
import io.streamspace.host.journal.EventJournal;
import io.streamspace.host.journal.JournalEntry;
import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.host.plugins.JournalLag;
import io.streamspace.host.support.LogCapture;
import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.testing.Await;
import io.streamspace.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The Kafka journal's consumers on a real broker in this JVM (the one test classes share) and the
 * host's PostgreSQL: each plugin is handed the records in order per account and its place moves
 * only after its flush; a crash between the flush and the place's store hands the round again,
 * which natural keys make harmless; the journal's index writes each id once, a plugin is handed
 * its first copy alone, and another body under it is set aside; a round the index has passed in
 * part hands that part and reads the rest again; a plugin seen first starts from now; a rewind
 * hands the records since a time again; the lag is counted per partition.
 */
class KafkaConsumersTest extends KafkaConsumersFixture {
  @Test
  void recordsAreHandedInOrderPerAccount_andThePlaceMovesOnlyAfterTheFlush() throws Exception {
    String topic = topic(3);
    HeldFlushes plugin = new HeldFlushes();
    CompletableFuture<Void> firstFlush = new CompletableFuture<>();
    plugin.next = firstFlush;
    Recording recording = new Recording();
    try (KafkaConsumers consumers = consumers(topic, recording, database.dataSource(), "node-1")) {
      consumers.started(new ActivePlugin("ordered", plugin, null));
      Map<Integer, Long> start = awaitPositioned("ordered", topic, 3);

      Map<Integer, Long> last = new HashMap<>();
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        String account = "acct-" + (i % 3);
        RecordMetadata written = send(topic, entry("ordered-" + i, account));
        last.merge(written.partition(), written.offset(), Math::max);
        sent.add("ordered-" + i);
      }

      Await.await(WAIT, POLL, "a first round handed", () -> !recording.handed.isEmpty());
      assertEquals(start, places("ordered", topic), "its flush is held: no place has moved");
      assertTrue(!consumers.awaitConsumed(last, Duration.ofMillis(200)), "not consumed yet");

      firstFlush.complete(null);
      assertTrue(consumers.awaitConsumed(last, WAIT), "consumed once the flush completed");
      Map<Integer, Long> ends = new TreeMap<>();
      last.forEach((partition, offset) -> ends.put(partition, offset + 1));
      assertEquals(withZeros(ends, 3), places("ordered", topic));
      assertEquals(sent.size(), recording.handed.size(), "each record handed once");
      for (int account = 0; account < 3; account++) {
        String key = "acct-" + account;
        List<String> inOrder = sent.stream().filter(id -> accountOf(id).equals(key)).toList();
        List<String> handedOfAccount =
            recording.ids().stream().filter(id -> accountOf(id).equals(key)).toList();
        assertEquals(inOrder, handedOfAccount, "the events of " + key + " in order");
      }
    }
  }

  @Test
  void whileThisNodesIntakeJournalsABatch_aConsumerRestsAfterARoundTwiceAsLongAsItTook()
      throws Exception {
    Duration after = nextHandedAfterAHeldRound(true);
    assertTrue(after.toMillis() >= 800, "handed " + after.toMillis() + " ms after the flush");
  }

  @Test
  void withIntakeFirstSwitchedOff_aConsumerDoesNotRestWhileIntakeJournals() throws Exception {
    Duration after = nextHandedAfterAHeldRound(false);
    assertTrue(after.toMillis() < 800, "handed " + after.toMillis() + " ms after the flush");
  }

  /**
   * How long after a round held 400 ms (its flush) the next record is handed, while this node's
   * intake journals a batch.
   */
  private Duration nextHandedAfterAHeldRound(boolean intakeFirst) throws Exception {
    String topic = topic(1);
    HeldFlushes plugin = new HeldFlushes();
    Recording recording = new Recording();
    CompletableFuture<Void> journaling = new CompletableFuture<>();
    CompletableFuture<Void> journaled = new CompletableFuture<>();
    // the records are journaled by the real clock, after the consumers' clock (NOW): each round
    // is within 30 s of the journal's end, where consumers rest
    try (KafkaConsumers consumers =
        consumers(settings(topic, intakeFirst), recording, database.dataSource(), "node-1")) {
      consumers.started(new ActivePlugin("resting", plugin, null));
      awaitPositioned("resting", topic, 1);
      CompletableFuture<Appended> batch =
          CompletableFuture.supplyAsync(
              () ->
                  consumers.appending(
                      () -> {
                        journaling.complete(null);
                        journaled.join();
                        return new Appended(Map.of(), Map.of(), 0, List.of());
                      }));
      try {
        journaling.join(); // intake is busy from here on
        CompletableFuture<Void> flush = new CompletableFuture<>();
        plugin.next = flush;
        send(topic, entry("resting-0", "acct-0"));
        Await.await(WAIT, POLL, "the first round handed", () -> !recording.handed.isEmpty());
        // the round's flush is held 400 ms, so that its consumer rests 800 ms or more after it
        Thread.sleep(400);
        long flushed = System.nanoTime();
        flush.complete(null);
        send(topic, entry("resting-1", "acct-0"));
        Await.await(WAIT, POLL, "the next record handed", () -> recording.handed.size() == 2);
        return Duration.ofNanos(System.nanoTime() - flushed);
      } finally {
        journaled.complete(null);
        batch.join();
      }
    }
  }

  @Test
  void aRoundTheIndexHasPassedInPart_handsThatPart_andTheRestOnceTheIndexPassesIt()
      throws Exception {
    String topic = topic(1);
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      sendTo(topic, 0, entry("partial-" + i, "acct-0"));
      sent.add("partial-" + i);
    }
    // no index runs here: its place is set by hand, past the first three records
    KafkaPlaces places = new KafkaPlaces(database.dataSource(), topic);
    places.set(KafkaPlaces.INDEX, Map.of(0, 3L), NOW);
    places.set("partial", Map.of(0, 0L), NOW);
    FirstCopies firstCopies = new FirstCopies(database.dataSource(), topic, Duration.ofMillis(300));
    Recording recording = new Recording();
    PluginConsumer consumer = pluginConsumer("partial", topic, places, recording, firstCopies);
    consumer.start();
    try {
      Await.await(WAIT, POLL, "the passed part handed", () -> recording.handed.size() == 3);
      assertEquals(sent.subList(0, 3), recording.ids(), "the three the index passed, in order");
      Await.await(WAIT, POLL, "its place stored", () -> places("partial", topic).get(0) == 3L);

      places.set(KafkaPlaces.INDEX, Map.of(0, 6L), NOW);
      firstCopies.indexAdvanced();
      Await.await(WAIT, POLL, "the rest handed", () -> places("partial", topic).get(0) == 6L);
      assertEquals(sent, recording.ids(), "each record handed once, in order");
    } finally {
      consumer.stop();
    }
  }

  /**
   * A second copy is rare, so a plugin's round reads the entries of its ids only up to the last
   * record the index did not take as its event's first copy: past it, an entry naming another
   * record (here put in by hand) is not read, and the record is handed.
   */
  @Test
  void aRoundReadsTheEntriesOfItsIdsOnlyUpToTheLastSecondCopyTheIndexFound() throws Exception {
    String topic = topic(1);
    sendTo(topic, 0, entry("repeat-0", "acct-0"));
    sendTo(topic, 0, entry("repeat-1", "acct-0"));
    execute(
        "INSERT INTO host_journal (seq, journaled_at, event_id, event_type, occurred_at, user_id,"
            + " body, kafka_partition, kafka_offset) SELECT nextval('host_journal_seq'), now(),"
            + " 'repeat-1', 'session.heartbeat', now(), 'user-acct-0', '{}', 0, 99");
    KafkaPlaces places = new KafkaPlaces(database.dataSource(), topic);
    places.set(KafkaPlaces.INDEX, Map.of(0, 2L), NOW);

    // the index found no second copy: both handed, repeat-1's entry unread
    assertEquals(List.of("repeat-0", "repeat-1"), handedUpTo(2, "no-repeat", topic, places));

    // the index found one at offset 0: repeat-1's entry is still unread
    execute("UPDATE host_kafka_offsets SET last_repeat = 0 WHERE topic = '" + topic + "'");
    assertEquals(List.of("repeat-0", "repeat-1"), handedUpTo(2, "a-repeat-before", topic, places));

    // the index found one at offset 1: its entry is read, and names another record
    execute("UPDATE host_kafka_offsets SET last_repeat = 1 WHERE topic = '" + topic + "'");
    assertEquals(List.of("repeat-0"), handedUpTo(2, "a-repeat", topic, places));
  }

  /** What a plugin's consumer started at the topic's start hands until its place is {@code end}. */
  private List<String> handedUpTo(long end, String pluginId, String topic, KafkaPlaces places)
      throws Exception {
    places.set(pluginId, Map.of(0, 0L), NOW);
    Recording recording = new Recording();
    PluginConsumer consumer =
        pluginConsumer(
            pluginId,
            topic,
            places,
            recording,
            new FirstCopies(database.dataSource(), topic, FirstCopies.INDEX_WAIT));
    consumer.start();
    try {
      Await.await(WAIT, POLL, "its place at the end", () -> places(pluginId, topic).get(0) == end);
      return recording.ids();
    } finally {
      consumer.stop();
    }
  }

  /** A plugin's consumer of its own, with no index running: the test sets the index's places. */
  private PluginConsumer pluginConsumer(
      String pluginId,
      String topic,
      KafkaPlaces places,
      EventHandoff handoff,
      FirstCopies firstCopies) {
    MutableClock clock = new MutableClock(NOW);
    return new PluginConsumer(
        new ActivePlugin(pluginId, new HeldFlushes(), null),
        topic,
        pluginConsumerProperties(pluginId),
        places,
        handoff,
        firstCopies,
        clock,
        new IntakeFirst(clock, true));
  }

  private Properties pluginConsumerProperties(String pluginId) {
    Properties properties = new Properties();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaConsumers.groupOf(pluginId));
    properties.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    properties.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return properties;
  }

  /**
   * A plugin that keeps what it was handed by natural key (the event's id), and makes it durable
   * in {@code flush()}; told to, the database goes away right after the flush that makes the last
   * of them durable, as if the node died between the plugin's commit and the store of its place.
   */
  static final class NaturalKeys implements PlatformPlugin, EventHandoff {
    final Map<String, Integer> pending = new ConcurrentHashMap<>();
    final Map<String, Integer> durable = new ConcurrentHashMap<>();
    final AtomicInteger handings = new AtomicInteger();
    final AtomicBoolean crashAfterFlushOfAll = new AtomicBoolean();
    final AtomicBoolean databaseDown;
    final int all;

    NaturalKeys(AtomicBoolean databaseDown, int all) {
      this.databaseDown = databaseDown;
      this.all = all;
    }

    @Override
    public void handOff(EventJournal.Journaled journaled, ActivePlugin plugin) {
      handings.incrementAndGet();
      pending.merge(journaled.entry().eventId(), 1, Integer::sum);
    }

    @Override
    public CompletionStage<Void> flush() {
      // an upsert by event id: a second delivery leaves one row
      pending.keySet().forEach(id -> durable.put(id, 1));
      pending.clear();
      if (durable.size() == all && crashAfterFlushOfAll.getAndSet(false)) {
        databaseDown.set(true);
      }
      return CompletableFuture.completedFuture(null);
    }
  }

  @Test
  void aCrashAfterTheFlushBeforeThePlaceIsStored_handsTheRoundAgain_andNaturalKeysKeepEachOnce()
      throws Exception {
    String topic = topic(1);
    AtomicBoolean databaseDown = new AtomicBoolean();
    DataSource failing = failingWhen(database.dataSource(), databaseDown);
    NaturalKeys plugin = new NaturalKeys(databaseDown, 5);
    for (int i = 0; i < 5; i++) {
      send(topic, entry("keyed-" + i, "acct-1"));
    }
    try (KafkaConsumers consumers = consumers(topic, plugin, failing, "node-1")) {
      assertEquals(Map.of(0, -1L), consumers.rewind("keyed", Instant.EPOCH));
      plugin.crashAfterFlushOfAll.set(true);
      consumers.started(new ActivePlugin("keyed", plugin, null));
      Await.await(WAIT, POLL, "every record flushed", () -> databaseDown.get());
      // the node dies here: the place of its last round is not stored
    }
    databaseDown.set(false);
    long placeAtCrash = places("keyed", topic).get(0);
    assertTrue(placeAtCrash < 5, "the last round's place was not stored");
    int handedBeforeCrash = plugin.handings.get();
    assertEquals(5, handedBeforeCrash);

    try (KafkaConsumers restarted = consumers(topic, plugin, failing, "node-2")) {
      restarted.started(new ActivePlugin("keyed", plugin, null));
      Await.await(WAIT, POLL, "the place past the round", () -> places("keyed", topic).get(0) == 5);
    }
    assertEquals(5 + (5 - placeAtCrash), plugin.handings.get(), "the last round was handed again");
    assertEquals(
        List.of("keyed-0", "keyed-1", "keyed-2", "keyed-3", "keyed-4"),
        plugin.durable.keySet().stream().sorted().toList());
    assertTrue(plugin.durable.values().stream().allMatch(count -> count == 1), "each once");
  }

  @Test
  void aFailedFlushOrAnOutageAtTheStore_handsTheRoundAgainFromItsStoredPlace_withoutARestart()
      throws Exception {
    String topic = topic(1);
    for (int i = 0; i < 3; i++) {
      send(topic, entry("retried-" + i, "acct-1"));
    }
    AtomicBoolean databaseDown = new AtomicBoolean();
    NaturalKeys plugin = new NaturalKeys(databaseDown, 5);
    CompletableFuture<Void> refused = new CompletableFuture<>();
    refused.completeExceptionally(new IllegalStateException("the plugin's store refused"));
    FailingFirstFlush failingFirst = new FailingFirstFlush(plugin, refused);
    try (KafkaConsumers consumers =
        consumers(topic, plugin, failingWhen(database.dataSource(), databaseDown), "node-1")) {
      consumers.rewind("retried", Instant.EPOCH);
      consumers.started(new ActivePlugin("retried", failingFirst, null));
      Await.await(
          WAIT, POLL, "the place past the round", () -> places("retried", topic).get(0) == 3);
      assertEquals(6, plugin.handings.get(), "the round whose flush failed was handed again");

      plugin.crashAfterFlushOfAll.set(true);
      send(topic, entry("retried-3", "acct-1"));
      send(topic, entry("retried-4", "acct-1"));
      Await.await(WAIT, POLL, "the database down after the flush", databaseDown::get);
      long placeInOutage = places("retried", topic).get(0);
      int handedInOutage = plugin.handings.get();
      databaseDown.set(false);

      Await.await(
          WAIT, POLL, "the place past the round", () -> places("retried", topic).get(0) == 5);
      assertEquals(
          handedInOutage + (5 - placeInOutage),
          plugin.handings.get(),
          "handed again from the stored place once the database came back");
    }
    assertEquals(5, plugin.durable.size());
    assertTrue(plugin.durable.values().stream().allMatch(count -> count == 1), "each once");
  }

  /** A plugin whose first flush answers with a failure, then flushes as {@code plugin} does. */
  static final class FailingFirstFlush implements PlatformPlugin {
    final PlatformPlugin plugin;
    final AtomicReference<CompletableFuture<Void>> first;

    FailingFirstFlush(PlatformPlugin plugin, CompletableFuture<Void> failure) {
      this.plugin = plugin;
      this.first = new AtomicReference<>(failure);
    }

    @Override
    public CompletionStage<Void> flush() {
      CompletableFuture<Void> failure = first.getAndSet(null);
      if (failure != null) {
        // what was handed is lost with the failed flush
        return failure;
      }
      return plugin.flush();
    }
  }

  /**
   * A record whose event this node keeps parsed is handed by its position and id without being
   * decoded (shown by one whose other headers would not read); any other is read whole.
   */
  @Test
  void recordsKeptParsedAreHandedByPositionAndIdUndecoded_othersAreReadWhole() throws Exception {
    String topic = topic(1);
    KeepsSome handoff = new KeepsSome(Set.of("kept-1", "kept-2"));
    try (KafkaConsumers consumers = consumers(topic, handoff, database.dataSource(), "node-1")) {
      consumers.started(new ActivePlugin("keeping", new HeldFlushes(), null));
      awaitPositioned("keeping", topic, 1);

      send(topic, entry("kept-1", "acct-k"));
      Headers onlyItsId = new RecordHeaders();
      onlyItsId.add(JournalRecords.EVENT_ID, "kept-2".getBytes(StandardCharsets.UTF_8));
      onlyItsId.add(JournalRecords.OCCURRED_AT, "not a time".getBytes(StandardCharsets.UTF_8));
      producer
          .send(
              new ProducerRecord<>(
                  topic,
                  null,
                  Instant.now().toEpochMilli(),
                  "acct-k".getBytes(StandardCharsets.UTF_8),
                  "{}".getBytes(StandardCharsets.UTF_8),
                  onlyItsId))
          .get();
      RecordMetadata last = send(topic, entry("read-3", "acct-k"));

      assertTrue(consumers.awaitConsumed(Map.of(last.partition(), last.offset()), WAIT));
      assertEquals(List.of("kept kept-1", "kept kept-2", "read read-3"), handoff.handed);
    }
  }

  @Test
  void theJournalsIndexWritesEachIdOnce_evenWhenTheTopicHoldsItTwice() throws Exception {
    String topic = topic(2);
    Map<Integer, Long> ends = new TreeMap<>();
    Map<String, String> firstCopies = new TreeMap<>();
    // by partition, the last record that is not its event's first copy
    Map<String, String> lastRepeats = new TreeMap<>(Map.of("0", "none", "1", "none"));
    // a second copy of index-1 in the same round
    for (String id : List.of("index-1", "index-2", "index-1")) {
      RecordMetadata written = send(topic, entry(id, "acct-" + id));
      ends.merge(written.partition(), written.offset() + 1, Math::max);
      if (firstCopies.putIfAbsent(id, written.partition() + "@" + written.offset()) != null) {
        lastRepeats.put(Integer.toString(written.partition()), Long.toString(written.offset()));
      }
    }

    try (KafkaConsumers consumers =
        consumers(topic, new Recording(), database.dataSource(), "node-1")) {
      Await.await(
          WAIT,
          POLL,
          "the index past every record",
          () -> places(KafkaPlaces.INDEX, topic).equals(withZeros(ends, 2)));
      Map<String, Long> firstIndexed = indexed();
      // and a copy of index-2 in a later round
      RecordMetadata again = send(topic, entry("index-2", "acct-index-2"));
      Await.await(
          WAIT,
          POLL,
          "the index past the copy",
          () -> places(KafkaPlaces.INDEX, topic).get(again.partition()) == again.offset() + 1);
      assertEquals(firstIndexed, indexed(), "the copy was not indexed again");
      lastRepeats.put(Integer.toString(again.partition()), Long.toString(again.offset()));
      // then a first copy in each partition, after its repeats: the last repeat stays
      for (String account : List.of("acct-index-1", "acct-index-2")) {
        RecordMetadata first = send(topic, otherUsersEntry("after-" + account, account));
        Await.await(
            WAIT,
            POLL,
            "the index past the first copy",
            () -> places(KafkaPlaces.INDEX, topic).get(first.partition()) == first.offset() + 1);
      }
    }
    assertEquals(
        lastRepeats,
        texts(
            "SELECT partition::text, coalesce(last_repeat::text, 'none') FROM host_kafka_offsets"
                + " WHERE consumer = '#index' AND topic = '"
                + topic
                + "'"),
        "the index records, by partition, the last record that is not its event's first copy");

    Map<String, Long> journaled = indexed();
    assertEquals(List.of("index-1", "index-2"), List.copyOf(journaled.keySet()), "each once");
    assertEquals(
        firstCopies,
        texts(
            "SELECT event_id, kafka_partition || '@' || kafka_offset FROM host_journal"
                + " WHERE event_id LIKE 'index-%'"),
        "each entry names its first copy, the record the plugins are handed");
    assertEquals(
        Map.of(),
        query("SELECT event_id, seq FROM host_event_ids WHERE event_id LIKE 'index-%'"),
        "one row an event: no id row beside the entry");
    List<EventJournal.Journaled> found =
        new EventJournal(database.dataSource(), new MutableClock(NOW))
            .find("user-acct-index-1", null, NOW.minusSeconds(60), NOW.plusSeconds(60), 10, 0);
    assertEquals(List.of("index-1"), found.stream().map(j -> j.entry().eventId()).toList());
  }

  /**
   * What two intakes racing past the look-up of the ids leave in the topic: an event twice, and
   * another body under its id. The index keeps the first copy, the plugin is handed it alone, and
   * the other body is set aside with the reason, never applied.
   */
  @Test
  void aPluginIsHandedTheFirstCopyAlone_andAnotherBodyUnderItsIdIsSetAsideAsADeadLetter()
      throws Exception {
    String topic = topic(1);
    Recording recording = new Recording();
    JournalEntry first = entry("raced-1", "acct-r");
    JournalEntry otherBody =
        new JournalEntry(
            "raced-1",
            "session.heartbeat",
            NOW,
            "user-acct-r",
            "s-acct-r",
            "{\"id\":\"raced-1\",\"other\":true}",
            "acct-r");
    try (KafkaConsumers consumers = consumers(topic, recording, database.dataSource(), "node-1")) {
      consumers.started(new ActivePlugin("first-copies", new HeldFlushes(), null));
      awaitPositioned("first-copies", topic, 1);

      send(topic, first);
      send(topic, first);
      send(topic, otherBody);
      RecordMetadata last = send(topic, entry("raced-2", "acct-r"));
      assertTrue(consumers.awaitConsumed(Map.of(0, last.offset()), WAIT));
    }

    assertEquals(List.of("raced-1", "raced-2"), recording.ids(), "each event handed once");
    assertEquals(0L, recording.handed.get(0).seq(), "the first copy");
    assertEquals(first.body(), recording.handed.get(0).entry().body());
    Map<String, Long> journaled =
        query("SELECT body, seq FROM host_journal WHERE event_id = 'raced-1'");
    assertEquals(Set.of(first.body()), journaled.keySet(), "the first body journaled, once");
    Map<String, Long> setAside =
        query(
            "SELECT plugin_id || ' ' || event || ' ' || reason, journal_id FROM host_dead_letters"
                + " WHERE event_id = 'raced-1'");
    assertEquals(
        Map.of(
            DeadLetterStore.JOURNAL
                + " "
                + otherBody.body()
                + " "
                + JournalIndexConsumer.CONFLICT_REASON,
            journaled.get(first.body())),
        setAside,
        "the other body kept aside, pointing at the event accepted under its id");
  }

  @Test
  void theIndexsLagIsWhatTheTopicHoldsPastItsPlaces_perPartition_andZeroOnceWritten()
      throws Exception {
    String topic = topic(2);
    RecordMetadata first = send(topic, entry("index-lag-0", "acct-a"));
    try (KafkaConsumers consumers =
        consumers(topic, new Recording(), database.dataSource(), "node-1")) {
      Await.await(
          WAIT,
          POLL,
          "the index past the first record, its places stored in both partitions",
          () ->
              places(KafkaPlaces.INDEX, topic).equals(withZeros(Map.of(first.partition(), 1L), 2)));
      JournalLag caughtUp = consumers.indexLag();
      assertEquals(0, caughtUp.events());
      assertEquals(
          List.of(0L, 0L),
          caughtUp.partitions().stream().map(JournalLag.PartitionLag::events).toList());

      // the index's next round cannot store its places while another transaction holds them
      try (Connection holder = database.dataSource().getConnection()) {
        holder.setAutoCommit(false);
        try (PreparedStatement lock =
            Sql.prepare(
                holder,
                "SELECT * FROM host_kafka_offsets WHERE consumer = ? AND topic = ? FOR UPDATE",
                KafkaPlaces.INDEX,
                topic)) {
          lock.executeQuery().close();
        }
        int other = 1 - first.partition();
        for (int i = 1; i <= 3; i++) {
          sendTo(topic, first.partition(), entry("index-lag-" + i, "acct-a"));
        }
        sendTo(topic, other, entry("index-lag-4", "acct-b"));

        JournalLag behind =
            Await.await(
                WAIT,
                POLL,
                "the index 4 records behind",
                consumers::indexLag,
                l -> l.events() == 4);
        assertEquals(3, partitionEvents(behind, first.partition()));
        assertEquals(1, partitionEvents(behind, other));
        holder.rollback();
      }
      Await.await(WAIT, POLL, "the index caught up", consumers::indexLag, l -> l.events() == 0);
    }
  }

  private static long partitionEvents(JournalLag lag, int partition) {
    return lag.partitions().stream()
        .filter(p -> p.partition() == partition)
        .findFirst()
        .orElseThrow()
        .events();
  }

  /** Journals {@code entry} now, into {@code partition} whatever its key. */
  private void sendTo(String topic, int partition, JournalEntry entry) throws Exception {
    ProducerRecord<byte[], byte[]> record = JournalRecords.record(topic, entry, Instant.now());
    producer
        .send(
            new ProducerRecord<>(
                topic,
                partition,
                record.timestamp(),
                record.key(),
                record.value(),
                record.headers()))
        .get();
  }

  private Map<String, Long> indexed() throws SQLException {
    return query(
        "SELECT event_id, seq FROM host_journal WHERE event_id LIKE 'index-%' ORDER BY event_id");
  }

  @Test
  void aPluginSeenFirstStartsFromTheEnd_andItsPlaceIsStoredAtOnce() throws Exception {
    String topic = topic(1);
    for (int i = 0; i < 5; i++) {
      send(topic, entry("before-" + i, "acct-1"));
    }
    Recording recording = new Recording();
    try (KafkaConsumers consumers = consumers(topic, recording, database.dataSource(), "node-1")) {
      consumers.started(new ActivePlugin("newcomer", new HeldFlushes(), null));
      assertEquals(Map.of(0, 5L), awaitPositioned("newcomer", topic, 1), "stored at the end");
      for (int i = 0; i < 3; i++) {
        send(topic, entry("after-" + i, "acct-1"));
      }
      assertTrue(consumers.awaitConsumed(Map.of(0, 7L), WAIT));
    }
    // one partition: anything earlier would have been handed first
    assertEquals(List.of("after-0", "after-1", "after-2"), recording.ids());
  }

  @Test
  void aPluginAwayPastTheTopicsRetention_goesOnFromTheFirstRecordKept_andSaysHowManyItMissed()
      throws Exception {
    String topic = topic(1);
    Recording recording = new Recording();
    try (KafkaConsumers consumers = consumers(topic, recording, database.dataSource(), "node-1")) {
      consumers.started(new ActivePlugin("away", new HeldFlushes(), null));
      assertEquals(Map.of(0, 0L), awaitPositioned("away", topic, 1));
      consumers.stopping("away");
      for (int i = 0; i < 5; i++) {
        send(topic, entry("kept-" + i, "acct-1"));
      }
      // the retention deletes the first three while the plugin is away
      try (Admin admin = kafka.admin()) {
        admin
            .deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(3)))
            .all()
            .get(10, TimeUnit.SECONDS);
      }

      List<String> logged =
          LogCapture.during(
              () -> {
                consumers.started(new ActivePlugin("away", new HeldFlushes(), null));
                Await.await(
                    WAIT, POLL, "the kept records handed", () -> recording.handed.size() == 2);
              });

      assertEquals(List.of("kept-3", "kept-4"), recording.ids());
      assertTrue(
          logged.stream()
              .anyMatch(
                  line ->
                      line.startsWith(
                          "ERROR Kafka journal consumer away: 3 records of partition 0")),
          String.join("\n", logged));
    }
  }

  @Test
  void aRewindFromATimeHandsTheRecordsJournaledSinceAgain() throws Exception {
    String topic = topic(1);
    // the broker takes timestamps up to an hour ahead; these are behind the broker's clock
    Instant earlier = Instant.now().minus(Duration.ofHours(2));
    Instant later = Instant.now().minus(Duration.ofHours(1));
    for (int i = 0; i < 3; i++) {
      send(topic, entry("early-" + i, "acct-1"), earlier);
    }
    for (int i = 0; i < 3; i++) {
      send(topic, entry("late-" + i, "acct-1"), later);
    }
    Recording recording = new Recording();
    try (KafkaConsumers consumers = consumers(topic, recording, database.dataSource(), "node-1")) {
      // never started: its first start hands it what was journaled since
      assertEquals(Map.of(0, 2L), consumers.rewind("rewound", later));
      consumers.started(new ActivePlugin("rewound", new HeldFlushes(), null));
      assertTrue(consumers.awaitConsumed(Map.of(0, 5L), WAIT));
      Await.await(WAIT, POLL, "the later records handed", () -> recording.handed.size() == 3);
      assertEquals(List.of("late-0", "late-1", "late-2"), recording.ids());

      consumers.stopping("rewound");
      assertEquals(Map.of(0, -1L), consumers.rewind("rewound", earlier.minusSeconds(1)));
      assertEquals(Map.of(0, 0L), places("rewound", topic), "set back, not only forward");
      consumers.started(new ActivePlugin("rewound", new HeldFlushes(), null));
      Await.await(WAIT, POLL, "everything handed again", () -> recording.handed.size() == 9);
    }
    assertEquals(
        List.of("early-0", "early-1", "early-2", "late-0", "late-1", "late-2"),
        recording.ids().subList(3, 9));
  }

  /**
   * The lag in records and seconds; and intake's back-pressure, which counts time: a backlog is
   * refused only once a record has waited longer than the bound (a day here), however many wait.
   */
  @Test
  void theLagOfEachPartitionIsWhatWasProducedLessWhatWasConsumed_andIntakePushesBackByItsAge()
      throws Exception {
    String topic = topic(3);
    MutableClock clock = new MutableClock(NOW);
    execute(
        "INSERT INTO host_plugins (plugin_id, installed, enabled, updated_at)"
            + " VALUES ('lagging', true, true, now())");
    try (KafkaConsumers consumers =
        new KafkaConsumers(
            settings(topic),
            database.dataSource(),
            new Recording(),
            clock,
            "node-1",
            Duration.ofDays(1))) {
      consumers.started(new ActivePlugin("lagging", new HeldFlushes(), null));
      awaitPositioned("lagging", topic, 3);
      Await.await(
          WAIT,
          POLL,
          "node-1 consumes every partition",
          () -> "node-1".equals(consumers.of(List.of("lagging")).get("lagging").consumer()));
      consumers.stopping("lagging");
      int[] produced = {4, 0, 2};
      for (int partition = 0; partition < 3; partition++) {
        for (int i = 0; i < produced[partition]; i++) {
          sendTo(topic, partition, entry("lag-" + partition + "-" + i, "acct-1"));
        }
      }
      clock.advance(Duration.ofSeconds(40));

      JournalLag lag =
          Await.await(
              WAIT,
              POLL,
              "the lag of what was produced",
              () -> consumers.of(List.of("lagging")).get("lagging"),
              l -> l.events() == 6 && l.consumer() == null);
      assertEquals(
          List.of(
              new JournalLag.PartitionLag(0, 4, null),
              new JournalLag.PartitionLag(1, 0, null),
              new JournalLag.PartitionLag(2, 2, null)),
          lag.partitions(),
          "nobody consumes it now");
      assertEquals(40, lag.seconds(), "its places have not moved for 40 s while records wait");
      consumers.refuseWhenTooFarBehind(); // 6 records behind, none older than a day
      // the records are timed by the real clock (send): a day and a minute after them
      clock.set(Instant.now().plus(Duration.ofDays(1)).plusSeconds(60));
      ApiException refused =
          Await.await(
              WAIT,
              POLL,
              "the back-pressure's next look (at most once a second)",
              () -> {
                try {
                  consumers.refuseWhenTooFarBehind();
                  return null;
                } catch (ApiException e) {
                  return e;
                }
              },
              e -> e != null);
      assertEquals("journal_backlog", refused.error().code());
      assertTrue(
          refused
              .getMessage()
              .contains("6 events behind the journal (none journaled over 24 hours"),
          refused.getMessage());

      consumers.started(new ActivePlugin("lagging", new HeldFlushes(), null));
      JournalLag caughtUp =
          Await.await(
              WAIT,
              POLL,
              "the lag consumed",
              () -> consumers.of(List.of("lagging")).get("lagging"),
              l -> l.events() == 0 && "node-1".equals(l.consumer()));
      assertEquals(0, caughtUp.seconds());
      assertEquals(
          List.of(0L, 0L, 0L),
          caughtUp.partitions().stream().map(JournalLag.PartitionLag::events).toList());
    }
  }
}

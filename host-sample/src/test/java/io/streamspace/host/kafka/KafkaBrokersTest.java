package io.streamspace.host.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.streamspace.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The brokers the Kafka journal's tests run on are real ones, and their faults are real: records
 * acknowledged with {@code acks=all} are read back by a consumer group, once each, across a broker
 * crashed under a producer, and a producer gets no acknowledgment while every broker is down.
 */
class KafkaBrokersTest {

  @Nested
  class OneBroker {

    private final KafkaBrokers kafka = KafkaBrokers.shared();

    @Test
    void anIdempotentProducerWithAcksAllSendsRecordsThatAConsumerGroupReadsBack() throws Exception {
      kafka.createTopic("one-broker", 2, 1, Map.of());
      List<String> sent = new ArrayList<>();
      try (KafkaProducer<String, String> producer = producer(kafka, Map.of())) {
        for (int i = 0; i < 100; i++) {
          String value = "event-" + i;
          producer.send(new ProducerRecord<>("one-broker", "org-" + (i % 7), value)).get();
          sent.add(value);
        }
      }

      Map<String, Integer> read = readBack(kafka, "one-broker", "one-broker-readers", sent.size());

      assertEquals(counted(sent), read);
    }

    /**
     * Tests run on clocks set in the past, so their records are older than a topic's retention:
     * the brokers run no retention check in a test's time, neither the first (30 s after a
     * broker starts, by default) nor the next.
     */
    @Test
    void theBrokersCheckRetentionADayAfterTheyStart_notWhileATestReadsItsOldRecords()
        throws Exception {
      ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "0");
      Config config;
      try (Admin admin = kafka.admin()) {
        config = admin.describeConfigs(List.of(broker)).all().get().get(broker);
      }

      String day = Long.toString(Duration.ofDays(1).toMillis());
      assertEquals(day, config.get("log.initial.task.delay.ms").value());
      assertEquals(day, config.get("log.retention.check.interval.ms").value());
    }

    @Test
    void theSharedBrokerIsOneForTheWholeJvm_andNeitherStoppedNorClosedByATest() throws Exception {
      KafkaBrokers again = KafkaBrokers.shared();
      again.close();

      assertSame(kafka, again);
      assertThrows(IllegalStateException.class, () -> again.stopBroker(0));
      kafka.createTopic("still-running", 1, 1, Map.of());
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class ThreeBrokers {

    private KafkaBrokers kafka;

    @BeforeAll
    void start() {
      kafka = KafkaBrokers.start(3);
    }

    @AfterAll
    void stop() throws Exception {
      kafka.close();
    }

    @Test
    void aBrokerCrashedUnderAnAcksAllProducer_everyAcknowledgedRecordIsReadBackOnce()
        throws Exception {
      String topic = "broker-crashed";
      kafka.createTopic(topic, 3, 3, Map.of("min.insync.replicas", "2"));
      int leader = leaderOfPartitionZero(topic);
      Acknowledgments acknowledged = new Acknowledgments();
      AtomicBoolean sending = new AtomicBoolean(true);
      try (KafkaProducer<String, String> producer = producer(kafka, Map.of())) {
        Thread sender =
            new Thread(() -> sendUntilStopped(producer, topic, sending, acknowledged), "sender");
        sender.start();
        try {
          acknowledged.awaitMore(500, "records acknowledged by three brokers");
          kafka.stopBroker(leader);
          acknowledged.awaitMore(500, "records acknowledged with broker " + leader + " crashed");
          kafka.startBroker(leader);
          kafka.awaitInSync(topic);
          acknowledged.awaitMore(500, "records acknowledged with broker " + leader + " back");
        } finally {
          sending.set(false);
          sender.join();
        }
        assertTimeoutPreemptively(Duration.ofSeconds(30), producer::flush, "flush() stalled");
      }

      assertEquals(0, acknowledged.failures.get(), "sends that failed");
      List<String> values = List.copyOf(acknowledged.values);
      Map<String, Integer> read = readBack(kafka, topic, "broker-crashed-readers", values.size());
      assertEquals(counted(values), read, "every acknowledged record, once");
    }

    @Test
    void allBrokersStopped_aProducerGetsNoAcknowledgment_andTheSameProducerSendsOnceTheyAreBack()
        throws Exception {
      String topic = "all-stopped";
      kafka.createTopic(topic, 1, 3, Map.of("min.insync.replicas", "2"));
      List<String> acknowledged = new ArrayList<>();
      try (KafkaProducer<String, String> producer =
          producer(
              kafka,
              Map.of(
                  ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000,
                  ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2_000,
                  ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000))) {
        producer.send(new ProducerRecord<>(topic, "org-1", "before")).get();
        acknowledged.add("before");

        kafka.stopAll();
        try {
          ExecutionException refused =
              assertThrows(
                  ExecutionException.class,
                  () -> producer.send(new ProducerRecord<>(topic, "org-1", "while-down")).get());
          assertInstanceOf(TimeoutException.class, refused.getCause());
        } finally {
          kafka.startAll();
        }

        // A send that timed out while the brokers came back may still have been written (its
        // answer was what was lost), so each attempt sends a value of its own: an attempt that
        // landed unacknowledged is not read as the acknowledged record doubled.
        AtomicInteger attempts = new AtomicInteger();
        Await.await(
            Duration.ofSeconds(30),
            Duration.ofMillis(100),
            "the same producer acknowledged again",
            () -> {
              String value = "after-" + attempts.incrementAndGet();
              try {
                producer.send(new ProducerRecord<>(topic, "org-1", value)).get();
                acknowledged.add(value);
                return true;
              } catch (ExecutionException notYet) {
                return false;
              }
            });
      }

      String after = acknowledged.get(1);
      Map<String, Integer> read =
          readBack(kafka, topic, "all-stopped-readers", after, values -> values.contains(after));
      assertEquals(1, read.get("before"), "the record acknowledged before, once");
      assertEquals(1, read.get(after), "the record acknowledged after, once");
      assertNull(read.get("while-down"), "nothing written while every broker was down");
      read.forEach(
          (value, times) -> assertEquals(1, times, value + ": each attempt written once at most"));
    }

    private int leaderOfPartitionZero(String topic) throws Exception {
      try (Admin admin = kafka.admin()) {
        return admin
            .describeTopics(Set.of(topic))
            .allTopicNames()
            .get(30, TimeUnit.SECONDS)
            .get(topic)
            .partitions()
            .get(0)
            .leader()
            .id();
      }
    }
  }

  /** The values a producer had acknowledged, and how many of its sends failed. */
  private static final class Acknowledgments {
    final ConcurrentLinkedQueue<String> values = new ConcurrentLinkedQueue<>();
    final AtomicInteger count = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();

    void awaitMore(int more, String what) {
      int target = count.get() + more;
      Await.await(
          Duration.ofSeconds(60),
          Duration.ofMillis(20),
          more + " more " + what,
          () -> count.get() >= target || failures.get() > 0);
      assertEquals(0, failures.get(), "sends that failed while waiting for " + what);
    }
  }

  private static void sendUntilStopped(
      KafkaProducer<String, String> producer,
      String topic,
      AtomicBoolean sending,
      Acknowledgments acknowledged) {
    for (int i = 0; sending.get(); i++) {
      String value = "event-" + i;
      producer.send(
          new ProducerRecord<>(topic, "org-" + (i % 11), value),
          (metadata, error) -> {
            if (error == null) {
              acknowledged.values.add(value);
              acknowledged.count.incrementAndGet();
            } else {
              acknowledged.failures.incrementAndGet();
            }
          });
      if (i % 100 == 99) {
        producer.flush(); // a batch at a time, as the journal's intake sends
      }
    }
  }

  private static KafkaProducer<String, String> producer(
      KafkaBrokers kafka, Map<String, Object> more) {
    Properties settings = new Properties();
    settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    settings.put(ProducerConfig.ACKS_CONFIG, "all");
    settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    settings.putAll(more);
    return new KafkaProducer<>(settings);
  }

  /** Reads {@code topic} from its start in consumer group {@code group} until it has read all. */
  private static Map<String, Integer> readBack(
      KafkaBrokers kafka, String topic, String group, int expected) {
    return readBack(
        kafka, topic, group, expected + " records", values -> values.size() >= expected);
  }

  /**
   * Reads {@code topic} from its start in consumer group {@code group} until {@code read} holds of
   * the values read ({@code what}, for the failure), then reads a little more: anything beyond
   * would be a record doubled.
   */
  private static Map<String, Integer> readBack(
      KafkaBrokers kafka, String topic, String group, String what, Predicate<List<String>> read) {
    Map<String, Object> settings = new HashMap<>();
    settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    settings.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(settings, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      Await.await(
          Duration.ofSeconds(60),
          Duration.ofMillis(1),
          what + " read from " + topic,
          () -> {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
              values.add(record.value());
            }
            return read.test(values);
          });
      // anything beyond what was acknowledged would be a record doubled
      consumer.poll(Duration.ofMillis(500)).forEach(record -> values.add(record.value()));
      consumer.commitSync();
    }
    return counted(values);
  }

  private static Map<String, Integer> counted(List<String> values) {
    return values.stream()
        .collect(Collectors.toMap(Function.identity(), value -> 1, Integer::sum, TreeMap::new));
  }
}

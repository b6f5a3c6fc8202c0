package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.host.HostOptions;
import io.streamspace.host.journal.JournalEntry;
import io.streamspace.host.journal.kafka.JournalRecords;
import io.streamspace.host.journal.kafka.KafkaIntake;
import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.host.journal.kafka.KafkaTopic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The Kafka journal's raw baseline: a plain producer sending as many records as intake journaled,
 * shaped as the journal's ({@link JournalRecords#record}: keyed by account, the body as value, the
 * columns as headers) from the same events, as fast as it can, to a topic of its own made as the
 * journal's (the same partitions, replicas and settings, {@link KafkaTopic#ensure}) on the same
 * brokers. Tuned as the journal's own producer by taking its settings ({@link
 * KafkaIntake#producerProperties}: idempotent, {@code acks=all}, lz4, linger 5 ms, 256 KB
 * batches), from as many threads as intake has clients, each sending a batch of 1,000 and waiting
 * for its acknowledgments before the next, as intake answers a batch once the brokers have it (and
 * as the PostgreSQL baseline commits each batch). What it leaves out is what intake adds: HTTP,
 * parsing and validation, the ids' claim in PostgreSQL, the hand-off to the plugin.
 */
final class ProducerBaseline {

  private static final Duration WITHIN = Duration.ofSeconds(30);

  /**
   * What the producer did.
   *
   * @param time from the first send to the last acknowledgment
   * @param batchNanos each batch's sends and acknowledgments, in nanoseconds
   * @param cpu where the CPU went meanwhile
   * @param valueBytes the records' values' bytes, all together: the same size as the journal's
   */
  record Result(Duration time, List<Long> batchNanos, CpuSplit.Used cpu, long valueBytes) {}

  private ProducerBaseline() {}

  /**
   * Sends batches 0 to {@code batches - 1} of {@code events} as the journal's records, each
   * acknowledged by the brokers, to a new topic beside {@code journal}'s; deletes that topic after.
   *
   * @param postmaster the PostgreSQL server whose CPU is told apart ({@link CpuSplit})
   * @throws IllegalStateException when a record is not acknowledged
   */
  static Result run(
      KafkaSettings journal, int batches, IntFunction<List<ObjectNode>> events, long postmaster)
      throws Exception {
    KafkaSettings baseline =
        new KafkaSettings(
            journal.bootstrapServers(),
            journal.topic() + "-producer-baseline",
            journal.partitions(),
            journal.replicationFactor(),
            journal.clientProperties());
    try (Admin admin = Admin.create(adminProperties(baseline))) {
      KafkaTopic.ensure(admin, baseline, HostOptions.DEFAULT_MAX_EVENT_AGE);
      try (Producer<byte[], byte[]> producer =
          new KafkaProducer<>(KafkaIntake.producerProperties(baseline))) {
        warmUp(producer, baseline, events.apply(0).get(0));
        return send(producer, baseline.topic(), batches, events, postmaster);
      } finally {
        admin
            .deleteTopics(List.of(baseline.topic()))
            .all()
            .get(WITHIN.toSeconds(), TimeUnit.SECONDS);
      }
    }
  }

  private static Map<String, Object> adminProperties(KafkaSettings settings) {
    Map<String, Object> properties = new HashMap<>(settings.clientProperties());
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    return properties;
  }

  /**
   * Sends one record to each partition and waits for it, not measured: a topic just created may
   * not have its leaders in place yet (the first sends are answered {@code NOT_LEADER_OR_FOLLOWER},
   * and an idempotent producer with batches in flight then waits out its delivery timeout), and
   * the producer learns the topic's metadata and connects, as the journal's producer had done
   * before intake was measured. A partition whose record fails is tried again until {@link
   * #WITHIN}.
   */
  private static void warmUp(
      Producer<byte[], byte[]> producer, KafkaSettings topic, ObjectNode event) throws Exception {
    ProducerRecord<byte[], byte[]> shape =
        JournalRecords.record(topic.topic(), entry(event), Instant.now());
    long deadline = System.nanoTime() + WITHIN.toNanos();
    for (int partition = 0; partition < topic.partitions(); partition++) {
      ProducerRecord<byte[], byte[]> record =
          new ProducerRecord<>(
              shape.topic(),
              partition,
              shape.timestamp(),
              shape.key(),
              shape.value(),
              shape.headers());
      while (true) {
        try {
          producer.send(record).get(WITHIN.toSeconds(), TimeUnit.SECONDS);
          break;
        } catch (ExecutionException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "the baseline's topic " + topic.topic() + " took no record: " + e.getCause(), e);
          }
        }
      }
    }
  }

  private static Result send(
      Producer<byte[], byte[]> producer,
      String topic,
      int batches,
      IntFunction<List<ObjectNode>> events,
      long postmaster)
      throws Exception {
    AtomicLong next = new AtomicLong();
    AtomicLong valueBytes = new AtomicLong();
    List<Long> batchNanos = Collections.synchronizedList(new ArrayList<>());
    ExecutorService threads = Executors.newFixedThreadPool(EventSender.CLIENTS);
    CpuSplit.Sample cpu = CpuSplit.sample(postmaster);
    long began = System.nanoTime();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < EventSender.CLIENTS; t++) {
        done.add(
            threads.submit(
                () -> {
                  for (long b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
                    List<ObjectNode> batch = events.apply((int) b);
                    long sent = System.nanoTime();
                    valueBytes.addAndGet(sendAcknowledged(producer, topic, batch));
                    batchNanos.add(System.nanoTime() - sent);
                  }
                  return null;
                }));
      }
      for (Future<?> future : done) {
        future.get();
      }
      Duration time = EventSender.since(began);
      return new Result(
          time, List.copyOf(batchNanos), CpuSplit.since(cpu, postmaster), valueBytes.get());
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * Sends the batch's records and waits for every acknowledgment (a failure throws); returns the
   * records' values' bytes.
   */
  private static long sendAcknowledged(
      Producer<byte[], byte[]> producer, String topic, List<ObjectNode> batch) throws Exception {
    Instant now = Instant.now();
    List<Future<RecordMetadata>> sent = new ArrayList<>(batch.size());
    long bytes = 0;
    for (ObjectNode event : batch) {
      ProducerRecord<byte[], byte[]> record = JournalRecords.record(topic, entry(event), now);
      bytes += record.value().length;
      sent.add(producer.send(record));
    }
    for (Future<RecordMetadata> acknowledged : sent) {
      acknowledged.get(WITHIN.toSeconds(), TimeUnit.SECONDS);
    }
    return bytes;
  }

  /**
   * The journal's entry of a session event as the benchmark posts it: its account is the user's
   * personal one, as intake keys it; the body is the event as posted (intake journals it as it
   * writes it back, the same fields).
   */
  static JournalEntry entry(ObjectNode event) {
    String userId = event.at("/session/user_id").asText();
    return new JournalEntry(
        event.path("id").asText(),
        event.path("type").asText(),
        Instant.parse(event.path("occurred_at").asText()),
        userId,
        event.at("/session/session_id").asText(),
        event.toString(),
        userId);
  }
}

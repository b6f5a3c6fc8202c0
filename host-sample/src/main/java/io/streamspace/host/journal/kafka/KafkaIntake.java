package io.streamspace.host.journal.kafka;

import io.streamspace.common.db.Sql;
import io.streamspace.common.http.ApiException;
import io.streamspace.host.journal.Appended;
import io.streamspace.host.journal.JournalEntry;
import io.streamspace.plugin.api.http.HttpStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Intake's half of the Kafka journal: the broker is the journal. A batch's ids are looked up in
 * PostgreSQL ({@code host_journal}, shared by every node, written by the journal's index) in one
 * read-only statement ({@link IndexedIds}), which tells the events already indexed: a
 * redelivery (same body) is a duplicate and another body under an id a conflict, both sent
 * nowhere, as before. The others are sent to the topic, and {@link #append} returns once the
 * brokers acknowledged every one ({@code acks=all}, idempotent producer): then each is in the
 * topic on all in-sync replicas. Intake writes nothing to PostgreSQL and holds no transaction
 * across the send: one read per batch.
 *
 * <p>The look-up sees what the index has written, which is a round behind the topic, so a
 * redelivery that arrives before the index has read the first copy (on any node), or a batch
 * sent again after a 503 whose records the brokers took after all, is sent again: the topic then
 * holds the event twice. De-duplication is the index's ({@link JournalIndexConsumer}): it takes
 * each id for the first copy it reads, writes only that one into {@code host_journal}, and sets a
 * later copy with another body aside as a dead letter (the conflict intake would have refused,
 * had it seen the first; that batch was answered as accepted); the plugins are handed first
 * copies only ({@link FirstCopies}). So an event is applied once whichever node and however often
 * it was sent.
 *
 * <p>A send that fails, or is not acknowledged within the producer's delivery timeout ({@link
 * #DELIVERY_TIMEOUT}, after at most {@link #MAX_BLOCK} waiting for the topic's metadata), refuses
 * the batch with 503 {@code journal_unavailable} (with {@code Retry-After}, as every 503 of the
 * host): never an answer of accepted without the brokers' acknowledgment. Some of its events may
 * be in the topic all the same; the client sends the batch again, and the index keeps each once.
 *
 * <p>A database outage refuses the batch before anything is sent (the look-up fails: {@link
 * Sql.DatabaseException}, answered 503 as with the PostgreSQL journal).
 *
 * <p>Once a send has failed as sends fail while the brokers cannot be reached, the next batches
 * are refused at once, before their ids are looked up and without a send, until a probe finds
 * the topic's partitions led again ({@link BrokerOutage}): one request waits out the producer's
 * timeout, not every request of an outage.
 *
 * <p>Concurrent requests append at once, sharing the producer, whose batches then carry the
 * records of several requests.
 */
public final class KafkaIntake implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KafkaIntake.class);

  /** How long one request to a broker may take before the producer tries again. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

  /**
   * How long a record may wait, from its send, for its acknowledgment, retries included: past it
   * the producer fails it. A few seconds, so that an intake request answers 503 promptly while the
   * brokers are away, rather than holding the client.
   */
  static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(5);

  /** How long a send may block for the topic's metadata (brokers unreachable) or buffer space. */
  static final Duration MAX_BLOCK = Duration.ofSeconds(5);

  /**
   * How long the producer holds records to fill a batch. With batches of 1,000 events spread over
   * the partitions, a few milliseconds let the records of concurrent requests share a request per
   * partition without adding much to one batch's answer.
   */
  static final int LINGER_MS = 5;

  /**
   * A batch's bytes per partition before it is sent: 256 KB, so that a 1,000-event batch's share
   * of a partition (about 25 KB across 12 partitions, more with fewer) and the shares of
   * concurrent requests go in one produce request rather than several of the default 16 KB; larger
   * batches also compress better (below).
   */
  static final int BATCH_BYTES = 256 * 1024;

  /**
   * lz4: the cheapest on CPU of kafka-clients' codecs, which matters on a node that also parses
   * the events, and the only one that runs without a native library (lz4-java falls back to pure
   * Java where its bundled one cannot load; zstd-jni and snappy-java have no such fallback). Tried
   * on a shared 2-core machine against an in-JVM broker with 1,000-event batches of heartbeat-like
   * JSON: lz4 made the records 14 % of their size in 256 KB batches (20 % in 16 KB ones), at a rate
   * within the run-to-run noise of no compression (about 40,000 to 100,000 records/s for a bare
   * producer, 35,000 to 60,000 events/s through this class with the PostgreSQL claim it then
   * made), while zstd halved one thread's intake rate. Across a real network and on the brokers'
   * disks, a sixth of the bytes is what counts.
   */
  static final String COMPRESSION = "lz4";

  /** How often the brokers are probed while they count as down: the longest a recovery waits. */
  static final Duration PROBE_EVERY = Duration.ofSeconds(1);

  /** What became of an entry of a batch that is not sent (null: sent). */
  private enum Fate {
    DUPLICATE,
    CONFLICT
  }

  private final IndexedIds indexed;
  private final Clock clock;
  private final String topic;
  private final Producer<byte[], byte[]> producer;
  private final Duration ackWait;
  private final PartitionsLed probe;
  private final BrokerOutage outage;

  /** Opens the producer and the admin client that probes outages; {@link #close()} closes them. */
  public KafkaIntake(DataSource dataSource, Clock clock, KafkaSettings settings) {
    this.indexed = new IndexedIds(dataSource);
    this.clock = clock;
    this.topic = settings.topic();
    Map<String, Object> properties = producerProperties(settings);
    this.ackWait = ackWait(properties);
    this.probe = new PartitionsLed(settings);
    this.outage = new BrokerOutage(probe, PROBE_EVERY, "kafka-journal-probe-" + topic);
    this.producer = new KafkaProducer<>(properties);
  }

  /** On the given producer and outage, for tests: no admin client, the outage probed as given. */
  KafkaIntake(
      DataSource dataSource,
      Clock clock,
      String topic,
      Producer<byte[], byte[]> producer,
      Duration ackWait,
      BrokerOutage outage) {
    this.indexed = new IndexedIds(dataSource);
    this.clock = clock;
    this.topic = topic;
    this.producer = producer;
    this.ackWait = ackWait;
    this.probe = null;
    this.outage = outage;
  }

  /**
   * The producer's settings: the throughput tuning above, which the operator's client properties
   * may change; then the guarantees, which they may not: every in-sync replica acknowledges
   * ({@code acks=all}), and the producer is idempotent (a send retried after a lost answer is
   * written once, in order, with up to 5 requests in flight per broker). Public for the
   * benchmark, whose raw producer baseline is tuned as this one by taking the same settings.
   */
  public static Map<String, Object> producerProperties(KafkaSettings settings) {
    Map<String, Object> properties = new HashMap<>();
    properties.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(LINGER_MS));
    properties.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(BATCH_BYTES));
    properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, COMPRESSION);
    properties.put(
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(REQUEST_TIMEOUT.toMillis()));
    properties.put(
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(DELIVERY_TIMEOUT.toMillis()));
    properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(MAX_BLOCK.toMillis()));
    properties.putAll(settings.clientProperties());
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    properties.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return properties;
  }

  /**
   * How long a batch waits for its acknowledgments at most: the producer's own delivery timeout
   * (its verdict, whatever the operator set it to) and a second more, so that it is the producer
   * that gives up on a record, not this wait.
   */
  private static Duration ackWait(Map<String, Object> properties) {
    long deliveryMillis =
        Long.parseLong(properties.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG).toString());
    return Duration.ofMillis(deliveryMillis).plusSeconds(1);
  }

  /**
   * Journals a batch on Kafka, durably when this returns (see the class). The first entry of an
   * id stands for it in the batch; later ones repeat it (a duplicate) or conflict with it.
   *
   * @return each new entry's offset ({@code seqs}) and partition, by index in the batch; the
   *     duplicates; the indexes of the conflicts
   * @throws Sql.DatabaseException when the look-up failed: nothing was sent
   * @throws ApiException 503 {@code journal_unavailable} when the brokers did not acknowledge every
   *     new entry (some may be in the topic: the index keeps each event once)
   */
  public Appended append(List<JournalEntry> entries) {
    refuseWhileBrokersDown();
    Fate[] fates = new Fate[entries.size()];
    // the first entry of an id stands for it; later ones repeat it or conflict
    Map<String, Integer> first = new HashMap<>();
    List<Integer> distinct = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      JournalEntry entry = entries.get(i);
      if (entry.account() == null) {
        throw new IllegalArgumentException("entry " + i + " names no billing account: no key");
      }
      Integer earlier = first.putIfAbsent(entry.eventId(), i);
      if (earlier == null) {
        distinct.add(i);
      } else {
        fates[i] =
            entries.get(earlier).body().equals(entry.body()) ? Fate.DUPLICATE : Fate.CONFLICT;
      }
    }
    Map<Integer, Long> offsets = new HashMap<>();
    Map<Integer, Integer> partitions = new HashMap<>();
    if (!distinct.isEmpty()) {
      Map<Integer, Boolean> taken = indexed.taken(distinct.stream().map(entries::get).toList());
      taken.forEach(
          (n, sameBody) -> fates[distinct.get(n)] = sameBody ? Fate.DUPLICATE : Fate.CONFLICT);
      List<Integer> fresh = distinct.stream().filter(i -> fates[i] == null).toList();
      send(entries, fresh, clock.instant(), offsets, partitions);
    }
    int duplicates = 0;
    List<Integer> conflicts = new ArrayList<>();
    for (int i = 0; i < fates.length; i++) {
      if (fates[i] == Fate.DUPLICATE) {
        duplicates++;
      } else if (fates[i] == Fate.CONFLICT) {
        conflicts.add(i);
      }
    }
    return new Appended(offsets, partitions, duplicates, conflicts);
  }

  /**
   * Sends the new entries and waits for every acknowledgment, recording each one's offset and
   * partition; stops sending at the first failure.
   *
   * @throws ApiException 503 {@code journal_unavailable} when one is not acknowledged
   */
  private void send(
      List<JournalEntry> entries,
      List<Integer> fresh,
      Instant journaledAt,
      Map<Integer, Long> offsets,
      Map<Integer, Integer> partitions) {
    long deadline = System.nanoTime() + ackWait.toNanos();
    AtomicReference<Exception> failed = new AtomicReference<>();
    List<Future<RecordMetadata>> sent = new ArrayList<>(fresh.size());
    try {
      for (int index : fresh) {
        // once one fails (brokers unreachable: its wait for metadata ran out), every next send
        // would wait as long again
        if (failed.get() != null) {
          throw unavailable(failed.get());
        }
        sent.add(
            producer.send(
                JournalRecords.record(topic, entries.get(index), journaledAt),
                (metadata, e) -> {
                  if (e != null) {
                    failed.compareAndSet(null, e);
                  }
                }));
      }
      for (int i = 0; i < sent.size(); i++) {
        long left = Math.max(0, deadline - System.nanoTime());
        RecordMetadata metadata = sent.get(i).get(left, TimeUnit.NANOSECONDS);
        offsets.put(fresh.get(i), metadata.offset());
        partitions.put(fresh.get(i), metadata.partition());
      }
    } catch (ExecutionException e) {
      throw unavailable(e.getCause());
    } catch (TimeoutException e) {
      outage.began();
      throw unavailable(e);
    } catch (KafkaException e) {
      throw unavailable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(e);
    }
  }

  private ApiException unavailable(Throwable cause) {
    // a timeout, no metadata, not enough replicas, a lost connection: the brokers are away (the
    // producer retries these itself until its delivery timeout, so they come here only then)
    if (cause instanceof RetriableException) {
      outage.began();
    }
    // an outage is seen on every batch until it ends: one line each, not a stack trace
    log.warn(
        "A batch was refused: the Kafka brokers did not acknowledge it within {} s ({})",
        ackWait.toSeconds(),
        cause.toString());
    return new ApiException(
        HttpStatus.SERVICE_UNAVAILABLE,
        "journal_unavailable",
        "the event journal's brokers did not acknowledge the batch; retry the batch");
  }

  /**
   * @throws ApiException 503 {@code journal_unavailable} while the brokers count as down (see
   *     {@link BrokerOutage}): a batch would be refused without being sent
   */
  void refuseWhileBrokersDown() {
    if (outage.down()) {
      throw new ApiException(
          HttpStatus.SERVICE_UNAVAILABLE,
          "journal_unavailable",
          "the event journal's brokers cannot be reached; retry the batch");
    }
  }

  /**
   * Sends what is buffered, for at most a few seconds, and closes the producer and the probe.
   */
  @Override
  public void close() {
    outage.close();
    try {
      producer.close(MAX_BLOCK);
    } finally {
      if (probe != null) {
        probe.close();
      }
    }
  }
}

package io.streamspace.host.journal.kafka;

import io.streamspace.host.journal.EventJournal;
import io.streamspace.host.journal.Journal;
import io.streamspace.host.journal.PluginFlush;
import io.streamspace.plugin.api.http.DatabaseOutage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer of the Kafka journal's topic in a consumer group, on its own thread: the group
 * shares the topic's partitions out among the nodes (and moves a dead node's to the others), and
 * the consumer's places are kept in PostgreSQL ({@link KafkaPlaces}), never committed to Kafka.
 *
 * <p>A round polls the records of the partitions it owns, {@linkplain #consume consumes} them
 * (which stores the places past them once what they were for is durable), and only then polls
 * again. Rounds are never pipelined, so a rebalance, which happens inside a poll, always falls
 * between two rounds: the round in hand is finished (flushed, its places stored) before a
 * partition is let go. A partition assigned is paused until it is sought to its stored place.
 * While this node's intake journals, the consumer rests after each round, unless it is far behind
 * ({@link IntakeFirst}).
 *
 * <p>A round that fails (the database is down, a flush failed) leaves its places where they
 * were: every partition is sought back to its stored place, read again from the database, and
 * the round is handed again after a backoff ({@link Journal#CONSUMER_BACKOFF}), as the
 * PostgreSQL journal's consumers do.
 */
abstract class PartitionConsumer implements ConsumerRebalanceListener {

  private static final Logger log = LoggerFactory.getLogger(PartitionConsumer.class);
  private static final Duration POLL = Duration.ofMillis(500);

  /**
   * How often an idle consumer stores its places again, unmoved: their {@code updated_at} then
   * says the consumer is alive and caught up, so the lag's {@code seconds} grows only while
   * records wait and the place does not move.
   */
  static final Duration RENEW_EVERY = Duration.ofSeconds(3);

  /** How the consumer starts in a partition where it has no place stored. */
  enum FirstPlace {
    /**
     * A consumer seen for the first time starts "from now", at the end of every partition, and
     * that place is stored at once; a partition added to the topic later starts at its beginning.
     */
    END_WHEN_NEW,
    /** Every partition starts at its beginning (the journal's index keeps everything). */
    BEGINNING
  }

  protected final String name;
  protected final KafkaPlaces places;
  protected final Clock clock;
  private final String topic;
  private final FirstPlace firstPlace;
  private final IntakeFirst intakeFirst;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final Object monitor = new Object();
  private final CountDownLatch joined = new CountDownLatch(1);

  private volatile boolean running = true;
  // its last round failed: intake does not wait for it
  private volatile boolean failing;
  // the partitions the group gave this consumer, and the place stored of those sought to it
  private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
  private final Map<Integer, Long> stored = new ConcurrentHashMap<>();
  // only the consumer's thread reads or changes these
  private final Set<TopicPartition> unpositioned = new HashSet<>();
  private long renewedAt = System.nanoTime();

  /**
   * @param name       the consumer's name in {@code host_kafka_offsets}: the plugin's id, or
   *     {@link KafkaPlaces#INDEX}
   * @param properties the Kafka consumer's settings, its group among them
   * @param intakeFirst when to rest after a round, so that this node's intake goes first
   */
  PartitionConsumer(
      String name,
      String topic,
      Properties properties,
      KafkaPlaces places,
      Clock clock,
      FirstPlace firstPlace,
      IntakeFirst intakeFirst) {
    this.name = name;
    this.topic = topic;
    this.places = places;
    this.clock = clock;
    this.firstPlace = firstPlace;
    this.intakeFirst = intakeFirst;
    this.consumer = new KafkaConsumer<>(properties);
    this.thread = new Thread(this::run, "kafka-journal-" + name);
    thread.setDaemon(true);
  }

  /**
   * Hands a round's records to what consumes them and stores the places past them ({@code
   * next}, by partition) once that is durable; throws, storing nothing, when it could not.
   *
   * @return the places stored: {@code next}, or, in a partition where only the round's first
   *     records were consumed, the place of the first left, from which the partition is read again
   */
  protected abstract Map<Integer, Long> consume(
      List<ConsumerRecord<byte[], byte[]>> round, Map<Integer, Long> next)
      throws InterruptedException;

  void start() {
    thread.start();
  }

  /**
   * Stops after the round in hand (flushed and stored) and leaves the group, so that its
   * partitions move to the consumers on other nodes at once.
   */
  void stop() {
    running = false;
    consumer.wakeup();
    synchronized (monitor) {
      monitor.notifyAll();
    }
    try {
      thread.join(PluginFlush.TIMEOUT.toMillis() + 10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether {@link #stop()} was called: a round waiting for something gives up. */
  protected boolean stopping() {
    return !running;
  }

  /** The partitions this consumer owns now and the place stored in each, once sought to it. */
  private Map<Integer, Long> storedPlaces() {
    return new TreeMap<>(stored);
  }

  /**
   * Waits until, in each of these partitions that this consumer owns, its stored place is past
   * the offset given, while its rounds succeed, for at most until {@code deadline} ({@link
   * System#nanoTime()}).
   *
   * @return whether it is
   */
  boolean awaitPast(Map<Integer, Long> lastByPartition, long deadline) throws InterruptedException {
    synchronized (monitor) {
      while (!past(lastByPartition)) {
        long left = deadline - System.nanoTime();
        if (!running || failing || left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(monitor, left);
      }
      return true;
    }
  }

  private boolean past(Map<Integer, Long> lastByPartition) {
    return lastByPartition.entrySet().stream()
        .allMatch(
            last ->
                !owned.contains(last.getKey())
                    || stored.getOrDefault(last.getKey(), -1L) > last.getValue());
  }

  private void changed() {
    synchronized (monitor) {
      monitor.notifyAll();
    }
  }

  private void run() {
    Duration backoff = Journal.CONSUMER_BACKOFF.first();
    try {
      consumer.subscribe(List.of(topic), this);
      while (running) {
        try {
          positionAssigned();
          round(consumer.poll(POLL));
          backoff = Journal.CONSUMER_BACKOFF.first();
          failing = false;
        } catch (WakeupException e) {
          throw e;
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          failed(e, backoff);
          pause(backoff);
          backoff = Journal.CONSUMER_BACKOFF.next(backoff);
          keepMembership();
        }
      }
    } catch (WakeupException | InterruptedException stopped) {
      // stop() wakes the consumer from its poll
    } catch (RuntimeException e) {
      log.error("Kafka journal consumer {} stopped", name, e);
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.warn("Kafka journal consumer {} did not close cleanly: {}", name, e.toString());
      }
      changed();
    }
  }

  private void round(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
    List<ConsumerRecord<byte[], byte[]>> round = new ArrayList<>(records.count());
    Map<Integer, Long> next = new TreeMap<>();
    for (TopicPartition partition : records.partitions()) {
      // records fetched before the partition was sought to its place are not handed
      if (!unpositioned.contains(partition)) {
        List<ConsumerRecord<byte[], byte[]>> in = records.records(partition);
        round.addAll(in);
        next.put(partition.partition(), in.get(in.size() - 1).offset() + 1);
      }
    }
    if (!round.isEmpty()) {
      long began = System.nanoTime();
      Map<Integer, Long> reached = consume(round, next);
      reached.forEach(
          (partition, place) -> {
            if (place < next.get(partition)) {
              consumer.seek(new TopicPartition(topic, partition), place);
            }
          });
      stored.putAll(reached);
      renewedAt = System.nanoTime();
      changed();
      Duration rest =
          intakeFirst.restAfter(Duration.ofNanos(System.nanoTime() - began), () -> oldest(round));
      if (!rest.isZero()) {
        pause(rest);
      }
    } else if (System.nanoTime() - renewedAt > RENEW_EVERY.toNanos() && !stored.isEmpty()) {
      places.advance(name, storedPlaces(), clock.instant());
      renewedAt = System.nanoTime();
    }
  }

  /** When the oldest record of a round was journaled. */
  private static Instant oldest(List<ConsumerRecord<byte[], byte[]>> round) {
    return Instant.ofEpochMilli(
        round.stream().mapToLong(ConsumerRecord::timestamp).min().orElseThrow());
  }

  /** A round failed: every partition goes back to its stored place (read again) when it can. */
  private void failed(RuntimeException e, Duration backoff) {
    failing = true;
    Set<TopicPartition> assigned = consumer.assignment();
    unpositioned.addAll(assigned);
    consumer.pause(assigned);
    stored.clear();
    changed();
    if (DatabaseOutage.causedBy(e)) {
      // one line per failed round for as long as the outage lasts, not a stack trace each
      log.warn(
          "Kafka journal consumer {}: the database cannot be reached ({}); retrying in {} ms",
          name,
          e.toString(),
          backoff.toMillis());
    } else {
      log.error("Kafka journal consumer {}: a round failed; it is retried", name, e);
    }
  }

  /**
   * Polls without consuming, so that a long outage does not cost the consumer its place in the
   * group: every partition is paused and will be sought again, so nothing polled is handed.
   */
  private void keepMembership() {
    try {
      consumer.poll(Duration.ZERO);
    } catch (WakeupException e) {
      throw e;
    } catch (RuntimeException e) {
      log.debug("Kafka journal consumer {}: poll between retries failed: {}", name, e.toString());
    }
  }

  /** Waits this long, or until {@link #stop()}. */
  private void pause(Duration length) throws InterruptedException {
    long until = System.nanoTime() + length.toNanos();
    synchronized (monitor) {
      for (long left = length.toNanos(); running && left > 0; left = until - System.nanoTime()) {
        TimeUnit.NANOSECONDS.timedWait(monitor, left);
      }
    }
  }

  /** Seeks each partition assigned since the last round to its stored place, then resumes it. */
  private void positionAssigned() {
    if (unpositioned.isEmpty()) {
      return;
    }
    Map<Integer, Long> known = places.read(name);
    if (known.isEmpty() && firstPlace == FirstPlace.END_WHEN_NEW) {
      List<TopicPartition> all =
          consumer.partitionsFor(topic).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .toList();
      places.storeIfAbsent(name, byPartition(consumer.endOffsets(all)), clock.instant());
      known = places.read(name);
    }
    Map<Integer, Long> finalKnown = known;
    List<TopicPartition> missing =
        unpositioned.stream().filter(p -> !finalKnown.containsKey(p.partition())).toList();
    if (!missing.isEmpty()) {
      places.storeIfAbsent(name, byPartition(consumer.beginningOffsets(missing)), clock.instant());
      known = places.read(name);
    }
    Map<TopicPartition, Long> firstKept = consumer.beginningOffsets(unpositioned);
    for (TopicPartition partition : unpositioned) {
      long place = skipGone(partition, known.get(partition.partition()), firstKept);
      consumer.seek(partition, place);
      stored.put(partition.partition(), place);
    }
    consumer.resume(unpositioned);
    unpositioned.clear();
    changed();
  }

  /**
   * The place to read {@code partition} from: its stored place, or the first record the topic
   * still keeps when the records from the stored place on were deleted by the topic's retention
   * (a plugin disabled longer than that). Those events are gone for this consumer; it is said
   * loudly, as the consumer would otherwise skip them without a word (it resets to the earliest).
   */
  private long skipGone(TopicPartition partition, long place, Map<TopicPartition, Long> firstKept) {
    long first = firstKept.getOrDefault(partition, place);
    if (place >= first) {
      return place;
    }
    log.error(
        "Kafka journal consumer {}: {} records of partition {} (offsets {} to {}) were deleted by"
            + " the topic's retention before it read them; it goes on from offset {}. Those"
            + " events are not in its state: replay them from another copy if it needs them.",
        name,
        first - place,
        partition.partition(),
        place,
        first - 1,
        first);
    return first;
  }

  private static Map<Integer, Long> byPartition(Map<TopicPartition, Long> offsets) {
    return offsets.entrySet().stream()
        .collect(Collectors.toMap(e -> e.getKey().partition(), Map.Entry::getValue));
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    consumer.pause(partitions);
    unpositioned.addAll(partitions);
    partitions.forEach(p -> owned.add(p.partition()));
    joined.countDown();
    changed();
  }

  /**
   * Waits until the group has given this consumer its first share of the partitions (none, when
   * other nodes' consumers have them all), so that intake, from then on, waits for the records
   * it journals in this consumer's partitions.
   *
   * @return whether it has, within {@code timeout}
   */
  boolean awaitJoined(Duration timeout) throws InterruptedException {
    return joined.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    // rounds are not pipelined: the round in hand was flushed and stored before this poll
    for (TopicPartition partition : partitions) {
      unpositioned.remove(partition);
      owned.remove(partition.partition());
      stored.remove(partition.partition());
    }
    changed();
  }

  /** The entry a record journals; empty, reported, when it is not one (not in the format). */
  protected Optional<EventJournal.Journaled> readable(ConsumerRecord<byte[], byte[]> record) {
    try {
      return Optional.of(JournalRecords.journaled(record));
    } catch (RuntimeException e) {
      log.error(
          "Kafka journal record {}-{}@{} is not a journal entry, so {} skips it: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          name,
          e.toString());
      return Optional.empty();
    }
  }
}

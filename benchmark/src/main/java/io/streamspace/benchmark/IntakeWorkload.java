package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.host.journal.kafka.KafkaIntake;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Events over HTTP in batches of 1,000 events of distinct sessions from four clients, for a
 * while: each session's session.created, then heartbeats round after round. Measures the events
 * the host journaled a second and the rate the billing plugin applied them at (until its lag is
 * 0); checks that every event was accepted and journaled once. The sessions are ended afterwards
 * (not measured). Then its baseline, on the journal the host runs:
 *
 * <ul>
 *   <li>PostgreSQL: a batched INSERT of as many rows into a plain copy of the journal's table,
 *       through JDBC, from as many threads with a commit a batch;
 *   <li>Kafka ({@code --journal kafka}): a plain producer sending as many records of the
 *       journal's shape, tuned as the journal's own, to a topic like the journal's on the same
 *       brokers ({@link ProducerBaseline}), a row of its own with its rate and latencies per
 *       batch. On Kafka "journaled once" is also checked in the topic itself: as many records of
 *       the workload's ids as events accepted (the index holding each id once, each is there
 *       once).
 * </ul>
 */
public final class IntakeWorkload implements Workload {

  static final String NAME = "intake";
  private static final String PREFIX = "bench-intake-";
  private static final double TARGET_RATE = 100_000;
  private static final double TARGET_BASELINE_SHARE = 0.5;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    int sessions = context.size().pick(2_000, 100_000);
    Duration window = Duration.ofSeconds(context.size().pick(3, 60));
    String size = String.format("%,d sessions, %d s", sessions, window.toSeconds());
    BenchHttp http = new BenchHttp(context.baseUrl());
    EventSender sender = new EventSender(http, context.platformToken());
    SessionTraffic traffic = new SessionTraffic(PREFIX, sessions, Instant.now());
    BenchKafka kafka = context.host().kafkaJournal();

    context.progress().line(NAME + ": posting events of " + size + " from 4 clients");
    long postmaster = CpuSplit.postmaster(context.dataSource());
    CpuSplit.Sample cpu = CpuSplit.sample(postmaster);
    long began = System.nanoTime();
    EventSender.Sent sent = traffic.sustain(sender, began + window.toNanos());
    Duration sending = EventSender.since(began);
    CpuSplit.Used posting = CpuSplit.since(cpu, postmaster);
    context
        .progress()
        .line(
            String.format(
                "%s: %,d events sent in %d ms; %,d batches refused 503 journal_backlog and sent"
                    + " again after their Retry-After",
                NAME, sent.events(), sending.toMillis(), http.backlogRefusals()));
    context.progress().line(NAME + ": while posting, " + posting.describe(sent.events(), "events"));
    http.awaitBillingCaughtUp();
    Duration applying = EventSender.since(began);
    context.progress().line(NAME + ": applied by billing after " + applying.toMillis() + " ms");
    traffic.checkJournaledOnce(context.dataSource(), sent, context.progress());
    if (kafka != null) {
      checkTopicHoldsEachOnce(kafka, context, sent);
    }

    context.progress().line(NAME + ": ending the sessions (not measured)");
    traffic.end(sender);
    http.awaitBillingCaughtUp();

    Latencies batches = Latencies.of(sent.batchNanos());
    double journaledRate = sent.events() / seconds(sending);
    double appliedRate = sent.events() / seconds(applying);
    List<BenchRow> rows = new ArrayList<>();
    if (kafka == null) {
      context
          .progress()
          .line(String.format("%s: baseline, %,d rows by INSERT", NAME, sent.events()));
      Duration baseline = insertBaseline(context.dataSource(), sent.events(), traffic);
      rows.add(
          new BenchRow(
              "intake: events over HTTP in batches of 1,000, journaled (p50/p99 per batch)",
              size,
              sending,
              journaledRate,
              "events",
              batches.p50(),
              batches.p99(),
              "batched INSERT of as many rows into a copy of host_journal (JDBC, 4 threads)",
              baseline,
              "≥ 100,000 events/s; ≥ 0.5 × the raw batched rate",
              journaledRate >= TARGET_RATE
                  && seconds(sending) * TARGET_BASELINE_SHARE <= seconds(baseline)));
    } else {
      rows.addAll(kafkaRows(kafka, context, size, sent, sending, traffic));
    }
    rows.add(
        new BenchRow(
            "intake: the same events applied by the billing plugin (until its lag is 0)",
            size,
            applying,
            appliedRate,
            "events",
            null,
            null,
            null,
            null,
            "as fast as journaled (≥ 100,000 events/s)",
            appliedRate >= TARGET_RATE));
    return rows;
  }

  /**
   * The topic holds as many records of this traffic as events were accepted: with the index
   * holding each id once (checked before), each event is in the topic once.
   */
  private void checkTopicHoldsEachOnce(
      BenchKafka kafka, BenchContext context, EventSender.Sent sent) {
    TopicRecords.Held held = TopicRecords.count(kafka.journal(), PREFIX);
    if (held.records() != sent.events()) {
      throw new IllegalStateException(
          String.format(
              "%,d events accepted, the topic %s holds %,d records of them",
              sent.events(), kafka.journal().topic(), held.records()));
    }
    context
        .progress()
        .line(
            String.format(
                "%s: the topic holds the %,d events once each, as its index does (bodies of %d"
                    + " bytes on average)",
                NAME, held.records(), held.valueBytes() / held.records()));
  }

  /**
   * On Kafka: intake's row against the raw producer's time, and the raw producer's own row (its
   * rate and its latency per batch of 1,000, sends to acknowledgments).
   */
  private List<BenchRow> kafkaRows(
      BenchKafka kafka,
      BenchContext context,
      String size,
      EventSender.Sent sent,
      Duration sending,
      SessionTraffic traffic)
      throws Exception {
    int batches = (int) (sent.events() / EventSender.BATCH);
    context
        .progress()
        .line(
            String.format(
                "%s: baseline, %,d records by a raw producer (%s)",
                NAME, sent.events(), producerTuning(kafka)));
    ProducerBaseline.Result producer =
        ProducerBaseline.run(
            kafka.journal(), batches, traffic::batch, CpuSplit.postmaster(context.dataSource()));
    context
        .progress()
        .line(
            String.format(
                "%s: the raw producer's records: bodies of %d bytes on average; its %s",
                NAME,
                producer.valueBytes() / sent.events(),
                producer.cpu().describe(sent.events(), "records")));
    double journaledRate = sent.events() / seconds(sending);
    double share = seconds(producer.time()) / seconds(sending);
    context
        .progress()
        .line(String.format("%s: intake journaled %.2f × the raw producer's rate", NAME, share));
    Latencies batchLatencies = Latencies.of(sent.batchNanos());
    Latencies producerLatencies = Latencies.of(producer.batchNanos());
    boolean shareMet = share >= TARGET_BASELINE_SHARE;
    String on = "on Kafka (" + kafka.describe() + ")";
    BenchRow journaled =
        new BenchRow(
            "intake: events over HTTP in batches of 1,000, journaled "
                + on
                + " (p50/p99 per batch)",
            size,
            sending,
            journaledRate,
            "events",
            batchLatencies.p50(),
            batchLatencies.p99(),
            "idempotent acks=all producer of as many records of the journal's shape, tuned as"
                + " its own ("
                + producerTuning(kafka)
                + "), 4 threads, each batch of 1,000 acknowledged before the next, to a topic of"
                + " as many partitions",
            producer.time(),
            kafka.brokerInThisJvm()
                ? "≥ 0.5 × the raw producer's rate (≥ 100,000 events/s is for brokers on"
                    + " machines of their own)"
                : "≥ 100,000 events/s; ≥ 0.5 × the raw producer's rate",
            shareMet && (kafka.brokerInThisJvm() || journaledRate >= TARGET_RATE));
    BenchRow raw =
        new BenchRow(
            "intake: the raw producer alone, " + on + " (p50/p99 per batch of 1,000)",
            String.format("%,d records", sent.events()),
            producer.time(),
            sent.events() / seconds(producer.time()),
            "records",
            producerLatencies.p50(),
            producerLatencies.p99(),
            null,
            null,
            null,
            null);
    return List.of(journaled, raw);
  }

  /** The journal's producer's batching and compression, as the baseline's producer has them. */
  private String producerTuning(BenchKafka kafka) {
    Map<String, Object> tuning = KafkaIntake.producerProperties(kafka.journal());
    return String.format(
        "%s, linger %s ms, batches of %,d bytes",
        tuning.get(ProducerConfig.COMPRESSION_TYPE_CONFIG),
        tuning.get(ProducerConfig.LINGER_MS_CONFIG),
        Long.parseLong(tuning.get(ProducerConfig.BATCH_SIZE_CONFIG).toString()));
  }

  /**
   * Inserts {@code rows} rows shaped like the journal's (the same bodies) into a plain copy of
   * {@code host_journal}, from four threads, 1,000 a commit; returns how long it took.
   */
  private static Duration insertBaseline(DataSource dataSource, long rows, SessionTraffic traffic)
      throws Exception {
    try (Connection connection = dataSource.getConnection();
        Statement ddl = connection.createStatement()) {
      ddl.execute("DROP TABLE IF EXISTS bench_journal_baseline");
      ddl.execute(
          "CREATE TABLE bench_journal_baseline (LIKE host_journal INCLUDING DEFAULTS"
              + " INCLUDING INDEXES)");
    }
    int batches = (int) (rows / EventSender.BATCH);
    AtomicLong next = new AtomicLong();
    long began = System.nanoTime();
    ExecutorService threads = Executors.newFixedThreadPool(EventSender.CLIENTS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < EventSender.CLIENTS; t++) {
        done.add(
            threads.submit(
                () -> {
                  for (long b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
                    insert(dataSource, traffic.batch((int) b), b * EventSender.BATCH);
                  }
                  return null;
                }));
      }
      for (Future<?> future : done) {
        future.get();
      }
      return EventSender.since(began);
    } finally {
      threads.shutdownNow();
      try (Connection connection = dataSource.getConnection();
          Statement ddl = connection.createStatement()) {
        ddl.execute("DROP TABLE IF EXISTS bench_journal_baseline");
      }
    }
  }

  private static void insert(DataSource dataSource, List<ObjectNode> events, long firstSeq)
      throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO bench_journal_baseline (seq, journaled_at, event_id, event_type,"
                    + " occurred_at, user_id, session_id, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      connection.setAutoCommit(false);
      Timestamp now = Timestamp.from(Instant.now());
      long seq = firstSeq;
      for (ObjectNode event : events) {
        insert.setLong(1, seq++);
        insert.setTimestamp(2, now);
        insert.setString(3, event.path("id").asText());
        insert.setString(4, event.path("type").asText());
        insert.setTimestamp(5, Timestamp.from(Instant.parse(event.path("occurred_at").asText())));
        insert.setString(6, event.at("/session/user_id").asText());
        insert.setString(7, event.at("/session/session_id").asText());
        insert.setString(8, event.toString());
        insert.addBatch();
      }
      insert.executeBatch();
      connection.commit();
    }
  }

  static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }
}

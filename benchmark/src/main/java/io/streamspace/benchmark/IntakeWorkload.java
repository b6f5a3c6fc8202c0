package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Events over HTTP in batches of 1,000 events of distinct sessions from four clients, for a
 * while: each session's session.created, then heartbeats round after round. Measures the events
 * the host journaled a second and the rate the billing plugin applied them at (until its lag is
 * 0); checks that every event was accepted and journaled once; and compares with a batched
 * INSERT of as many rows into a plain copy of the journal's table, through JDBC, from as many
 * threads with a commit a batch. The sessions are ended afterwards (not measured).
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
    Duration window = Duration.ofSeconds(context.size().pick(5, 60));
    String size = String.format("%,d sessions, %d s", sessions, window.toSeconds());
    BenchHttp http = new BenchHttp(context.baseUrl());
    EventSender sender = new EventSender(http, context.platformToken());
    SessionTraffic traffic = new SessionTraffic(PREFIX, sessions, Instant.now());

    context.progress().line(NAME + ": posting events of " + size + " from 4 clients");
    long began = System.nanoTime();
    EventSender.Sent sent = traffic.sustain(sender, began + window.toNanos());
    Duration sending = EventSender.since(began);
    context
        .progress()
        .line(
            String.format("%s: %,d events sent in %d ms", NAME, sent.events(), sending.toMillis()));
    http.awaitBillingCaughtUp();
    Duration applying = EventSender.since(began);
    context.progress().line(NAME + ": applied by billing after " + applying.toMillis() + " ms");
    traffic.checkJournaledOnce(context.dataSource(), sent);

    context.progress().line(NAME + ": ending the sessions (not measured)");
    traffic.end(sender);
    http.awaitBillingCaughtUp();

    context.progress().line(String.format("%s: baseline, %,d rows by INSERT", NAME, sent.events()));
    Duration baseline = insertBaseline(context.dataSource(), sent.events(), traffic);

    Latencies batches = Latencies.of(sent.batchNanos());
    double journaledRate = sent.events() / seconds(sending);
    double appliedRate = sent.events() / seconds(applying);
    BenchRow journaled =
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
                && seconds(sending) * TARGET_BASELINE_SHARE <= seconds(baseline));
    BenchRow applied =
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
            appliedRate >= TARGET_RATE);
    return List.of(journaled, applied);
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

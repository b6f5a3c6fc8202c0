package io.streamspace.benchmark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.common.db.Sql;
import io.streamspace.common.http.Json;
import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.host.intake.EventType;
import io.streamspace.host.intake.EventWire;
import io.streamspace.host.intake.JournalHandoff;
import io.streamspace.host.journal.EventHandoff;
import io.streamspace.host.journal.EventJournal;
import io.streamspace.host.journal.JournalConsumers;
import io.streamspace.host.journal.JournalEntry;
import io.streamspace.host.journal.JournalKind;
import io.streamspace.host.journal.JournalRetention;
import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one PostgreSQL sustains for the event journal (docs/benchmark.md; docs/operator-guide.md,
 * "Two nodes, or more"), on a durable embedded PostgreSQL (fsync, synchronous commit and
 * full-page writes on, as the host runs it), each round measuring in the same run:
 *
 * <ol>
 *   <li>the baseline: a plain batched {@code INSERT} of the same rows (shaped like journal
 *       entries, batches of 1,000, one commit each) into a table with no key or index, from 1
 *       and from 4 threads;
 *   <li>{@link EventJournal#append} of as many new events in batches of 1,000, from 1 and from 4
 *       threads (ids, body hashes, the append lock, day partitions and indexes included);
 *   <li>reading everything appended back with {@link EventJournal#after} in rounds of 5,000;
 *   <li>handing all of it to a plugin whose hooks do nothing, through {@link JournalConsumers}
 *       (the host's consumer: entries read back as events, hooks, flush, cursor moves).
 * </ol>
 *
 * Each figure is printed in events/s and against the single-thread baseline. Not a test: no
 * timing is asserted anywhere.
 *
 * <pre>
 * mvn -q -pl benchmark test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.streamspace.benchmark.JournalBenchmark [-Dexec.args="100000 2"]
 * </pre>
 *
 * Arguments: events per phase (default 100,000), rounds (default 2: the first warms the JVM
 * up), and optionally a JDBC URL of a scratch PostgreSQL to measure instead of the embedded one.
 */
public final class JournalBenchmark {

  /** One measured phase. */
  record Phase(String name, long events, Duration took) {
    double perSecond() {
      return events * 1e9 / Math.max(1, took.toNanos());
    }
  }

  private static final Logger log = LoggerFactory.getLogger(JournalBenchmark.class);
  private static final int BATCH = 1_000;
  private static final int READ_ROUND = 5_000;
  private static final int THREADS = 4;
  private static final Duration CONSUME_TIMEOUT = Duration.ofMinutes(10);

  private static final String BASELINE_TABLE =
      """
      DROP TABLE IF EXISTS bench_journal_baseline;
      CREATE TABLE bench_journal_baseline (LIKE host_journal)
      """;

  // the columns the journal's append binds, with nothing else done to them
  private static final String BASELINE_INSERT =
      """
      INSERT INTO bench_journal_baseline
        (seq, journaled_at, event_id, event_type, occurred_at, user_id, session_id, body)
      SELECT n, ?, event_id, event_type, occurred_at, user_id, session_id, body
      FROM unnest(?::text[], ?::text[], ?::text[]::timestamptz[], ?::text[], ?::text[],
                  ?::text[]) WITH ORDINALITY
        AS b(event_id, event_type, occurred_at, user_id, session_id, body, n)
      """;

  private JournalBenchmark() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    if (args.length > 2) {
      try (Database database = Database.external(args[2], Map.of())) {
        measure(database.dataSource(), events, rounds);
      }
      return;
    }
    Path dataDir = Files.createTempDirectory("journal-benchmark");
    try (Database database = Database.embedded(dataDir, true)) {
      measure(database.dataSource(), events, rounds);
    } finally {
      deleteTree(dataDir);
    }
  }

  private static void measure(DataSource dataSource, int events, int rounds) throws Exception {
    prepare(dataSource);
    log.info("PostgreSQL {}", settings(dataSource));
    for (int round = 1; round <= rounds; round++) {
      List<Phase> phases = round(dataSource, events, "r" + round + "-");
      double baseline = phases.get(0).perSecond();
      for (Phase phase : phases) {
        log.info(
            String.format(
                "round %d: %-34s %,9d events in %6.2f s: %,9.0f events/s, %5.2f x baseline",
                round,
                phase.name(),
                phase.events(),
                phase.took().toNanos() / 1e9,
                phase.perSecond(),
                phase.perSecond() / baseline));
      }
    }
  }

  /** The host's tables, today's journal partitions (as the host makes them), the baseline. */
  static void prepare(DataSource dataSource) throws SQLException {
    HostMigrations.migrate(dataSource);
    new JournalRetention(dataSource, Clock.systemUTC(), Duration.ofDays(35), JournalKind.POSTGRES)
        .runOnce();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(BASELINE_TABLE);
    }
  }

  /**
   * One round of every phase, on events whose ids start with {@code idPrefix} (new to the
   * journal); fails loudly unless every phase saw every event.
   */
  static List<Phase> round(DataSource dataSource, int events, String idPrefix) throws Exception {
    ObjectMapper mapper = Json.newMapper();
    Clock clock = Clock.systemUTC();
    EventJournal journal = new EventJournal(dataSource, clock);
    List<List<JournalEntry>> single = batches(mapper, events, idPrefix + "a");
    List<List<JournalEntry>> parallel = batches(mapper, events, idPrefix + "b");
    List<Phase> phases = new ArrayList<>();
    phases.add(timed("baseline INSERT, 1 thread", 1, single, b -> insertPlain(dataSource, b)));
    phases.add(
        timed(
            "baseline INSERT, " + THREADS + " threads",
            THREADS,
            single,
            b -> insertPlain(dataSource, b)));

    long before = lastSeq(dataSource);
    Instant journaledFrom = clock.instant();
    phases.add(timed("EventJournal.append, 1 thread", 1, single, journal::append));
    phases.add(
        timed("EventJournal.append, " + THREADS + " threads", THREADS, parallel, journal::append));
    long appended = 2L * events;
    long last = lastSeq(dataSource);
    check("appended", appended, countAfter(dataSource, before));

    Phase read = readBack(journal, before);
    check("read back", appended, read.events());
    phases.add(read);
    Phase consumed = consume(dataSource, journal, mapper, journaledFrom, last, idPrefix);
    check("handed to the plugin", appended, consumed.events());
    phases.add(consumed);
    return phases;
  }

  /** Reads every entry after {@code position} back, in rounds of {@link #READ_ROUND}. */
  private static Phase readBack(EventJournal journal, long position) {
    long start = System.nanoTime();
    long read = 0;
    for (List<EventJournal.Journaled> got = journal.after(position, READ_ROUND);
        !got.isEmpty();
        got = journal.after(position, READ_ROUND)) {
      read += got.size();
      position = got.get(got.size() - 1).seq();
    }
    return phase("EventJournal.after, rounds of 5,000", read, start);
  }

  /**
   * Hands the entries journaled from {@code from} up to position {@code last} to a plugin whose
   * hooks do nothing, through the host's consumer and handoff (each entry read back as an
   * event, its hook called, the plugin flushed, the cursor moved).
   */
  private static Phase consume(
      DataSource dataSource,
      EventJournal journal,
      ObjectMapper mapper,
      Instant from,
      long last,
      String idPrefix) {
    LongAdder handed = new LongAdder();
    JournalHandoff handoff = new JournalHandoff(mapper, Clock.systemUTC());
    EventHandoff counted =
        (journaled, plugin) -> {
          handoff.handOff(journaled, plugin);
          handed.increment();
        };
    try (JournalConsumers consumers =
        new JournalConsumers(journal, dataSource, counted, Clock.systemUTC(), "bench-node")) {
      String pluginId = "bench-" + idPrefix + "no-op";
      consumers.rewind(pluginId, from);
      long start = System.nanoTime();
      // the plugin uses no context: none is made for it
      consumers.started(new ActivePlugin(pluginId, new PlatformPlugin() {}, null));
      if (!consumers.awaitConsumed(last, CONSUME_TIMEOUT)) {
        throw new IllegalStateException("the consumer did not reach position " + last);
      }
      return phase("JournalConsumers, no-op plugin", handed.sum(), start);
    }
  }

  private static Phase timed(
      String name, int threads, List<List<JournalEntry>> batches, Consumer<List<JournalEntry>> work)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        running.add(
            pool.submit(
                () -> {
                  for (int i = next.getAndIncrement(); i < batches.size(); ) {
                    work.accept(batches.get(i));
                    i = next.getAndIncrement();
                  }
                }));
      }
      for (Future<?> thread : running) {
        thread.get();
      }
    } finally {
      pool.shutdown();
    }
    long events = batches.stream().mapToLong(List::size).sum();
    return phase(name, events, start);
  }

  private static Phase phase(String name, long events, long startNanos) {
    return new Phase(name, events, Duration.ofNanos(System.nanoTime() - startNanos));
  }

  /**
   * Heartbeats as the platform sends them (body as intake journals it), of 10,000 users with two
   * sessions each, in batches of {@link #BATCH}.
   */
  private static List<List<JournalEntry>> batches(ObjectMapper mapper, int events, String prefix)
      throws JsonProcessingException {
    Instant at = Instant.parse("2026-03-10T12:00:00Z");
    ResourceSize size =
        new ResourceSize(BigDecimal.ONE, BigDecimal.valueOf(2), BigDecimal.valueOf(10));
    List<List<JournalEntry>> batches = new ArrayList<>();
    List<JournalEntry> batch = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      String userId = "user-" + (i % 10_000);
      String sessionId = "session-" + (i % 20_000);
      SessionEvent event =
          new SessionEvent(prefix + "-" + i, at.plusSeconds(i / 20_000), sessionId, userId, size);
      batch.add(
          new JournalEntry(
              event.id(),
              EventType.SESSION_HEARTBEAT.wireName(),
              event.occurredAt(),
              userId,
              sessionId,
              EventWire.sessionText(EventType.SESSION_HEARTBEAT, event)));
      if (batch.size() == BATCH) {
        batches.add(batch);
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      batches.add(batch);
    }
    return batches;
  }

  private static void insertPlain(DataSource dataSource, List<JournalEntry> batch) {
    int n = batch.size();
    String[][] columns = new String[6][n];
    for (int i = 0; i < n; i++) {
      JournalEntry entry = batch.get(i);
      columns[0][i] = entry.eventId();
      columns[1][i] = entry.type();
      columns[2][i] = entry.occurredAt().toString();
      columns[3][i] = entry.userId();
      columns[4][i] = entry.sessionId();
      columns[5][i] = entry.body();
    }
    try (Connection connection = dataSource.getConnection()) {
      Object[] params = new Object[7];
      params[0] = Timestamp.from(Instant.now());
      for (int c = 0; c < columns.length; c++) {
        params[c + 1] = connection.createArrayOf("text", columns[c]);
      }
      try (PreparedStatement insert = Sql.prepare(connection, BASELINE_INSERT, params)) {
        insert.executeUpdate();
      }
    } catch (SQLException e) {
      throw Sql.failure("inserting a baseline batch", e);
    }
  }

  private static long lastSeq(DataSource dataSource) throws SQLException {
    return single(dataSource, "SELECT coalesce(max(seq), 0) FROM host_journal");
  }

  private static long countAfter(DataSource dataSource, long seq) throws SQLException {
    return single(dataSource, "SELECT count(*) FROM host_journal WHERE seq > " + seq);
  }

  private static String settings(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT current_setting('server_version'), current_setting('fsync'),"
                    + " current_setting('synchronous_commit'),"
                    + " current_setting('full_page_writes')")) {
      rows.next();
      return "%s: fsync %s, synchronous_commit %s, full_page_writes %s"
          .formatted(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4));
    }
  }

  private static long single(DataSource dataSource, String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static void check(String what, long expected, long actual) {
    if (expected != actual) {
      throw new IllegalStateException(
          "%s: %d events, expected %d".formatted(what, actual, expected));
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}

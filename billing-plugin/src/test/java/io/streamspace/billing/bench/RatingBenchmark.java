package io.streamspace.billing.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.BillingMigrations;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.RatingReport;
import io.streamspace.billing.rating.UsageCalculator;
import io.streamspace.billing.support.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long calculate-usage takes to rate one hour of 100,000 active sessions (1 core, 2 GB, each
 * on its own account with 10 GB stored: 300,000 usage records) on the embedded PostgreSQL,
 * against a baseline: a plain {@code INSERT ... SELECT} of as many rows from
 * {@code generate_series} into a table shaped like the usage records, with the same key. The
 * ratio says how much the job costs beyond writing its output; the design target is under 2 s
 * for the job itself. Not a test: no timing is asserted anywhere.
 *
 * <pre>
 * mvn -q -pl billing-plugin test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.streamspace.billing.bench.RatingBenchmark [-Dexec.args="100000 3"]
 * </pre>
 *
 * Arguments: sessions (default 100,000), rounds (default 3; the data is loaded anew for each),
 * GB stored per account (default 10; 0 rates sessions only: 200,000 records), the rating
 * transactions a run runs at once (default {@link UsageCalculator#RATING_TRANSACTIONS}; 1 to
 * compare with rating in one), and the sessions and accounts per chunk (default {@link
 * UsageCalculator#CHUNK_SUBJECTS}); the run does not pause between its rounds of chunks (with
 * {@code -Drating.pause=P} it pauses P % of each round's time, as the job does with {@link
 * UsageCalculator#PAUSE_PERCENT}), and the job's time is its own time ({@link RatingReport#own}:
 * without pauses, its wall time but for its lanes' waits for each round's last chunk). Each round
 * also times a {@code COPY} of as many rows, the benchmark's baseline ({@code CalculateUsageWorkload}), and
 * prints the job's ratio to both.
 *
 * <p>With {@code -Drating.first=true} the hour rated is the sessions' and accounts' first (opened
 * at its start, nothing rated yet), as the benchmark module's calculate-usage workload rates it;
 * without, one after an hour already rated.
 *
 * <p>With {@code -Drating.durable=true} the rounds run on a server of their own with fsync,
 * synchronous commit and full-page writes on, as the host runs its embedded server (the tests'
 * server has them off); {@code -Drating.server.NAME=VALUE} sets another of its settings.
 *
 * <p>With {@code -Drating.explain=DIR} the rounds run on a server of their own that logs every
 * statement of the job with its plan and actual row counts and times ({@code auto_explain}) to a
 * file in DIR: how the share of each step is measured.
 */
public final class RatingBenchmark {

  private static final Logger log = LoggerFactory.getLogger(RatingBenchmark.class);
  private static final Duration TARGET = Duration.ofSeconds(2);
  private static final long CLOCK_TICKS_PER_SECOND = 100; // Linux's USER_HZ
  // rated up to 08:00; heartbeats up to 09:05; at 09:11 the settle point is 09:01 (10 minutes
  // of lateness), so the run rates exactly the hour [08:00, 09:00)
  private static final Instant RATED_UNTIL = Instant.parse("2026-03-02T08:00:00Z");
  private static final Instant NOW = Instant.parse("2026-03-02T09:11:00Z");

  private static final String LOAD =
      """
      WITH opened AS (
        INSERT INTO billing_accounts (user_id, currency, created_at, storage_rated_until, personal)
          SELECT 'u' || i, 'USD', ?, ?::timestamptz, true FROM generate_series(1, ?) i
          RETURNING user_id, created_at)
      INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
          billing_interval, started_at)
        SELECT user_id, 'payg', 'Pay as you go', 0, 'USD', 'month', created_at FROM opened;
      INSERT INTO billing_storage_levels (user_id, effective_from, storage_gb)
        SELECT 'u' || i, ?, ? FROM generate_series(1, ?) i WHERE ? > 0;
      INSERT INTO billing_sessions
        (session_id, user_id, org_id, org_fixed, started_at, last_heartbeat, rated_until)
        SELECT 's' || i, 'u' || i, 'u' || i, true, ?, ?, ? FROM generate_series(1, ?) i;
      INSERT INTO billing_session_sizes (session_id, effective_from, cpu_cores, memory_gb)
        SELECT 's' || i, ?, 1, 2 FROM generate_series(1, ?) i;
      ANALYZE billing_accounts, billing_storage_levels, billing_sessions, billing_session_sizes
      """;

  // the same columns, types, key and identity as the usage records, filled without any logic
  private static final String BASELINE_TABLE =
      """
      DROP TABLE IF EXISTS bench_baseline_records;
      CREATE TABLE bench_baseline_records (LIKE billing_usage_records INCLUDING ALL)
      """;
  private static final String BASELINE_INSERT =
      """
      INSERT INTO bench_baseline_records (user_id, session_id, resource_type, slice_start,
          slice_end, unit_seconds, unit, unit_price, currency, created_at, rating_run)
      SELECT 'u' || i / 3, 's' || i / 3, r.resource_type, ?, ?, 3600, r.unit, 0.05, 'USD', ?, 1
      FROM generate_series(0, ? - 1) i
      CROSS JOIN LATERAL (SELECT (ARRAY['cpu', 'memory', 'storage'])[i % 3 + 1],
          (ARRAY['core-hours', 'gb-hours', 'gb-months'])[i % 3 + 1]) r(resource_type, unit)
      """;

  private RatingBenchmark() {}

  public static void main(String[] args) throws SQLException {
    int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    BigDecimal storageGb = new BigDecimal(args.length > 2 ? args[2] : "10");
    int resources = storageGb.signum() > 0 ? 3 : 2;
    String explainTo = System.getProperty("rating.explain");
    DataSource dataSource =
        explainTo != null
            ? explainingServer(Path.of(explainTo))
            : Boolean.getBoolean("rating.durable") ? durableServer() : TestDatabase.dataSource();
    BillingMigrations.migrate(dataSource);
    int transactions =
        args.length > 3 ? Integer.parseInt(args[3]) : UsageCalculator.RATING_TRANSACTIONS;
    UsageCalculator calculator =
        new UsageCalculator(
            dataSource,
            UsageCalculator.HOURS_PER_RUN,
            UsageCalculator.HOURS_PER_SUBJECT,
            transactions,
            args.length > 4 ? Integer.parseInt(args[4]) : UsageCalculator.CHUNK_SUBJECTS,
            Integer.getInteger("rating.pause", 0));
    BillingConfig config = BillingConfig.defaults();
    for (int round = 1; round <= rounds; round++) {
      TestDatabase.clean(dataSource);
      load(dataSource, sessions, storageGb);
      Map<Integer, Long> cpuBefore = backendCpuMillis(dataSource);
      RatingReport report = calculator.runInChunks(config, NOW);
      UsageCalculator.Outcome outcome = report.outcome();
      Duration job = report.own();
      long jobCpu = cpuSince(dataSource, cpuBefore);
      checkRated(dataSource, sessions, resources, outcome);

      Duration baseline = baseline(dataSource, outcome.recordsInserted());
      cpuBefore = backendCpuMillis(dataSource);
      Duration copy = copy(dataSource, outcome.recordsInserted());
      long copyCpu = cpuSince(dataSource, cpuBefore);
      // on a machine shared with other work the times move with its load; the server's CPU time
      // for the job and for the COPY much less
      log.info(
          "round {}: server CPU {} ms for the job, {} ms for the COPY, ratio {}",
          round,
          jobCpu,
          copyCpu,
          ratio(Duration.ofMillis(jobCpu), Duration.ofMillis(Math.max(1, copyCpu))));
      log.info(
          "round {}: job {} ms for {} sessions ({}), INSERT baseline {} ms and COPY {} ms for {}"
              + " rows, ratio job/INSERT {}, job/COPY {}, target {} ms: {}",
          round,
          job.toMillis(),
          sessions,
          report.summary(),
          baseline.toMillis(),
          copy.toMillis(),
          outcome.recordsInserted(),
          ratio(job, baseline),
          ratio(job, copy),
          TARGET.toMillis(),
          job.compareTo(TARGET) < 0 ? "under" : "OVER");
    }
  }

  private static BigDecimal ratio(Duration job, Duration baseline) {
    return BigDecimal.valueOf(job.toNanos())
        .divide(BigDecimal.valueOf(baseline.toNanos()), 2, RoundingMode.HALF_UP);
  }

  /**
   * The CPU time (user and system, in ms) each backend serving this database has used, by process
   * id, from {@code /proc} (Linux; empty elsewhere). The pool keeps its connections, so the same
   * backends serve the job and the COPY.
   */
  private static Map<Integer, Long> backendCpuMillis(DataSource dataSource) throws SQLException {
    Map<Integer, Long> cpu = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet pids =
            s.executeQuery("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")) {
      while (pids.next()) {
        Path stat = Path.of("/proc", String.valueOf(pids.getInt(1)), "stat");
        try {
          String[] fields = Files.readString(stat).replaceFirst(".*\\) ", "").split(" ");
          // utime and stime, fields 14 and 15 of stat (12 and 13 after the command), in ticks
          long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
          cpu.put(pids.getInt(1), ticks * 1000 / CLOCK_TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
          // not Linux, or the backend ended: not counted
        }
      }
    }
    return cpu;
  }

  private static long cpuSince(DataSource dataSource, Map<Integer, Long> before)
      throws SQLException {
    return backendCpuMillis(dataSource).entrySet().stream()
        .mapToLong(e -> e.getValue() - before.getOrDefault(e.getKey(), 0L))
        .sum();
  }

  /**
   * A server of its own with fsync, synchronous commit and full-page writes on, as the host runs
   * its embedded server; {@code -Drating.server.NAME=VALUE} sets a setting of it more.
   */
  private static DataSource durableServer() {
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setServerConfig("fsync", "on")
            .setServerConfig("synchronous_commit", "on")
            .setServerConfig("full_page_writes", "on");
    String prefix = "rating.server.";
    System.getProperties().stringPropertyNames().stream()
        .filter(name -> name.startsWith(prefix))
        .forEach(
            name ->
                builder.setServerConfig(name.substring(prefix.length()), System.getProperty(name)));
    return pooled(builder);
  }

  /** A server of its own logging every statement's plan, as it ran, to a file in {@code dir}. */
  private static DataSource explainingServer(Path dir) {
    return pooled(
        EmbeddedPostgres.builder()
            .setServerConfig("shared_preload_libraries", "auto_explain")
            .setServerConfig("logging_collector", "on")
            .setServerConfig("log_directory", dir.toAbsolutePath().toString())
            .setServerConfig("auto_explain.log_min_duration", "0")
            .setServerConfig("auto_explain.log_analyze", "on")
            .setServerConfig("auto_explain.log_buffers", "on")
            .setServerConfig("auto_explain.log_nested_statements", "on"));
  }

  /** Starts the server {@code builder} describes, stopped when the JVM exits, and a pool on it. */
  private static DataSource pooled(EmbeddedPostgres.Builder builder) {
    try {
      EmbeddedPostgres server = builder.start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(server)));
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(server.getJdbcUrl("postgres", "postgres"));
      config.setMaximumPoolSize(8);
      return new HikariDataSource(config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void closeQuietly(EmbeddedPostgres server) {
    try {
      server.close();
    } catch (IOException ignored) {
      // the JVM is exiting
    }
  }

  private static void load(DataSource dataSource, int sessions, BigDecimal storageGb)
      throws SQLException {
    // -Drating.first=true: the sessions' and accounts' first hour (opened at 08:00, nothing
    // rated yet), as the benchmark's calculate-usage workload rates
    boolean first = Boolean.getBoolean("rating.first");
    Timestamp ratedUntil = first ? null : Timestamp.from(RATED_UNTIL);
    Timestamp started =
        Timestamp.from(first ? RATED_UNTIL : RATED_UNTIL.minus(Duration.ofMinutes(47)));
    Timestamp heartbeat = Timestamp.from(NOW.minus(Duration.ofMinutes(6)));
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(LOAD)) {
      // without storage the accounts have no storage watermark, as in production
      Object[] params = {
        started,
        storageGb.signum() > 0 ? ratedUntil : null,
        sessions,
        started,
        storageGb,
        sessions,
        storageGb,
        started,
        heartbeat,
        ratedUntil,
        sessions,
        started,
        sessions
      };
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, params[i]);
      }
      s.execute();
    }
  }

  /** Fails loudly unless the job rated exactly one hour of every session and account. */
  private static void checkRated(
      DataSource dataSource, int sessions, int resources, UsageCalculator.Outcome outcome)
      throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                """
            SELECT sum(unit_seconds) FILTER (WHERE resource_type = 'cpu'),
                   sum(unit_seconds) FILTER (WHERE resource_type = 'memory')
            FROM billing_usage_records""")) {
      rs.next();
      BigDecimal coreHours = UsageUnit.CPU.quantity(rs.getBigDecimal(1));
      BigDecimal gbHours = UsageUnit.MEMORY.quantity(rs.getBigDecimal(2));
      if (coreHours.compareTo(BigDecimal.valueOf(sessions)) != 0
          || gbHours.compareTo(BigDecimal.valueOf(2L * sessions)) != 0
          || outcome.recordsInserted() != (long) resources * sessions) {
        throw new IllegalStateException(
            "rated %s core-hours, %s GB-hours in %d records for %d"
                    .formatted(coreHours, gbHours, outcome.recordsInserted(), sessions)
                + " sessions");
      }
      log.info(
          "rated {} core-hours and {} GB-hours in {} records",
          coreHours.toPlainString(),
          gbHours.toPlainString(),
          outcome.recordsInserted());
    }
  }

  /** COPY of {@code rows} rows like the job's into a fresh table shaped like the records. */
  private static Duration copy(DataSource dataSource, long rows) throws SQLException {
    String[][] resources = {
      {"cpu", "3600", "core-hours", "0.05"},
      {"memory", "7200", "gb-hours", "0.01"},
      {"storage", "36000", "gb-months", "0.10"}
    };
    StringBuilder text = new StringBuilder();
    for (long i = 0; i < rows; i++) {
      String[] r = resources[(int) (i % 3)];
      text.append("bu").append(i / 3).append('\t').append(i % 3 == 2 ? "" : "bs" + i / 3);
      text.append('\t').append(r[0]).append('\t').append(RATED_UNTIL).append('\t');
      text.append(RATED_UNTIL.plus(Duration.ofHours(1))).append('\t').append(r[1]);
      text.append('\t').append(r[2]).append('\t').append(r[3]).append("\tUSD\t").append(NOW);
      text.append("\t1\n"); // a rating run, as BASELINE_INSERT stamps its rows
    }
    try (Connection c = dataSource.getConnection()) {
      try (Statement s = c.createStatement()) {
        s.execute(BASELINE_TABLE);
      }
      long start = System.nanoTime();
      long copied =
          c.unwrap(PGConnection.class)
              .getCopyAPI()
              .copyIn(
                  "COPY bench_baseline_records (user_id, session_id, resource_type, slice_start,"
                      + " slice_end, unit_seconds, unit, unit_price, currency, created_at,"
                      + " rating_run) FROM STDIN",
                  new StringReader(text.toString()));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      if (copied != rows) {
        throw new IllegalStateException("COPY wrote %d of %d rows".formatted(copied, rows));
      }
      return took;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Duration baseline(DataSource dataSource, long rows) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      try (Statement s = c.createStatement()) {
        s.execute(BASELINE_TABLE);
      }
      c.setAutoCommit(false);
      try (PreparedStatement s = c.prepareStatement(BASELINE_INSERT)) {
        s.setTimestamp(1, Timestamp.from(RATED_UNTIL));
        s.setTimestamp(2, Timestamp.from(RATED_UNTIL.plus(Duration.ofHours(1))));
        s.setTimestamp(3, Timestamp.from(NOW));
        s.setLong(4, rows);
        long start = System.nanoTime();
        s.executeUpdate();
        c.commit();
        return Duration.ofNanos(System.nanoTime() - start);
      }
    }
  }
}

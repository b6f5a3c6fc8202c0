package io.streamspace.billing.bench;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.BillingMigrations;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.UsageCalculator;
import io.streamspace.billing.support.TestDatabase;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
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
 * GB stored per account (default 10; 0 rates sessions only: 200,000 records), and the rating
 * transactions a run splits the accounts into (default {@link
 * UsageCalculator#RATING_TRANSACTIONS}; 1 to compare with rating in one).
 */
public final class RatingBenchmark {

  private static final Logger log = LoggerFactory.getLogger(RatingBenchmark.class);
  private static final Duration TARGET = Duration.ofSeconds(2);
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
    DataSource dataSource = TestDatabase.dataSource();
    BillingMigrations.migrate(dataSource);
    int transactions =
        args.length > 3 ? Integer.parseInt(args[3]) : UsageCalculator.RATING_TRANSACTIONS;
    UsageCalculator calculator =
        new UsageCalculator(
            dataSource,
            UsageCalculator.HOURS_PER_RUN,
            UsageCalculator.HOURS_PER_SUBJECT,
            transactions);
    BillingConfig config = BillingConfig.defaults();
    for (int round = 1; round <= rounds; round++) {
      TestDatabase.clean();
      load(dataSource, sessions, storageGb);
      long start = System.nanoTime();
      UsageCalculator.Outcome outcome = calculator.run(config, NOW);
      Duration job = Duration.ofNanos(System.nanoTime() - start);
      checkRated(dataSource, sessions, resources, outcome);

      Duration baseline = baseline(dataSource, outcome.recordsInserted());
      log.info(
          "round {}: job {} ms for {} sessions ({}), baseline {} ms for {} rows, "
              + "ratio job/baseline {}, target {} ms: {}",
          round,
          job.toMillis(),
          sessions,
          outcome.summary(),
          baseline.toMillis(),
          outcome.recordsInserted(),
          BigDecimal.valueOf(job.toNanos())
              .divide(BigDecimal.valueOf(baseline.toNanos()), 2, RoundingMode.HALF_UP),
          TARGET.toMillis(),
          job.compareTo(TARGET) < 0 ? "under" : "OVER");
    }
  }

  private static void load(DataSource dataSource, int sessions, BigDecimal storageGb)
      throws SQLException {
    Timestamp ratedUntil = Timestamp.from(RATED_UNTIL);
    Timestamp started = Timestamp.from(RATED_UNTIL.minus(Duration.ofMinutes(47)));
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

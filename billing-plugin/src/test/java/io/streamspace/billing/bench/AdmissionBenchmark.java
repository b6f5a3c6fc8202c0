package io.streamspace.billing.bench;

import io.streamspace.billing.admission.Admission;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.BillingMigrations;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.billing.support.TestPluginContext;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.session.AdmissionRequest;
import io.streamspace.testing.MutableClock;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission decisions per second and their p50/p99 latency in process, from one thread, with
 * {@code accounts} accounts loaded into the view by one reload (timed too) from the embedded
 * PostgreSQL, then the first checks of 10,000 accounts on a node that holds none (each reads its
 * account, as after it left the view): every account on the free plan (2 active sessions, hard), every other account with
 * 2 open sessions of 0.5 cores and 1 GB (so refused), the others with 1 (allowed). Each decision
 * is for a random account. The design target is a p99 of 50 µs. Not a test: no timing is
 * asserted anywhere.
 *
 * <pre>
 * mvn -q -pl billing-plugin test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.streamspace.billing.bench.AdmissionBenchmark \
 *     [-Dexec.args="100000 2000000 3"]
 * </pre>
 *
 * Arguments: accounts (default 100,000), decisions per round (default 2,000,000), rounds
 * (default 3; the first warms the JVM up).
 */
public final class AdmissionBenchmark {

  private static final Logger log = LoggerFactory.getLogger(AdmissionBenchmark.class);

  /** How many first checks (each reading its account) a round times. */
  private static final int FIRST_CHECKS = 10_000;

  private static final String LOAD =
      """
      INSERT INTO billing_accounts (user_id, currency, created_at, personal)
        SELECT 'u' || i, 'USD', now(), true FROM generate_series(1, %1$d) i;
      INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
          billing_interval, started_at)
        SELECT 'u' || i, 'free', 'Free Tier', 0, 'USD', 'month', now()
        FROM generate_series(1, %1$d) i;
      INSERT INTO billing_sessions
          (session_id, user_id, org_id, org_fixed, started_at, last_heartbeat)
        SELECT 's' || i || '-' || n, 'u' || i, 'u' || i, true, now(), now()
        FROM generate_series(1, %1$d) i, generate_series(1, 1 + i %% 2) n;
      INSERT INTO billing_session_sizes (session_id, effective_from, cpu_cores, memory_gb)
        SELECT session_id, started_at, 0.5, 1 FROM billing_sessions;
      ANALYZE billing_accounts, billing_subscriptions, billing_sessions, billing_session_sizes
      """;

  /**
   * What one round measured.
   *
   * @param firstChecks checks on a node that holds no account yet, each the first of its
   *     account, so each reads its account from the database (as after it left the view)
   * @param firstRefused how many of those were refused
   */
  public record Round(
      int decisions,
      int refused,
      Duration reload,
      double perSecond,
      long p50Nanos,
      long p99Nanos,
      int firstChecks,
      int firstRefused,
      long firstP50Nanos,
      long firstP99Nanos) {}

  private AdmissionBenchmark() {}

  public static void main(String[] args) throws SQLException {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int decisions = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    for (int round = 1; round <= rounds; round++) {
      Round r = run(accounts, decisions);
      log.info(
          "round {}: {} accounts reloaded in {} ms; {} decisions ({} refused): {}/s,"
              + " p50 {} µs, p99 {} µs (target p99 ≤ 50 µs); {} first checks of accounts not"
              + " held (each reads its account): p50 {} µs, p99 {} µs",
          round,
          accounts,
          r.reload().toMillis(),
          r.decisions(),
          r.refused(),
          Math.round(r.perSecond()),
          r.p50Nanos() / 1000.0,
          r.p99Nanos() / 1000.0,
          r.firstChecks(),
          r.firstP50Nanos() / 1000.0,
          r.firstP99Nanos() / 1000.0);
    }
  }

  /** Loads {@code accounts} accounts, reloads the view and times {@code decisions} decisions. */
  public static Round run(int accounts, int decisions) throws SQLException {
    DataSource dataSource = TestDatabase.dataSource();
    BillingMigrations.migrate(dataSource);
    TestDatabase.clean();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(LOAD.formatted(accounts));
    }
    BillingConfig config = BillingConfig.defaults();
    TestPluginContext host = new TestPluginContext(new MutableClock(Instant.now()));
    AccountHolds holds =
        new AccountHolds(
            dataSource, new BillingEvents(host.events()), host.sessions(), Clock.systemUTC());
    try (Admission admission =
        new Admission(
            dataSource,
            holds,
            () -> config,
            Clock.systemUTC(),
            (org, currency) -> Optional.empty())) {
      long reloadStart = System.nanoTime();
      admission.refresh();
      Duration reload = Duration.ofNanos(System.nanoTime() - reloadStart);

      AdmissionRequest[] requests = new AdmissionRequest[accounts];
      ResourceSize size = new ResourceSize(new BigDecimal("0.5"), BigDecimal.ONE, BigDecimal.ZERO);
      for (int i = 0; i < accounts; i++) {
        requests[i] = new AdmissionRequest("u" + (i + 1), null, size);
      }
      SplittableRandom random = new SplittableRandom(42);
      long[] latencies = new long[decisions];
      int refused = 0;
      long start = System.nanoTime();
      for (int i = 0; i < decisions; i++) {
        AdmissionRequest request = requests[random.nextInt(accounts)];
        long t0 = System.nanoTime();
        boolean allowed = admission.admit(request).allowed();
        latencies[i] = System.nanoTime() - t0;
        refused += allowed ? 0 : 1;
      }
      long elapsed = System.nanoTime() - start;
      Arrays.sort(latencies);
      int firstChecks = Math.min(accounts, FIRST_CHECKS);
      long[] firsts = new long[firstChecks];
      int firstRefused = 0;
      try (Admission fresh =
          new Admission(
              dataSource,
              holds,
              () -> config,
              Clock.systemUTC(),
              (org, currency) -> Optional.empty())) {
        for (int i = 0; i < firstChecks; i++) {
          long t0 = System.nanoTime();
          boolean allowed = fresh.admit(requests[i]).allowed();
          firsts[i] = System.nanoTime() - t0;
          firstRefused += allowed ? 0 : 1;
        }
      }
      Arrays.sort(firsts);
      return new Round(
          decisions,
          refused,
          reload,
          decisions * 1e9 / elapsed,
          latencies[decisions / 2],
          latencies[(int) (decisions * 0.99)],
          firstChecks,
          firstRefused,
          firsts[firstChecks / 2],
          firsts[(int) (firstChecks * 0.99)]);
    }
  }
}

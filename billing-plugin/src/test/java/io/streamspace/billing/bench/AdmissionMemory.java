package io.streamspace.billing.bench;

import io.streamspace.billing.admission.Admission;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.BillingMigrations;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.billing.support.TestPluginContext;
import io.streamspace.testing.MutableClock;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What admission keeps in memory per account and per open session, measured as heap deltas: the
 * used heap after a full GC before an {@link Admission} is built and after its reload took
 * {@code accounts} accounts each with one open session, then the same with two sessions each
 * (on a fresh database each time); the difference is a session's bytes, the rest an account's.
 * Idle accounts ({@code accounts} more, with a plan and no session) are stored too: the view
 * does not hold them. Ids are as long as the benchmark's ({@code bench-heap-u12345}, {@code
 * bench-heap-s12345}). Not a test: nothing is asserted about sizes.
 *
 * <pre>
 * mvn -q -pl billing-plugin test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.streamspace.billing.bench.AdmissionMemory [-Dexec.args="100000"]
 * </pre>
 */
public final class AdmissionMemory {

  private static final Logger log = LoggerFactory.getLogger(AdmissionMemory.class);

  // accounts bench-heap-u<i> with <sessions> open sessions each of 1 core and 2 GB, and as
  // many idle accounts bench-idle-u<i> with a subscription and no session
  private static final String LOAD =
      """
      INSERT INTO billing_accounts (user_id, currency, created_at, personal)
        SELECT 'bench-heap-u' || i, 'USD', now(), true FROM generate_series(1, %1$d) i
        UNION ALL
        SELECT 'bench-idle-u' || i, 'USD', now(), true FROM generate_series(1, %1$d) i;
      INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
          billing_interval, started_at)
        SELECT user_id, 'free', 'Free Tier', 0, 'USD', 'month', now() FROM billing_accounts;
      INSERT INTO billing_sessions
          (session_id, user_id, org_id, org_fixed, started_at, last_heartbeat)
        SELECT 'bench-heap-s' || (i * 2 + n), 'bench-heap-u' || i, 'bench-heap-u' || i, true,
               now(), now()
        FROM generate_series(1, %1$d) i, generate_series(1, %2$d) n;
      INSERT INTO billing_session_sizes (session_id, effective_from, cpu_cores, memory_gb)
        SELECT session_id, started_at, 1, 2 FROM billing_sessions;
      ANALYZE billing_accounts, billing_subscriptions, billing_sessions, billing_session_sizes
      """;

  /**
   * What one load measured.
   *
   * @param held the accounts the view holds after the reload
   * @param bytes the used heap it added, the Admission and its view
   */
  public record Held(int held, long bytes) {}

  /** Bytes per account (its sessions apart) and per open session. */
  public record Sizes(long perAccount, long perSession) {}

  private AdmissionMemory() {}

  public static void main(String[] args) throws SQLException {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Sizes sizes = measure(accounts);
    log.info(
        "admission's view: {} bytes per account, {} bytes per open session ({} accounts)",
        sizes.perAccount(),
        sizes.perSession(),
        accounts);
  }

  /** Two loads, one and two sessions an account: a session's bytes and an account's. */
  public static Sizes measure(int accounts) throws SQLException {
    Held one = load(accounts, 1);
    Held two = load(accounts, 2);
    long perSession = (two.bytes() - one.bytes()) / accounts;
    return new Sizes(one.bytes() / accounts - perSession, perSession);
  }

  /** The heap one Admission takes once its reload read the accounts with their sessions. */
  public static Held load(int accounts, int sessionsEach) throws SQLException {
    DataSource dataSource = TestDatabase.dataSource();
    BillingMigrations.migrate(dataSource);
    TestDatabase.clean();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(LOAD.formatted(accounts, sessionsEach));
    }
    BillingConfig config = BillingConfig.defaults();
    TestPluginContext host = new TestPluginContext(new MutableClock(Instant.now()));
    AccountHolds holds =
        new AccountHolds(
            dataSource, new BillingEvents(host.events()), host.sessions(), Clock.systemUTC());
    long before = usedAfterGc();
    try (Admission admission =
        new Admission(
            dataSource,
            holds,
            () -> config,
            Clock.systemUTC(),
            (org, currency) -> Optional.empty())) {
      admission.refresh();
      long after = usedAfterGc();
      return new Held(admission.accounts(), after - before);
    }
  }

  private static long usedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    // twice: what the first releases through references is collected by the second
    memory.gc();
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }
}

package io.streamspace.billing.invoicing;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.BillingMigrations;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.pace.BackgroundLane;
import io.streamspace.billing.rating.UsageRollup;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finalization's cost per invoice and per step, on the embedded PostgreSQL, for the benchmark's
 * invoicing shape ({@code InvoicingWorkload}: personal USD accounts in usage mode, 744 hourly
 * storage records and a credit each) and for the same accounts without usage (so the per-record
 * usage claim, which another change replaces by a claim by range, does not hide the rest), one
 * draft per transaction and in chunks of each size given. Each statement's time is summed by what
 * it does (a proxy around the connections), and the commits apart. Not a test: no timing is
 * asserted anywhere; the machine's other load shows in the figures, so compare ratios of one run.
 *
 * <pre>
 * mvn -o -pl billing-plugin -am test -Dtest=FinalizationBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dbench.accounts=2000 [-Dbench.chunks=1,50,250] \
 *     [-Dbench.workers=1,2] [-Dbench.usage=true]
 * </pre>
 *
 * Runs only when {@code bench.accounts} is given; {@code bench.chunks} defaults to 1, 50, 250
 * and 1,000, {@code bench.workers} (chunks finalized at once) to the finalizer's own, {@code
 * bench.usage} to both {@code false,true}. Each run also times the drafts'
 * statement (generate-invoices' first step) and, after finalization, the benchmark's baseline on
 * the same data (one INSERT … SELECT of as many lines, as {@code InvoicingWorkload}'s), and
 * prints (drafts + finalization) / baseline, the ratio the benchmark's invoicing row reports.
 *
 * <p>With usage, each run is made with the daily usage rollup not built (the claim reads the
 * records) and built before the drafts (the claim reads its days: the benchmark's invoicing
 * workload rolls up before it times generate-invoices), one after the other, {@code
 * bench.rounds} times (default 1), and the ratio of their times is printed per pair; the
 * roll-up's own time is logged apart (it is not finalization's: the roll-up-usage job pays it a
 * minute's records at a time). {@code bench.rollup} picks {@code false}, {@code true} or both
 * (the default).
 *
 * <p>With {@code -Dbench.explain=true}, each finalization statement's plan is logged once, from
 * the first chunk that runs it (EXPLAIN (ANALYZE, BUFFERS) with the statement's own binds, in a
 * savepoint rolled back before the statement runs): per node and per trigger, where the step's
 * time goes. That chunk's figures then include the EXPLAIN's.
 */
class FinalizationBenchmark {

  private static final Logger log = LoggerFactory.getLogger(FinalizationBenchmark.class);
  private static final Instant MARCH = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant APRIL = Instant.parse("2026-04-01T00:00:00Z");

  private static final String ACCOUNTS =
      """
      INSERT INTO billing_accounts (user_id, currency, created_at, personal)
        SELECT 'u' || i, 'USD', '2026-02-01T00:00:00Z', true FROM generate_series(1, %1$d) i;
      INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
          billing_interval, started_at)
        SELECT 'u' || i, 'free', 'Free Tier', 0, 'USD', 'month', '2026-02-01T00:00:00Z'
        FROM generate_series(1, %1$d) i;
      INSERT INTO billing_credits (user_id, amount, remaining, currency, reason, granted_by,
                                   granted_at)
        SELECT 'u' || i, 0.50, 0.50, 'USD', 'benchmark credit', 'bench', '2026-03-02T00:00:00Z'
        FROM generate_series(1, %1$d) i;
      """;

  // as InvoicingWorkload writes it: one 10 GB storage record per account and hour of March
  private static final String USAGE =
      """
      INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
          slice_end, unit_seconds, unit, unit_price, currency, created_at, rating_run)
      SELECT 'u' || i, '', 'storage', h, h + interval '1 hour', 36000, 'gb-months', 0.10,
             'USD', h + interval '70 minutes', 0
      FROM generate_series(1, %d) i
      CROSS JOIN generate_series('2026-03-01T00:00:00Z'::timestamptz,
                                 '2026-03-31T23:00:00Z'::timestamptz, interval '1 hour') h
      """;

  @Test
  @EnabledIfSystemProperty(named = "bench.accounts", matches = "\\d+")
  void finalizationPerInvoiceAndStep() throws Exception {
    int accounts = Integer.parseInt(System.getProperty("bench.accounts"));
    List<Integer> chunks =
        Stream.of(System.getProperty("bench.chunks", "1,50,250,1000").split(","))
            .map(Integer::valueOf)
            .toList();
    List<Boolean> usages =
        Stream.of(System.getProperty("bench.usage", "false,true").split(","))
            .map(Boolean::valueOf)
            .toList();
    List<Boolean> rollups =
        Stream.of(System.getProperty("bench.rollup", "false,true").split(","))
            .map(Boolean::valueOf)
            .toList();
    List<Integer> workers =
        Stream.of(
                System.getProperty("bench.workers", String.valueOf(InvoiceFinalizer.WORKERS))
                    .split(","))
            .map(Integer::valueOf)
            .toList();
    int rounds = Integer.parseInt(System.getProperty("bench.rounds", "1"));
    for (int round = 1; round <= rounds; round++) {
      for (boolean usage : usages) {
        for (int chunk : chunks) {
          for (int threads : workers) {
            Map<Boolean, Long> took = new TreeMap<>();
            for (boolean rollup : usage ? rollups : List.of(false)) {
              took.put(rollup, run(accounts, usage, chunk, threads, rollup));
            }
            if (took.size() == 2) {
              log.info(
                  "round {}, chunks of {} on {} workers: drafts + finalization reading the"
                      + " records {} ms, the rollup {} ms: records / rollup {}",
                  round,
                  chunk,
                  threads,
                  took.get(false) / 1_000_000,
                  took.get(true) / 1_000_000,
                  "%.2f".formatted((double) took.get(false) / took.get(true)));
            }
          }
        }
      }
    }
  }

  /** One run; answers the drafts' and finalization's time, in nanoseconds. */
  private static long run(int accounts, boolean usage, int chunk, int workers, boolean rollup)
      throws Exception {
    DataSource plain = TestDatabase.dataSource();
    BillingMigrations.migrate(plain);
    TestDatabase.clean();
    try (Connection c = plain.getConnection();
        Statement s = c.createStatement()) {
      s.execute(ACCOUNTS.formatted(accounts));
      if (usage) {
        s.execute(USAGE.formatted(accounts));
      }
      s.execute("ANALYZE");
    }
    if (rollup) {
      long rolling = System.nanoTime();
      new UsageRollup(plain, BackgroundLane.quiet())
          .rollUp(BillingConfig.defaults().billingTimeZone());
      try (Connection c = plain.getConnection();
          Statement s = c.createStatement()) {
        s.execute("ANALYZE billing_usage_daily");
      }
      log.info(
          "the roll-up of {} accounts' usage, before the drafts: {} ms",
          accounts,
          (System.nanoTime() - rolling) / 1_000_000);
    }
    Map<String, LongAdder> steps = new ConcurrentHashMap<>();
    DataSource timed = timed(plain, steps);
    long drafting = System.nanoTime();
    new InvoiceDrafts(timed, workers, InvoiceDrafts.ACCOUNTS_PER_STATEMENT)
        .generate(MARCH, APRIL, APRIL, APRIL, Cause.job("generate-invoices"));
    drafting = System.nanoTime() - drafting;
    InvoiceFinalizer finalizer =
        new InvoiceFinalizer(
            timed,
            new InvoiceCalculator(timed, BillingConfig::defaults),
            new BillingEvents((type, payload) -> {}),
            BillingConfig::defaults,
            (connection, invoice) -> {},
            PluginMetrics.none(),
            null,
            new InvoiceFinalizer.Chunking(chunk, workers));
    long start = System.nanoTime();
    Finalization done = finalizer.finalizeDue(APRIL.plusSeconds(3_600));
    long elapsed = System.nanoTime() - start;
    StringBuilder table = new StringBuilder();
    Map<String, Long> sorted = new TreeMap<>();
    steps.forEach((step, nanos) -> sorted.put(step, nanos.sum()));
    // the finalization's statements: the drafts' statement ran before it, timed apart
    long statements =
        sorted.entrySet().stream()
            .filter(step -> !step.getKey().equals(DRAFTS))
            .mapToLong(Map.Entry::getValue)
            .sum();
    sorted.forEach(
        (step, nanos) ->
            table.append(
                "%n  %-28s %8.1f µs/invoice".formatted(step, nanos / 1e3 / done.finalized())));
    table.append(
        "%n  %-28s %8.1f µs/invoice"
            .formatted(
                "(Java, between statements)", (elapsed - statements) / 1e3 / done.finalized()));
    long baseline = baseline(plain);
    log.info(
        "{} invoices {} usage{}, chunks of {} on {} workers: drafts {} ms, finalization {} ms,"
            + " {} µs an invoice; baseline INSERT … SELECT {} ms, (drafts + finalization) /"
            + " baseline {}{}",
        done.finalized(),
        usage ? "with 744 storage records of" : "without",
        usage ? (rollup ? " read through the rollup" : " read from the records") : "",
        chunk,
        workers,
        drafting / 1_000_000,
        elapsed / 1_000_000,
        elapsed / 1_000 / done.finalized(),
        baseline / 1_000_000,
        "%.2f".formatted((double) (drafting + elapsed) / baseline),
        table);
    return drafting + elapsed;
  }

  /**
   * The benchmark's baseline ({@code InvoicingWorkload}): as many lines as finalization wrote,
   * from the same records and credits, by one INSERT … SELECT into a logged copy of the lines;
   * answers its time.
   */
  private static long baseline(DataSource dataSource) throws Exception {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          """
          DROP TABLE IF EXISTS bench_invoice_lines_copy;
          CREATE TABLE bench_invoice_lines_copy (LIKE billing_invoice_lines INCLUDING ALL)""");
      long start = System.nanoTime();
      s.execute(BASELINE);
      long elapsed = System.nanoTime() - start;
      s.execute("DROP TABLE bench_invoice_lines_copy");
      return elapsed;
    }
  }

  // InvoicingWorkload's baseline, on this class's accounts and March
  private static final String BASELINE =
      """
      INSERT INTO bench_invoice_lines_copy (invoice_id, line_no, kind, description,
          resource_type, quantity, unit, unit_price, amount, period_start, period_end)
      WITH accounts AS (
        SELECT user_id, row_number() OVER (ORDER BY user_id) AS invoice_id
        FROM billing_accounts WHERE user_id LIKE 'u%'),
      lines AS (
        SELECT a.invoice_id, 1 AS part,
               row_number() OVER (PARTITION BY a.invoice_id
                                  ORDER BY u.resource_type, u.unit_price) AS item,
               'usage' AS kind, 'usage: ' || u.resource_type AS description, u.resource_type,
               u.quantity, u.unit, u.unit_price, round(u.quantity * u.unit_price, 2) AS amount,
               '2026-03-01T00:00:00Z'::timestamptz AS period_start,
               '2026-04-01T00:00:00Z'::timestamptz AS period_end
        FROM accounts a
        JOIN (SELECT user_id, resource_type, unit, unit_price,
                     sum(unit_seconds) / 3600 AS quantity
              FROM billing_usage_records
              WHERE user_id LIKE 'u%' AND slice_start >= '2026-03-01T00:00:00Z'
                AND slice_start < '2026-04-01T00:00:00Z'
              GROUP BY user_id, resource_type, unit, unit_price) u ON u.user_id = a.user_id
        UNION ALL
        SELECT a.invoice_id, 2, c.id, 'credit', 'Credit: ' || c.reason, NULL, NULL, NULL, NULL,
               -c.amount, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'
        FROM accounts a JOIN billing_credits c ON c.user_id = a.user_id)
      SELECT invoice_id, row_number() OVER (PARTITION BY invoice_id ORDER BY part, item),
             kind, description, resource_type, quantity, unit, unit_price, amount, period_start,
             period_end
      FROM lines""";

  private static final String DRAFTS = "drafts (generate)";

  /** What each statement does, from its text: the step it belongs to. */
  private static final Map<String, String> STEPS = new LinkedHashMap<>();

  static {
    STEPS.put("status = 'draft' AND finalize_after", "list due drafts");
    STEPS.put("one statement for every account", DRAFTS);
    STEPS.put("SKIP LOCKED", "lock drafts");
    STEPS.put("FROM billing_accounts\n", "lock accounts (team?)");
    STEPS.put("min(slice_start)", "usage: floor");
    STEPS.put("INSERT INTO billing_usage_claims", "usage: claim + buckets");
    STEPS.put("JOIN billing_subscriptions", "plan terms");
    STEPS.put("FILTER (WHERE r.occurred_at", "counters: split");
    STEPS.put("r.user_id, sum(r.quantity)", "counters: by member");
    STEPS.put("p.adds::text", "counters: packs added");
    STEPS.put("billing_org_events", "seats");
    STEPS.put("UPDATE billing_pack_events", "packs: one-time (claim)");
    STEPS.put("kind = 'recurring'", "packs: recurring");
    STEPS.put("FOR UPDATE OF c", "credits: lock + read");
    STEPS.put("UPDATE billing_credits", "credits: spend");
    STEPS.put("billing_credit_applications", "credits: record");
    STEPS.put("INSERT INTO billing_invoice_lines", "lines");
    STEPS.put("billing_invoice_member_amounts", "member amounts");
    STEPS.put("billing_invoice_numbers", "numbers");
    STEPS.put("UPDATE billing_invoices", "finalize update");
    STEPS.put("INSERT INTO billing_audit_entries", "audit entries");
  }

  private static String step(String sql) {
    for (Map.Entry<String, String> step : STEPS.entrySet()) {
      if (sql.contains(step.getKey())) {
        return step.getValue();
      }
    }
    return sql.strip().lines().findFirst().orElse("?");
  }

  /** The data source, its statements' execution and its commits timed into {@code steps}. */
  private static DataSource timed(DataSource dataSource, Map<String, LongAdder> steps) {
    return (DataSource)
        Proxy.newProxyInstance(
            FinalizationBenchmark.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              Object result = invoke(dataSource, method, args);
              return result instanceof Connection c ? connection(c, steps) : result;
            });
  }

  private static Connection connection(Connection connection, Map<String, LongAdder> steps) {
    return (Connection)
        Proxy.newProxyInstance(
            FinalizationBenchmark.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (method.getName().equals("commit")) {
                return timedCall(steps, "commit", connection, method, args);
              }
              Object result = invoke(connection, method, args);
              if (result instanceof PreparedStatement p
                  && method.getName().equals("prepareStatement")) {
                return statement(p, step((String) args[0]), steps, connection, (String) args[0]);
              }
              return result;
            });
  }

  /** The steps whose plan was logged ({@code bench.explain}): each once, in the first run. */
  private static final Set<String> EXPLAINED = ConcurrentHashMap.newKeySet();

  private static PreparedStatement statement(
      PreparedStatement statement,
      String step,
      Map<String, LongAdder> steps,
      Connection connection,
      String sql) {
    List<Object[]> binds = new ArrayList<>();
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (!method.getName().startsWith("execute")) {
            if (method.getName().startsWith("set")) {
              binds.add(new Object[] {method, args});
            }
            return invoke(statement, method, args);
          }
          // a finalization chunk's statement (its transaction, after the drafts were locked)
          if (Boolean.getBoolean("bench.explain")
              && !connection.getAutoCommit()
              && steps.containsKey("lock drafts")
              && EXPLAINED.add(step)) {
            explain(connection, step, sql, binds);
          }
          return timedCall(steps, step, statement, method, args);
        };
    return (PreparedStatement)
        Proxy.newProxyInstance(
            FinalizationBenchmark.class.getClassLoader(),
            new Class<?>[] {PreparedStatement.class},
            handler);
  }

  /**
   * Logs the plan of the statement with its binds, as EXPLAIN (ANALYZE, BUFFERS) runs it: in a
   * savepoint rolled back before the statement itself runs, so that it changes nothing (but
   * sequences).
   */
  private static void explain(Connection connection, String step, String sql, List<Object[]> binds)
      throws Throwable {
    Savepoint before = connection.setSavepoint();
    try (PreparedStatement explain =
        connection.prepareStatement("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)) {
      for (Object[] bind : binds) {
        invoke(explain, (Method) bind[0], (Object[]) bind[1]);
      }
      StringBuilder plan = new StringBuilder();
      try (ResultSet rs = explain.executeQuery()) {
        while (rs.next()) {
          plan.append('\n').append(rs.getString(1));
        }
      }
      log.info("the plan of {}, in the first chunk:{}", step, plan);
    } finally {
      connection.rollback(before);
    }
  }

  private static Object timedCall(
      Map<String, LongAdder> steps, String step, Object target, Method method, Object[] args)
      throws Throwable {
    long start = System.nanoTime();
    try {
      return invoke(target, method, args);
    } finally {
      steps.computeIfAbsent(step, s -> new LongAdder()).add(System.nanoTime() - start);
    }
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}

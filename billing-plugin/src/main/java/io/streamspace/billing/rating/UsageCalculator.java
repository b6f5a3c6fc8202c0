package io.streamspace.billing.rating;

import io.streamspace.billing.account.AccountTermsLock;
import io.streamspace.billing.catalog.ComputeRates;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * calculate-usage: rates every session's and every account's unrated time into usage records,
 * set-based, at most a bounded amount of it per run. One transaction closes the timed-out
 * sessions and plans the run; then the accounts, split by hash into {@link #RATING_TRANSACTIONS}
 * shares, are rated concurrently (PostgreSQL runs each statement on one core), each share in a
 * transaction of its own: a crash half-way leaves each account wholly rated or untouched, and a
 * re-run inserts nothing twice thanks to the watermarks, with the unique slice key as the safety
 * net. {@code RatingBenchmark} (in the tests) measures it.
 *
 * <p>Semantics:
 * <ul>
 *   <li><b>Timeout.</b> A session without an end whose last heartbeat is older than the
 *       heartbeat timeout is closed at its last heartbeat ({@code heartbeat_timeout}).
 *   <li><b>Lateness.</b> Time is settled only up to {@code now - timeout}: events that arrive
 *       up to one timeout late are still billed exactly; later ones cannot change rated time.
 *   <li><b>Slices.</b> Unrated time {@code [rated_until or started_at, settle point)} is cut
 *       ({@link SliceCuts}) at every UTC hour and at every midnight in the billing zone (every
 *       billing-period start is one). An open session rates only slices that end by its settle
 *       point; an ended session also rates its final partial slice.
 *   <li><b>Bound.</b> A subject's (a session's, or an account's storage's) work is its unrated
 *       time up to its settle point. A run rates at most {@code hoursPerSubject} hours of a
 *       subject, and at most {@code hoursPerRun} hours in all: when more is waiting, each
 *       subject rates at most L hours past its watermark, L the largest whole number of hours
 *       (at least 1) at which Σ min(work, L) fits, so short backlogs complete and long ones (a
 *       session created weeks ago, a month of events replayed) are worked off over the next
 *       runs. The outcome says what is left.
 *   <li><b>Usage.</b> Σ size × overlap seconds over the size steps overlapping a slice, in
 *       exact unit-seconds: CPU core-seconds, memory GB-seconds, and storage GB-seconds of the
 *       account's level (the last reported by any of its sessions, kept after they end). Zero
 *       usage is not stored. Units ({@link UsageUnit}) are applied only when reporting.
 *   <li><b>Prices.</b> The rates in effect when the job runs in the account's currency
 *       ({@code computeRates} for the default currency, else {@code currencyRates}), stored
 *       with each record with that currency. An account whose currency is no longer
 *       configured is left unrated (its watermarks stay) until it is again: its usage is
 *       neither lost nor priced in another currency.
 * </ul>
 */
public final class UsageCalculator {

  private static final NamedSql CLOSE_TIMED_OUT =
      NamedSql.of(
          """
          UPDATE billing_sessions SET ended_at = last_heartbeat, end_reason = 'heartbeat_timeout'
          WHERE NOT settled AND ended_at IS NULL AND last_heartbeat < :cap
          """);

  private static final NamedSql SETTLE_EMPTY =
      NamedSql.of(
          """
          -- sessions that ended before any of their time could be rated have nothing left to do
          UPDATE billing_sessions SET settled = true
          WHERE NOT settled AND ended_at <= coalesce(rated_until, started_at)
          """);

  // What is left to rate, shared by RANGE, LEVEL and RATE so that they all see the same subjects.
  private static final String UNRATED =
      """
      -- the unsettled sessions
      SELECT s.user_id, s.session_id, coalesce(a.currency, :default_currency) AS currency,
             coalesce(s.rated_until, s.started_at) AS from_t,
             least(coalesce(s.ended_at, s.last_heartbeat), p.cap) AS settle,
             coalesce(s.ended_at <= p.cap, false) AS final
      FROM (SELECT :cap::timestamptz AS cap) p
      CROSS JOIN billing_sessions s
      LEFT JOIN billing_accounts a ON a.user_id = s.user_id
      WHERE NOT s.settled
      UNION ALL
      -- the accounts with a storage level: session_id '' stands for the account's storage,
      -- which has no end
      SELECT a.user_id, '', a.currency, coalesce(a.storage_rated_until,
               (SELECT min(l.effective_from) FROM billing_storage_levels l
                WHERE l.user_id = a.user_id)),
             p.cap, false
      FROM (SELECT :cap::timestamptz AS cap) p CROSS JOIN billing_accounts a
      """;

  private static final NamedSql RANGE =
      NamedSql.of(
          """
          -- the earliest unrated instant, which tells the midnights the run can cross; the work
          -- in the rated currencies (in seconds: intervals add up cheaply, one conversion at the
          -- end); and the currencies left unrated for want of rates
          SELECT min(from_t),
                 extract(epoch FROM sum(settle - from_t)
                     FILTER (WHERE settle > from_t AND currency = ANY (:rated::text[]))),
                 array_agg(DISTINCT currency::text) FILTER (WHERE currency <> ALL (:rated::text[]))
          FROM (%s) t"""
              .formatted(UNRATED));

  private static final NamedSql LEVEL =
      NamedSql.of(
          """
          -- Only when the work exceeds the bound: the largest L with Σ min(work, L) <= bound, in
          -- seconds. With the subjects by work ascending, k-th of n, "before" the work of those
          -- before it: the first k for which capping it and all after it at its own work is too
          -- much holds the level, where the bound left after the ones before is shared by the
          -- n - k + 1 capped.
          WITH w AS (
            SELECT work, row_number() OVER (ORDER BY work) AS k, count(*) OVER () AS n,
                   sum(work) OVER (ORDER BY work ROWS UNBOUNDED PRECEDING) - work AS before
            FROM (SELECT extract(epoch FROM settle - from_t) AS work FROM (%s) t
                  WHERE settle > from_t AND currency = ANY (:rated::text[])) t
          )
          SELECT (:bound::numeric - before) / (n - k + 1) FROM w
          WHERE before + (n - k + 1) * work > :bound::numeric
          ORDER BY k LIMIT 1"""
              .formatted(UNRATED));

  private static final NamedSql RATE =
      NamedSql.of(
          """
          -- One statement, no work tables (writing and analyzing them cost more than the CTEs).
          -- The midnights are the cuts that are not always UTC hours; the rates come as parallel
          -- arrays by currency (a handful: each record looks its prices up by position, with no
          -- join), and subjects in a currency without rates are left unrated.
          WITH run AS (
            SELECT :midnights::timestamptz[] AS midnights, :currencies::text[] AS currencies,
                   :cpu_prices::text[]::numeric[] AS cpu,
                   :memory_prices::text[]::numeric[] AS memory,
                   :storage_prices::text[]::numeric[] AS storage,
                   :earliest::timestamptz AS earliest, make_interval(hours => :hours) AS horizon,
                   :shares::int AS shares, :share::int AS share
          ),
          -- Each subject rates [from_t, rate_to), stopping at its limit (the run's hours past
          -- from_t) when its settle point is beyond (held: work left). An ended session whose end
          -- is settled and within the limit rates up to its end (done); any other only up to the
          -- last cut point (UTC hour or midnight) at or before where it stops, so that it rates
          -- whole slices only (at least one: the limit is an hour or more past from_t). This is
          -- its new watermark.
          todo AS MATERIALIZED (
            SELECT t.user_id, t.session_id, t.currency, t.from_t, t.settle, r.rate_to, d.done,
                   d.held
            FROM (%1$s) t
            CROSS JOIN run
            CROSS JOIN LATERAL (SELECT t.from_t + run.horizon AS limit_t) l
            CROSS JOIN LATERAL (SELECT least(t.settle, l.limit_t) AS stop,
                                       l.limit_t < t.settle AS held,
                                       t.final AND t.settle <= l.limit_t AS done) d
            -- width_bucket counts the (sorted) midnights up to stop: the last one is at that index
            CROSS JOIN LATERAL (SELECT CASE WHEN d.done THEN d.stop
                ELSE greatest(date_trunc('hour', d.stop, 'UTC'),
                              run.midnights[width_bucket(d.stop, run.midnights)])
                END AS rate_to) r
            WHERE r.rate_to > t.from_t AND t.currency = ANY (run.currencies)
              -- Only subjects from the earliest instant on. RANGE ran in an earlier statement
              -- (READ COMMITTED: REPEATABLE READ would fail the job on concurrent heartbeat
              -- updates), so a subject committed since may start before it, before the run's cut
              -- points: rating it would skip its time up to the first one and still move its
              -- watermark. The next run rates it.
              AND t.from_t >= run.earliest
              -- this transaction's share of the accounts (hashtext is an int4, made >= 0)
              AND mod(hashtext(t.user_id)::bigint + 2147483648, run.shares) = run.share
          ),
          -- the run's cut points (every UTC hour from the earliest from_t to past the cap, and
          -- the midnights) as consecutive [cell_start, cell_end), keyed by their UTC hour
          cells AS (
            SELECT date_trunc('hour', p, 'UTC') AS hour, p AS cell_start,
                   lead(p) OVER (ORDER BY p) AS cell_end
            FROM (SELECT generate_series(date_trunc('hour', earliest, 'UTC'),
                                         :cap::timestamptz + interval '1 hour', interval '1 hour')
                  FROM run
                  UNION SELECT unnest(midnights) FROM run) g(p)
          ),
          -- each subject's cells, found by hour (an equality join, where joining on a range would
          -- compare every subject with every cell), clipped to its range
          slices AS (
            SELECT t.user_id, t.session_id, t.currency,
                   greatest(c.cell_start, t.from_t) AS slice_start,
                   least(c.cell_end, t.rate_to) AS slice_end
            FROM todo t
            -- the UTC hours that start before rate_to (timestamps count in microseconds)
            CROSS JOIN LATERAL generate_series(date_trunc('hour', t.from_t, 'UTC'),
                t.rate_to - interval '1 microsecond', interval '1 hour') h
            JOIN cells c ON c.hour = h AND c.cell_end > t.from_t AND c.cell_start < t.rate_to
          ),
          -- the size (or storage level) steps, each to the next one (lead)
          steps AS (
            SELECT t.user_id, t.session_id, z.effective_from AS step_start,
                   lead(z.effective_from) OVER (PARTITION BY z.session_id
                                                ORDER BY z.effective_from) AS step_end,
                   z.cpu_cores, z.memory_gb, NULL::numeric AS storage_gb
            FROM todo t JOIN billing_session_sizes z ON z.session_id = t.session_id
            WHERE t.session_id <> ''
            UNION ALL
            SELECT t.user_id, '', l.effective_from,
                   lead(l.effective_from) OVER (PARTITION BY l.user_id ORDER BY l.effective_from),
                   NULL, NULL, l.storage_gb
            FROM todo t JOIN billing_storage_levels l ON l.user_id = t.user_id
            WHERE t.session_id = ''
          ),
          -- each slice × overlapping step, with overlap seconds; covers when the step spans the
          -- whole slice, the usual case, which then needs no aggregation (numeric sums are costly)
          parts AS MATERIALIZED (
            SELECT s.*, g.cpu_cores, g.memory_gb, g.storage_gb,
                   g.step_start <= s.slice_start
                     AND (g.step_end IS NULL OR g.step_end >= s.slice_end) AS covers,
                   extract(epoch FROM least(s.slice_end, coalesce(g.step_end, s.slice_end))
                       - greatest(s.slice_start, g.step_start)) AS seconds
            FROM slices s
            JOIN steps g ON g.user_id = s.user_id AND g.session_id = s.session_id
                 AND g.step_start < s.slice_end
                 AND (g.step_end IS NULL OR g.step_end > s.slice_start)
          ),
          usage AS (
            SELECT user_id, session_id, currency, slice_start, slice_end,
                   cpu_cores * seconds AS cpu, memory_gb * seconds AS memory,
                   storage_gb * seconds AS storage
            FROM parts WHERE covers
            UNION ALL
            SELECT user_id, session_id, currency, slice_start, slice_end, sum(cpu_cores * seconds),
                   sum(memory_gb * seconds), sum(storage_gb * seconds)
            FROM parts WHERE NOT covers
            GROUP BY user_id, session_id, currency, slice_start, slice_end
          ),
          -- the usage records (no zero usage) at the rates of their account's currency
          records AS (
            INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
                slice_end, unit_seconds, unit, unit_price, currency, created_at)
            SELECT u.user_id, u.session_id, r.resource_type, u.slice_start, u.slice_end,
                   r.unit_seconds, r.unit, r.unit_price, u.currency, :now
            FROM usage u
            CROSS JOIN run
            CROSS JOIN LATERAL (SELECT array_position(run.currencies, u.currency::text)) p(i)
            CROSS JOIN LATERAL (VALUES
                (:cpu_type, u.cpu, :cpu_unit, run.cpu[p.i]),
                (:memory_type, u.memory, :memory_unit, run.memory[p.i]),
                (:storage_type, u.storage, :storage_unit, run.storage[p.i]))
              AS r(resource_type, unit_seconds, unit, unit_price)
            WHERE r.unit_seconds > 0
              -- Records past a watermark exist only if it was reset by hand. The job never runs
              -- concurrently, so this check is enough, and cheaper than ON CONFLICT's speculative
              -- insertion; the unique key stays as the safety net. OFFSET 0 keeps it a probe of
              -- the key per row: as an anti-join the planner may hash the whole table.
              AND NOT EXISTS (SELECT 1 FROM billing_usage_records x
                  WHERE x.user_id = u.user_id AND x.slice_start = u.slice_start
                    AND x.session_id = u.session_id AND x.resource_type = r.resource_type
                  OFFSET 0)
            RETURNING 1
          ),
          -- the watermarks, with the subjects held and their work left
          sessions AS (
            UPDATE billing_sessions s SET rated_until = t.rate_to, settled = t.done
            FROM todo t
            WHERE t.session_id <> '' AND s.session_id = t.session_id
            RETURNING CASE WHEN t.held THEN t.settle - t.rate_to END AS work_left
          ),
          accounts AS (
            UPDATE billing_accounts a SET storage_rated_until = t.rate_to
            FROM todo t
            WHERE t.session_id = '' AND a.user_id = t.user_id
            RETURNING CASE WHEN t.held THEN t.settle - t.rate_to END AS work_left
          )
          SELECT (SELECT count(*) FROM records), s.rated, a.rated, s.held + a.held,
                 ceil(extract(epoch FROM coalesce(s.work_left + a.work_left, s.work_left,
                                                  a.work_left, interval '0')) / 3600)
          FROM (SELECT count(*) AS rated, count(work_left) AS held, sum(work_left) AS work_left
                FROM sessions) s,
               (SELECT count(*) AS rated, count(work_left) AS held, sum(work_left) AS work_left
                FROM accounts) a
          """
              .formatted(UNRATED));

  /**
   * What one run did, and what it left for the next runs.
   *
   * @param sessionsClosed   sessions closed for lack of heartbeats
   * @param recordsInserted  usage records inserted
   * @param sessionsRated    sessions whose watermark advanced
   * @param accountsRated    accounts whose storage watermark advanced
   * @param subjectsBehind   sessions and accounts the run's bound held back
   * @param hoursLeft        their work left (to their settle points), in hours rounded up
   */
  public record Outcome(
      long sessionsClosed,
      long recordsInserted,
      long sessionsRated,
      long accountsRated,
      long subjectsBehind,
      long hoursLeft) {

    /** This outcome and another share's of the same run. */
    Outcome plus(Outcome other) {
      return new Outcome(
          sessionsClosed + other.sessionsClosed,
          recordsInserted + other.recordsInserted,
          sessionsRated + other.sessionsRated,
          accountsRated + other.accountsRated,
          subjectsBehind + other.subjectsBehind,
          hoursLeft + other.hoursLeft);
    }

    public String summary() {
      String done =
          ("inserted %d usage records; rated %d sessions and %d storage accounts;"
                  + " closed %d timed-out sessions")
              .formatted(recordsInserted, sessionsRated, accountsRated, sessionsClosed);
      return subjectsBehind == 0
          ? done
          : done
              + "; %d sessions or accounts have %d hours left to rate, for the next runs"
                  .formatted(subjectsBehind, hoursLeft);
    }
  }

  /** What RANGE found: where the unrated time starts and how many seconds of work it is. */
  private record Work(Instant earliest, BigDecimal seconds) {}

  /**
   * What a run prepares before rating: the sessions it closed, the earliest unrated instant
   * (null: nothing to rate) and the hours each subject may rate.
   */
  private record Plan(long sessionsClosed, Instant earliest, int hours) {}

  /** The accounts whose hash falls in {@code index} of {@code of} buckets. */
  private record Share(int index, int of) {
    static final Share ALL = new Share(0, 1);
  }

  /** At most this many hours of work per run, by default (see the class comment). */
  public static final int HOURS_PER_RUN = 1_000_000;

  /** At most this many hours of one subject per run, by default: 31 days. */
  public static final int HOURS_PER_SUBJECT = 31 * 24;

  /**
   * Rating transactions per run, by default: PostgreSQL runs a statement on one core, and the
   * reference machine has two.
   */
  public static final int RATING_TRANSACTIONS = 2;

  /** The unit prices of one currency, as the run binds them. */
  private record CurrencyRates(String currency, ComputeRates rates) {}

  private static final Logger log = LoggerFactory.getLogger(UsageCalculator.class);

  /** How often a share runs when deadlocks with the metering writer keep rolling it back. */
  private static final int CONFLICT_ATTEMPTS = 5;

  private final DataSource dataSource;
  private final int hoursPerRun;
  private final int hoursPerSubject;
  private final int transactions;

  public UsageCalculator(DataSource dataSource) {
    this(dataSource, HOURS_PER_RUN, HOURS_PER_SUBJECT);
  }

  public UsageCalculator(DataSource dataSource, int hoursPerRun, int hoursPerSubject) {
    this(dataSource, hoursPerRun, hoursPerSubject, RATING_TRANSACTIONS);
  }

  /**
   * @param hoursPerRun     the most hours of work (session-hours and storage-hours) per run
   * @param hoursPerSubject the most hours of one session's or account's storage per run
   * @param transactions    the concurrent rating transactions a run splits the accounts into
   */
  public UsageCalculator(
      DataSource dataSource, int hoursPerRun, int hoursPerSubject, int transactions) {
    if (hoursPerSubject < 1 || hoursPerRun < 1) {
      throw new IllegalArgumentException("the bounds must be at least 1 hour");
    }
    if (transactions < 1) {
      throw new IllegalArgumentException("a run needs at least one rating transaction");
    }
    this.dataSource = dataSource;
    this.hoursPerRun = hoursPerRun;
    this.hoursPerSubject = Math.min(hoursPerSubject, hoursPerRun);
    this.transactions = transactions;
  }

  /**
   * Rates what is settled at {@code now} under {@code config}, up to the bound: one transaction
   * closes the timed-out sessions and plans the run, then the accounts are rated in {@code
   * transactions} concurrent transactions, each over its own share of them (by hash of the
   * account), each atomic.
   */
  public Outcome run(BillingConfig config, Instant now) throws SQLException {
    Timestamp cap = Timestamp.from(now.minus(config.sessionHeartbeatTimeout()));
    Plan plan = Transactions.inTransaction(dataSource, connection -> plan(connection, config, cap));
    if (plan.earliest() == null) {
      return new Outcome(plan.sessionsClosed(), 0, 0, 0, 0, 0);
    }
    return new Outcome(plan.sessionsClosed(), 0, 0, 0, 0, 0)
        .plus(rateConcurrently(config, now, cap, plan));
  }

  /** The job's statements in one transaction, on a connection whose transaction the caller owns. */
  Outcome rate(Connection connection, BillingConfig config, Instant now, Timestamp cap)
      throws SQLException {
    Plan plan = plan(connection, config, cap);
    Outcome closed = new Outcome(plan.sessionsClosed(), 0, 0, 0, 0, 0);
    return plan.earliest() == null
        ? closed
        : closed.plus(
            rateShare(connection, config, now, cap, plan.earliest(), plan.hours(), Share.ALL));
  }

  /** Closes the timed-out sessions, settles the empty ones, and finds the run's extent. */
  private Plan plan(Connection connection, BillingConfig config, Timestamp cap)
      throws SQLException {
    AccountTermsLock.share(connection); // no account changes currency under the run
    long closed = CLOSE_TIMED_OUT.bind("cap", cap).update(connection);
    SETTLE_EMPTY.update(connection);
    Work work = unratedWork(connection, config, cap);
    if (work.earliest() == null) {
      return new Plan(closed, null, 0);
    }
    int hours =
        work.seconds().compareTo(seconds(hoursPerRun)) <= 0
            ? hoursPerSubject
            : Math.min(hoursPerSubject, level(connection, config, cap));
    return new Plan(closed, work.earliest(), hours);
  }

  /**
   * Each share in its own transaction, the first on this thread and the others each on a thread
   * of their own; fails with the first failure once all have ended (the shares that committed
   * stay: each is whole, and the next run rates the others).
   */
  private Outcome rateConcurrently(BillingConfig config, Instant now, Timestamp cap, Plan plan)
      throws SQLException {
    List<Callable<Outcome>> shares =
        IntStream.range(0, transactions)
            .mapToObj(i -> new Share(i, transactions))
            .<Callable<Outcome>>map(
                share ->
                    () ->
                        // the metering writer updates sessions meanwhile, in its own order
                        Transactions.inTransactionRetryingConflicts(
                            dataSource,
                            CONFLICT_ATTEMPTS,
                            connection ->
                                rateShare(
                                    connection,
                                    config,
                                    now,
                                    cap,
                                    plan.earliest(),
                                    plan.hours(),
                                    share)))
            .toList();
    ExecutorService others = Executors.newFixedThreadPool(Math.max(1, transactions - 1));
    try {
      List<Future<Outcome>> started = shares.stream().skip(1).map(others::submit).toList();
      Outcome total = new Outcome(0, 0, 0, 0, 0, 0);
      SQLException failure = null;
      try {
        total = total.plus(shares.get(0).call());
      } catch (Exception e) {
        failure = firstOrSuppressed(failure, e);
      }
      for (Future<Outcome> share : started) {
        try {
          total = total.plus(share.get());
        } catch (ExecutionException e) {
          failure = firstOrSuppressed(failure, e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failure = firstOrSuppressed(failure, e);
        }
      }
      if (failure != null) {
        throw failure;
      }
      return total;
    } finally {
      others.shutdown();
    }
  }

  private static SQLException firstOrSuppressed(SQLException first, Throwable next) {
    if (first != null) {
      first.addSuppressed(next);
      return first;
    }
    return next instanceof SQLException sql
        ? sql
        : new SQLException("a calculate-usage transaction failed", next);
  }

  /**
   * RATE with the earliest unrated instant that RANGE found, each subject rating at most
   * {@code hours} hours; a separate step so that tests can commit a subject in between, as a
   * concurrent flush may.
   */
  Outcome rateFrom(
      Connection connection,
      BillingConfig config,
      Instant now,
      Timestamp cap,
      Instant from,
      int hours)
      throws SQLException {
    return rateShare(connection, config, now, cap, from, hours, Share.ALL);
  }

  /** RATE for one share of the accounts. */
  private Outcome rateShare(
      Connection connection,
      BillingConfig config,
      Instant now,
      Timestamp cap,
      Instant from,
      int hours,
      Share share)
      throws SQLException {
    AccountTermsLock.share(connection); // no account changes currency under the run
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET LOCAL work_mem = '128MB'"); // sorts of a run stay in memory
    }
    List<CurrencyRates> rates = ratesOf(config);
    Array midnights =
        SqlArrays.instants(
            connection,
            new SliceCuts(config.billingTimeZone()).midnightsBetween(from, cap.toInstant()));
    try (PreparedStatement statement =
        RATE.bind("midnights", midnights)
            .bind("currencies", SqlArrays.array(connection, rates, CurrencyRates::currency))
            .bind("cpu_prices", SqlArrays.array(connection, rates, r -> r.rates().cpuPerCoreHour()))
            .bind(
                "memory_prices",
                SqlArrays.array(connection, rates, r -> r.rates().memoryPerGbHour()))
            .bind(
                "storage_prices",
                SqlArrays.array(connection, rates, r -> r.rates().storagePerGbMonth()))
            .bind("earliest", from)
            .bind("hours", hours)
            .bind("shares", share.of())
            .bind("share", share.index())
            .bind("default_currency", config.currency().getCurrencyCode())
            .bind("cap", cap)
            .bind("now", now)
            .bind("cpu_type", UsageUnit.CPU.resourceType())
            .bind("cpu_unit", UsageUnit.CPU.label())
            .bind("memory_type", UsageUnit.MEMORY.resourceType())
            .bind("memory_unit", UsageUnit.MEMORY.label())
            .bind("storage_type", UsageUnit.STORAGE.resourceType())
            .bind("storage_unit", UsageUnit.STORAGE.label())
            .prepare(connection)) {
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return new Outcome(
            0, rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
      }
    }
  }

  private static List<CurrencyRates> ratesOf(BillingConfig config) {
    return config.supportedCurrencies().stream()
        .map(c -> new CurrencyRates(c.getCurrencyCode(), config.ratesIn(c).orElseThrow()))
        .toList();
  }

  private static Work unratedWork(Connection connection, BillingConfig config, Timestamp cap)
      throws SQLException {
    Array rated = SqlArrays.array(connection, ratesOf(config), CurrencyRates::currency);
    try (PreparedStatement statement =
        RANGE
            .bind("rated", rated)
            .bind("default_currency", config.currency().getCurrencyCode())
            .bind("cap", cap)
            .prepare(connection)) {
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        Array unrated = rs.getArray(3);
        if (unrated != null) {
          log.warn(
              "accounts in {} are left unrated: their currency has no configured rates "
                  + "(add them to currencyRates)",
              Arrays.toString((Object[]) unrated.getArray()));
        }
        Timestamp from = rs.getTimestamp(1);
        BigDecimal seconds = rs.getBigDecimal(2);
        return new Work(
            from == null ? null : from.toInstant(), seconds == null ? BigDecimal.ZERO : seconds);
      }
    }
  }

  /** The hours each subject may rate so that the run stays within the bound; at least 1. */
  private int level(Connection connection, BillingConfig config, Timestamp cap)
      throws SQLException {
    try (PreparedStatement statement =
        LEVEL
            .bind("default_currency", config.currency().getCurrencyCode())
            .bind("cap", cap)
            .bind("rated", SqlArrays.array(connection, ratesOf(config), CurrencyRates::currency))
            .bind("bound", seconds(hoursPerRun))
            .prepare(connection)) {
      try (ResultSet rs = statement.executeQuery()) {
        // no row: the work shrank to within the bound since RANGE
        BigDecimal level = rs.next() ? rs.getBigDecimal(1) : seconds(hoursPerRun);
        return Math.max(1, level.divideToIntegralValue(seconds(1)).intValueExact());
      }
    }
  }

  private static BigDecimal seconds(int hours) {
    return BigDecimal.valueOf(hours * 3_600L);
  }
}

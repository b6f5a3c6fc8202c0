package io.streamspace.billing.rating;

import io.streamspace.billing.config.ActivityRates;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The statements of calculate-usage, each set-based over every session and account, in the
 * caller's transaction: closing the timed-out sessions, measuring the unrated time, and rating
 * it into usage records with the watermarks moved in the same statement. What is rated, up to
 * where and at what prices is decided by the caller ({@code UsageCalculator}, {@code
 * RatingBound}, {@code SliceCuts}, {@link CurrencyRates}); the SQL carries those decisions out.
 */
final class RatingRepository {

  // Every statement here that changes many billing_sessions rows locks them first by session
  // id, as the metering writer's batch does (MeteringBatch keeps its rows in key order), so the
  // two wait for each other instead of deadlocking: a SELECT sorts its rows before it locks them
  // (PostgreSQL's SELECT, "The Locking Clause": "ORDER BY is applied first"), whereas an UPDATE
  // locks in whatever order its scan or join meets the rows. The UPDATE then finds them locked by
  // its own transaction. A row another transaction changed meanwhile is locked at its newest
  // version, the condition checked again on it; the UPDATE writes that version.
  // (WriterAndRatingLockOrderTest.)

  private static final NamedSql CLOSE_TIMED_OUT =
      NamedSql.of(
          """
          UPDATE billing_sessions s
          SET ended_at = s.last_heartbeat, end_reason = 'heartbeat_timeout'
          FROM (SELECT session_id FROM billing_sessions
                WHERE NOT settled AND ended_at IS NULL AND last_heartbeat < :cap
                ORDER BY session_id FOR NO KEY UPDATE) k
          WHERE s.session_id = k.session_id
          """);

  private static final NamedSql SETTLE_EMPTY =
      NamedSql.of(
          """
          -- sessions that ended before any of their time could be rated have nothing left to
          -- do, nor have those rated up to their organization's closing (or begun after it).
          -- The closed organizations are few: their ids, hashed once (from the partial index on
          -- closed_at), spare the other sessions a look-up of their account each.
          UPDATE billing_sessions u SET settled = true
          FROM (SELECT s.session_id FROM billing_sessions s
                WHERE NOT s.settled
                  AND (s.ended_at <= coalesce(s.rated_until, s.started_at)
                       OR s.org_id IN (SELECT c.user_id FROM billing_accounts c
                                       WHERE c.closed_at IS NOT NULL)
                          AND EXISTS (SELECT 1 FROM billing_accounts a
                                      WHERE a.user_id = s.org_id
                                        AND a.closed_at <= coalesce(s.rated_until, s.started_at)))
                ORDER BY s.session_id FOR NO KEY UPDATE OF s) k
          WHERE u.session_id = k.session_id
          """);

  // A share of the accounts, by hash of the account (hashtext is an int4, made >= 0), so that
  // each account is wholly in one of a run's concurrent transactions.
  private static final String IN_SHARE =
      "mod(hashtext(t.user_id)::bigint + 2147483648, :shares::int) = :share::int";

  // What is left to rate, shared by RANGE, LEVEL and RATE so that they all see the same subjects:
  // those of the accounts whose id is in [:lo, :hi) (:hi null: no upper end), a chunk of a run
  // (RATE), or all of them ('' and null: RANGE, LEVEL). Each bound is written on the key of each
  // table read, so that a chunk reads its range from the indexes (a custom plan folds the null).
  private static final String UNRATED =
      """
      -- the unsettled sessions, each its organization's (the account billed, whose id the
      -- records and partitions take as user_id). A closed organization's sessions end at its
      -- closing for billing (least ignores a null closed_at): nothing after it is rated, even
      -- from events that arrive later.
      SELECT s.org_id AS user_id, s.session_id,
             coalesce(a.currency, :default_currency) AS currency,
             coalesce(s.rated_until, s.started_at) AS from_t,
             least(coalesce(s.ended_at, s.last_heartbeat), p.cap, a.closed_at) AS settle,
             coalesce(least(s.ended_at, a.closed_at) <= p.cap, false) AS final
      FROM (SELECT :cap::timestamptz AS cap) p
      CROSS JOIN billing_sessions s
      LEFT JOIN billing_accounts a ON a.user_id = s.org_id AND %1$s
      WHERE NOT s.settled AND %2$s
      UNION ALL
      -- the accounts with a storage level: session_id '' stands for the account's storage,
      -- which has no end but the organization's closing
      SELECT a.user_id, '', a.currency, coalesce(a.storage_rated_until, f.first_level),
             least(p.cap, a.closed_at), false
      FROM (SELECT :cap::timestamptz AS cap) p CROSS JOIN billing_accounts a
      -- an account's storage not rated yet starts at its first level, looked up once here (as a
      -- subquery in the select list it was looked up again at each use of from_t: six times a
      -- new account in a chunk's statement)
      CROSS JOIN LATERAL (SELECT min(l.effective_from) AS first_level
                          FROM billing_storage_levels l
                          WHERE l.user_id = a.user_id AND a.storage_rated_until IS NULL) f
      WHERE %1$s
      """
          .formatted(inRange("a.user_id"), inRange("s.org_id"));

  // The accounts of a run in :chunks chunks of about as many subjects each (sessions and
  // accounts' storage, as UNRATED counts them): the first account id of every chunk but the
  // first, in order. An account's sessions all fall in its chunk (an account with more sessions
  // than a chunk makes its chunk the larger; a key repeated as two chunks' first is one). The
  // step (subjects per chunk) is worked out once from the counts, so that the keys are only
  // numbered in order, read from the two indexes by key where the planner finds it cheaper than
  // sorting them.
  private static final NamedSql CHUNKS =
      NamedSql.of(
          """
          WITH n AS MATERIALIZED (
            SELECT (SELECT count(*) FROM billing_sessions WHERE NOT settled)
                   + (SELECT count(*) FROM billing_accounts) AS n
          ), step AS MATERIALIZED (
            SELECT greatest(1, ceil(n / :chunks::numeric))::bigint AS step FROM n
          )
          SELECT DISTINCT k FROM (
            SELECT k, row_number() OVER (ORDER BY k) - 1 AS i
            FROM (SELECT org_id AS k FROM billing_sessions WHERE NOT settled
                  UNION ALL
                  SELECT user_id FROM billing_accounts) x) y
          WHERE i > 0 AND i % (SELECT step FROM step) = 0
          ORDER BY k""");

  private static final NamedSql RANGE =
      NamedSql.of(
          """
          -- For one share of the accounts (the shares run concurrently, each on a core): the
          -- earliest unrated instant, which tells the midnights the run can cross; the work in
          -- the rated currencies (in seconds: intervals add up cheaply, one conversion at the
          -- end); the currencies left unrated for want of rates; and the subjects RATE can rate
          -- now (its first test: past the last cut before the cap, or a settled end), which tell
          -- the run how many chunks it needs (none: a run between two hours with no session
          -- ended has nothing to do)
          SELECT min(from_t),
                 extract(epoch FROM sum(settle - from_t)
                     FILTER (WHERE settle > from_t AND currency = ANY (:rated::text[]))),
                 array_agg(DISTINCT currency::text) FILTER (WHERE currency <> ALL (:rated::text[])),
                 count(*) FILTER (WHERE (from_t < :last_cut::timestamptz OR final)
                                    AND settle > from_t AND currency = ANY (:rated::text[]))
          FROM (%s) t
          WHERE %s"""
              .formatted(UNRATED, IN_SHARE));

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

  /**
   * RATE, with {@code %2$s} {@link SliceUsage#fromSteps} and {@link ActivitySteps#RECORDS}: with
   * no guard on each record ({@link #RATE}), or a
   * probe of the key per record ({@link #RATE_PROBING}).
   */
  private static final String RATE_TEMPLATE =
      """
      -- One statement, no work tables (writing and analyzing them cost more than the CTEs). The
      -- run's constants are parameters written where they are used (a CTE of them would hide
      -- their values from the planner's estimates). The rates come as parallel arrays by
      -- currency (a handful: each record looks its prices up by position, with no join), and
      -- subjects in a currency without rates are left unrated.
      --
      -- Each subject rates [from_t, rate_to), stopping at its limit (the run's hours past from_t)
      -- when its settle point is beyond (held: work left). An ended session whose end is settled
      -- and within the limit rates up to its end (done); any other only up to the last cut point
      -- (UTC hour or midnight) at or before where it stops, so that it rates whole slices only (at
      -- least one: the limit is an hour or more past from_t). This is its new watermark.
      WITH todo AS MATERIALIZED (
        SELECT t.user_id, t.session_id, t.currency, t.from_t, t.settle, r.rate_to, d.done, d.held
        FROM (%1$s) t
        CROSS JOIN LATERAL (SELECT t.from_t + make_interval(hours => :hours) AS limit_t) l
        CROSS JOIN LATERAL (SELECT least(t.settle, l.limit_t) AS stop,
                                   l.limit_t < t.settle AS held,
                                   t.final AND t.settle <= l.limit_t AS done) d
        -- width_bucket counts the (sorted) cuts up to stop: the last one is at that index. The
        -- cuts span every stop (from earliest's hour, which no from_t is before, to past the
        -- cap, which no settle point is after); one outside rates nothing (null, left out below)
        CROSS JOIN LATERAL (SELECT CASE WHEN d.done THEN d.stop
            ELSE (:cuts::timestamptz[])[width_bucket(d.stop, :cuts::timestamptz[])]
            END AS rate_to) r
        -- Nothing to rate, skipped before any of the above is worked out: a subject rated up to
        -- the last cut point at or before the cap (what every account's storage is, once rated,
        -- until the next hour) can rate only up to its end, when that is settled.
        WHERE (t.from_t < :last_cut::timestamptz OR t.final)
          AND r.rate_to > t.from_t AND t.currency = ANY (:currencies::text[])
          -- Only subjects from the earliest instant on. RANGE ran in an earlier statement (READ
          -- COMMITTED: REPEATABLE READ would fail the job on concurrent heartbeat updates), so a
          -- subject committed since may start before it, before the run's cut points: rating it
          -- would skip its time up to the first one and still move its watermark. The next run
          -- rates it.
          AND t.from_t >= :earliest::timestamptz
      ),
      -- The subjects they move, their rows locked first in key order (see CLOSE_TIMED_OUT): the
      -- sessions, then (when the accounts' UPDATE runs, after the sessions') the accounts, the
      -- order the metering writer takes them in. Each UPDATE reads its subjects from here, as
      -- it read them from todo: one CTE joined to its table by key. (Found from todo, each row
      -- by its key; as IN (SELECT … FROM todo), or with todo and this CTE both joined to the
      -- UPDATE, the planner, which cannot see how many rows todo has, rescanned one for every
      -- row of the other.)
      locked_sessions AS MATERIALIZED (
        SELECT t.* FROM todo t JOIN billing_sessions s ON s.session_id = t.session_id
        WHERE t.session_id <> ''
        ORDER BY s.session_id FOR NO KEY UPDATE OF s
      ),
      locked_accounts AS MATERIALIZED (
        SELECT t.* FROM todo t JOIN billing_accounts a ON a.user_id = t.user_id
        WHERE t.session_id = ''
        ORDER BY a.user_id FOR NO KEY UPDATE OF a
      ),
      -- The watermarks, moved first and only from where this run found them (compare-and-set):
      -- a run that finds a watermark moved since it read it (another node's run of the same
      -- share, which it waited for) leaves the subject alone, and only the subjects moved here
      -- get records, so two runs at once rate nothing twice. Each returns the subject's range.
      sessions AS (
        UPDATE billing_sessions s SET rated_until = t.rate_to, settled = t.done
        FROM locked_sessions t
        WHERE s.session_id = t.session_id
          AND coalesce(s.rated_until, s.started_at) = t.from_t
        RETURNING t.user_id, t.session_id, t.currency, t.from_t, t.rate_to,
                  CASE WHEN t.held THEN t.settle - t.rate_to END AS work_left
      ),
      accounts AS (
        UPDATE billing_accounts a SET storage_rated_until = t.rate_to
        FROM locked_accounts t
        WHERE a.user_id = t.user_id
          -- unrated yet: from_t is the first level's start
          AND coalesce(a.storage_rated_until, t.from_t) = t.from_t
        RETURNING t.user_id, t.session_id, t.currency, t.from_t, t.rate_to,
                  CASE WHEN t.held THEN t.settle - t.rate_to END AS work_left
      ),
      moved AS (
        SELECT user_id, session_id, currency, from_t, rate_to FROM sessions
        UNION ALL
        SELECT user_id, session_id, currency, from_t, rate_to FROM accounts
      ),
      -- the size (storage level, configured held meter's amount: V62) steps, each to the next
      -- one (lead), with their subject; held ones cut and summed by the same parts and usage;
      -- a session's, less the spans it is billed storage-only in (PausedSteps)
      steps AS NOT MATERIALIZED (
        SELECT t.user_id, t.session_id, t.currency, t.from_t, t.rate_to,
               z.effective_from AS step_start,
               lead(z.effective_from) OVER (PARTITION BY z.session_id
                                            ORDER BY z.effective_from) AS step_end,
               z.cpu_cores, z.memory_gb, NULL::numeric AS storage_gb,
               NULL::text AS held_id, NULL::numeric AS held_amount
        FROM moved t JOIN billing_session_sizes z ON z.session_id = t.session_id
        WHERE t.session_id <> ''
        UNION ALL
        SELECT t.user_id, '', t.currency, t.from_t, t.rate_to, l.effective_from,
               lead(l.effective_from) OVER (PARTITION BY l.user_id ORDER BY l.effective_from),
               NULL, NULL, l.storage_gb, NULL, NULL
        FROM moved t JOIN billing_storage_levels l ON l.user_id = t.user_id
        WHERE t.session_id = ''
        UNION ALL
        SELECT t.user_id, t.session_id, t.currency, t.from_t, t.rate_to, h.effective_from,
               lead(h.effective_from) OVER (PARTITION BY h.session_id, h.meter_id
                                            ORDER BY h.effective_from),
               NULL, NULL, NULL, h.meter_id, h.amount
        FROM moved t JOIN billing_session_held h ON h.session_id = t.session_id
        WHERE t.session_id <> '' AND h.meter_id = ANY (:held_ids::text[])
      ),
      %2$s
      SELECT (SELECT count(*) FROM records), s.rated, a.rated, s.held + a.held,
             ceil(extract(epoch FROM coalesce(s.work_left + a.work_left, s.work_left,
                                              a.work_left, interval '0')) / 3600)
      FROM (SELECT count(*) AS rated, count(work_left) AS held, sum(work_left) AS work_left
            FROM sessions) s,
           (SELECT count(*) AS rated, count(work_left) AS held, sum(work_left) AS work_left
            FROM accounts) a
      """;

  /**
   * Rates one chunk of the accounts. Its records need no guard: they are inserted in the
   * statement that moves their subjects' watermarks past them (a crash rolls back both), and
   * only for the subjects it moved. The unique slice key is the safety net: records past a
   * watermark exist only if it was reset by hand, and then the insert fails with a unique
   * violation, for {@link #RATE_PROBING} to rate that chunk instead.
   */
  private static final NamedSql RATE =
      NamedSql.of(
          RATE_TEMPLATE.formatted(UNRATED, SliceUsage.fromSteps("") + ActivitySteps.RECORDS));

  /**
   * RATE, leaving out each record whose key exists: for a chunk in which RATE found records past
   * a watermark reset by hand. A probe of the key per record (OFFSET 0 keeps it one: as an
   * anti-join the planner may hash the whole table), which RATE spares the usual run.
   */
  private static final NamedSql RATE_PROBING =
      NamedSql.of(
          RATE_TEMPLATE.formatted(
              UNRATED, SliceUsage.fromSteps(ActivitySteps.PROBE) + ActivitySteps.RECORDS));

  /**
   * What RATE did for one chunk of the accounts.
   *
   * @param records  usage records inserted
   * @param sessions sessions whose watermark advanced
   * @param accounts accounts whose storage watermark advanced
   * @param behind   sessions and accounts the bound held back
   * @param hoursLeft their work left, in hours rounded up
   */
  record Rated(long records, long sessions, long accounts, long behind, long hoursLeft) {}

  /**
   * The run's {@code chunks} chunks (fewer only when there are fewer accounts) of about as many
   * subjects each, covering every account id in order.
   */
  List<KeyRange> chunks(Connection connection, int chunks) throws SQLException {
    oneCore(connection);
    List<String> firsts = new ArrayList<>();
    try (PreparedStatement statement = CHUNKS.bind("chunks", chunks).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        firsts.add(rs.getString(1));
      }
    }
    return KeyRange.between(firsts);
  }

  /**
   * The rest of the transaction's statements on one core each, with no parallel workers: a run's
   * scans of every session (RANGE, LEVEL, CHUNKS) run as its lanes, one while events are metered,
   * so that rating takes one core beside intake, not all of them. PostgreSQL gave RANGE two
   * workers over 100,000 sessions: three processes on a 2-core machine at every run's start
   * (docs/benchmark-history.md, run AH).
   */
  private static void oneCore(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET LOCAL max_parallel_workers_per_gather = 0");
    }
  }

  /** {@code key} in [:lo, :hi), :hi null for no upper end. */
  private static String inRange(String key) {
    return "%1$s >= :lo::text AND (:hi::text IS NULL OR %1$s < :hi::text)".formatted(key);
  }

  /** Closes the sessions without heartbeats since before {@code cap} at their last heartbeat. */
  long closeTimedOut(Connection connection, Timestamp cap) throws SQLException {
    return CLOSE_TIMED_OUT.bind("cap", cap).update(connection);
  }

  /** Settles the sessions that ended before any of their time could be rated. */
  void settleEmpty(Connection connection) throws SQLException {
    SETTLE_EMPTY.update(connection);
  }

  /**
   * The unrated time up to {@code cap} of the share {@code share} of {@code shares} of the
   * accounts: where it starts, how much of it can be rated, and how many subjects have some to
   * rate now ({@code lastCut}: the last cut at or before the cap, {@link RunCuts#lastCut}).
   */
  UnratedWork unratedWork(
      Connection connection,
      List<CurrencyRates> rates,
      String defaultCurrency,
      Timestamp cap,
      Instant lastCut,
      int shares,
      int share)
      throws SQLException {
    oneCore(connection);
    Array rated = SqlArrays.array(connection, rates, CurrencyRates::currency);
    try (PreparedStatement statement =
        RANGE
            .bind("rated", rated)
            .bind("default_currency", defaultCurrency)
            .bind("cap", cap)
            .bind("shares", shares)
            .bind("share", share)
            .bind("lo", KeyRange.ALL.lo())
            .bind("hi", KeyRange.ALL.hi())
            .bind("last_cut", lastCut)
            .prepare(connection)) {
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        Array unrated = rs.getArray(3);
        Timestamp from = rs.getTimestamp(1);
        BigDecimal seconds = rs.getBigDecimal(2);
        return new UnratedWork(
            from == null ? null : from.toInstant(),
            seconds == null ? BigDecimal.ZERO : seconds,
            rs.getLong(4),
            unrated == null
                ? List.of()
                : Arrays.stream((Object[]) unrated.getArray()).map(String::valueOf).toList());
      }
    }
  }

  /**
   * The level (see LEVEL) in seconds for a run of at most {@code boundSeconds}; empty when the
   * work fits within the bound (it shrank since RANGE).
   */
  Optional<BigDecimal> level(
      Connection connection,
      List<CurrencyRates> rates,
      String defaultCurrency,
      Timestamp cap,
      BigDecimal boundSeconds)
      throws SQLException {
    oneCore(connection);
    try (PreparedStatement statement =
        LEVEL
            .bind("default_currency", defaultCurrency)
            .bind("cap", cap)
            .bind("rated", SqlArrays.array(connection, rates, CurrencyRates::currency))
            .bind("bound", boundSeconds)
            .bind("lo", KeyRange.ALL.lo())
            .bind("hi", KeyRange.ALL.hi())
            .prepare(connection)) {
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() ? Optional.of(rs.getBigDecimal(1)) : Optional.empty();
      }
    }
  }

  /**
   * RATE: rates the accounts in {@code chunk}, each subject from {@code earliest} on for at most
   * {@code hours} hours, cut at {@code cuts} ({@link RunCuts}: the UTC hours and midnights from
   * {@code earliest}'s hour to past the cap, sorted, and the last at or before the cap) and
   * priced at {@code rates}. {@code probing}: leave out the records whose key exists (see
   * RATE_PROBING).
   * {@code ratingRun}: the run the records are stamped with ({@link RatingRuns#begin}).
   * {@code activity}: the factors idle and disconnected time is priced at.
   */
  Rated rate(
      Connection connection,
      RunCuts cuts,
      List<CurrencyRates> rates,
      Instant earliest,
      int hours,
      KeyRange chunk,
      String defaultCurrency,
      Timestamp cap,
      Instant now,
      boolean probing,
      long ratingRun,
      ActivityRates activity)
      throws SQLException {
    try (Statement statement = connection.createStatement()) {
      // sorts of a run stay in memory; each chunk planned for its own range (a generic plan,
      // which a statement run often on one connection may get, would not fold an open end);
      // no JIT: a server built with it would compile this long statement again for every chunk
      // (its estimated cost is past jit_above_cost), which a chunk's work does not repay
      statement.execute(
          "SET LOCAL work_mem = '128MB'; SET LOCAL plan_cache_mode = force_custom_plan;"
              + " SET LOCAL jit = off");
    }
    NamedSql.Binding binding =
        (probing ? RATE_PROBING : RATE)
            .bind("last_cut", cuts.lastAtOrBefore())
            .bind("earliest", earliest)
            .bind("hours", hours)
            .bind("lo", chunk.lo())
            .bind("hi", chunk.hi())
            .bind("default_currency", defaultCurrency)
            .bind("cap", cap)
            .bind("now", now)
            .bind("rating_run", ratingRun);
    try (PreparedStatement statement =
        SliceUsage.bind(binding, connection, cuts.all(), rates, activity).prepare(connection)) {
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return new Rated(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
      }
    }
  }
}

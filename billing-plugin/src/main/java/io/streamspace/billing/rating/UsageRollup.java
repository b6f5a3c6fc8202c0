package io.streamspace.billing.rating;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.pace.BackgroundLane;
import io.streamspace.billing.pace.StepPause;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * The daily rollup of the usage records (schema V36), exact: per day in the billing zone,
 * account, member, currency, resource type, unit price and activity (V78), the sum of the
 * records' {@code unit_seconds} and of what their idle prices saved. It holds exactly the
 * records whose rating run is at most its watermark; {@link #rollUp} adds the runs after it up to
 * the settled run and moves it, in steps of whole runs each a transaction ({@link RollupSteps}),
 * so calculate-usage writes nothing more. A voided invoice's records, re-stamped with a fresh run,
 * take themselves out (V36's trigger) and are added again when the watermark passes their new run.
 *
 * <p>Reads ({@link #source}) add three parts that never overlap: the rollup's whole days of the
 * range, the records of those days rated after the watermark (the tail: a run or two), and the
 * records of the range's partial first and last days. A read in a zone the rollup is not of
 * reads the records only.
 */
public final class UsageRollup {

  /**
   * What a run of {@link #rollUp} did.
   *
   * @param skipped whether it left the rollup as it was because a rating run was in flight
   * @param steps how many transactions added records ({@link RollupSteps})
   */
  public record Outcome(
      boolean skipped, boolean rebuilt, long fromRun, long toRun, int rows, int steps) {
    public String summary() {
      if (skipped) {
        return "a rating run is in flight: the daily usage rollup waits for the next run";
      }
      if (rebuilt) {
        return "built the daily usage rollup up to run %d: %d row(s)".formatted(toRun, rows);
      }
      if (fromRun >= toRun) {
        return "the daily usage rollup is up to date (run %d)".formatted(toRun);
      }
      return "rolled up runs %d to %d in %d step(s): %d row(s) written"
          .formatted(fromRun + 1, toRun, steps, rows);
    }
  }

  // the rollup's row, put back if it is gone (a database emptied by hand): then rebuilt
  private static final NamedSql ENSURE =
      NamedSql.of(
          """
          INSERT INTO billing_usage_rollup (time_zone, rolled_up_to) VALUES (NULL, 0)
          ON CONFLICT DO NOTHING""");

  // the watermark and the zone, locked against another run and against a void's trigger
  private static final NamedSql LOCK =
      NamedSql.of("SELECT time_zone, rolled_up_to FROM billing_usage_rollup FOR UPDATE");

  // a rebuild (the first run, or the billing zone changed) starts from nothing
  private static final NamedSql CLEAR = NamedSql.of("DELETE FROM billing_usage_daily");

  // the records of the runs (:from_run, :to_run], summed per day, session and line first, then
  // each session's member looked up once by its key, then added to the rollup's rows
  private static final NamedSql ADD =
      NamedSql.of(
          """
          INSERT INTO billing_usage_daily AS d (user_id, day, member_id, currency, resource_type,
                                                unit_price, activity, unit_seconds,
                                                saved_unit_seconds, records)
          SELECT x.user_id, x.day, coalesce(s.user_id, ''), x.currency, x.resource_type,
                 x.unit_price, x.activity, sum(x.unit_seconds), sum(x.saved_unit_seconds),
                 sum(x.records)
          FROM (SELECT r.user_id, (r.slice_start AT TIME ZONE :zone)::date AS day, r.session_id,
                       r.currency, r.resource_type, r.unit_price, r.activity,
                       sum(r.unit_seconds) AS unit_seconds,
                       sum(%s) AS saved_unit_seconds, count(*) AS records
                FROM billing_usage_records r
                WHERE r.rating_run > :from_run AND r.rating_run <= :to_run
                GROUP BY 1, 2, 3, 4, 5, 6, 7) x
          LEFT JOIN LATERAL (
            SELECT s.user_id FROM billing_sessions s
            WHERE x.session_id <> '' AND s.session_id = x.session_id LIMIT 1) s ON true
          GROUP BY 1, 2, 3, 4, 5, 6, 7
          ON CONFLICT (user_id, day, member_id, currency, resource_type, unit_price, activity)
              DO UPDATE
              SET unit_seconds = d.unit_seconds + excluded.unit_seconds,
                  saved_unit_seconds = d.saved_unit_seconds + excluded.saved_unit_seconds,
                  records = d.records + excluded.records"""
              .formatted(saved("r")));

  /**
   * What the price of record {@code alias} saved against its full price (V78), in unit-seconds ×
   * price, exact: 0 for a record at the full price.
   */
  public static String saved(String alias) {
    return "%1$s.unit_seconds * coalesce(%1$s.full_price - %1$s.unit_price, 0)".formatted(alias);
  }

  // the watermark and its zone, read to plan a roll-up's steps (each step reads them again, locked)
  private static final NamedSql WATERMARK =
      NamedSql.of("SELECT time_zone, rolled_up_to FROM billing_usage_rollup");

  // how many records each run after the watermark holds, to cut a roll-up into steps: through the
  // BRIN index on rating_run, as the reads' tail
  private static final NamedSql RUN_SIZES =
      NamedSql.of(
          """
          SELECT rating_run, count(*) FROM billing_usage_records
          WHERE rating_run > :from_run AND rating_run <= :to_run
          GROUP BY rating_run ORDER BY rating_run""");

  // the watermark moves with the rows it stands for
  private static final NamedSql MOVE =
      NamedSql.of("UPDATE billing_usage_rollup SET time_zone = :zone, rolled_up_to = :to_run");

  /**
   * The usage of {@code [:from, :to)} in the zone {@code :zone} as rows {@code (user_id,
   * member_id, day, currency, resource_type, unit_price, activity, unit_seconds,
   * saved_unit_seconds)}, each a sum of records
   * (the rollup's whole days, the tail, the partial days): a subquery named {@code r}.
   *
   * <p>The whole days are those from the first midnight at or after {@code :from} to the last at
   * or before {@code :to}; when the rollup is of another zone (or not built, or its row is gone),
   * there are none and the first partial day is the whole range. Every bound is computed once
   * (initplans), so each part reads its table by an index: the rollup by day (or by its key for
   * one account), the tail by the BRIN index on rating_run (or the runs index), the partial days
   * by slice start (the BRIN index, or the key for one account); some accounts as one account
   * each.
   *
   * @param byMember whether rows name the member (the user who ran the records' session; null
   *     for storage); else member_id is null
   * @param accounts whose usage it is
   */
  public static String source(boolean byMember, Accounts accounts) {
    String daily = accounts.condition("d");
    String records = accounts.condition("e");
    return """
        (WITH bounds AS MATERIALIZED (
           SELECT u.rolled_up_to AS run, first_day, greatest(first_day, end_day) AS end_day,
                  first_day::timestamp AT TIME ZONE :zone AS first_at,
                  greatest(first_day, end_day)::timestamp AT TIME ZONE :zone AS end_at
           FROM (VALUES (true)) one (only_row)
           LEFT JOIN billing_usage_rollup u USING (only_row)
           CROSS JOIN LATERAL (SELECT
               CASE WHEN u.time_zone = :zone
                    THEN ((:from::timestamptz AT TIME ZONE :zone)
                          - interval '1 microsecond')::date + 1
                    ELSE 'infinity'::date END AS first_day,
               (:to::timestamptz AT TIME ZONE :zone)::date AS end_day) b
         )
         SELECT d.user_id, nullif(d.member_id, '') AS member_id, d.day, d.currency,
                d.resource_type, d.unit_price, d.activity, d.unit_seconds, d.saved_unit_seconds
         FROM billing_usage_daily d
         WHERE d.day >= (SELECT first_day FROM bounds) AND d.day < (SELECT end_day FROM bounds)
           %1$s
         UNION ALL
         SELECT x.user_id, %3$s, x.day, x.currency, x.resource_type, x.unit_price, x.activity,
                x.unit_seconds, x.saved_unit_seconds
         FROM (SELECT e.user_id, e.session_id, (e.slice_start AT TIME ZONE :zone)::date AS day,
                      e.currency, e.resource_type, e.unit_price, e.activity,
                      sum(e.unit_seconds) AS unit_seconds, sum(%6$s) AS saved_unit_seconds
               FROM (%5$s
                     UNION ALL
                     SELECT * FROM billing_usage_records e
                     WHERE e.slice_start >= :from
                       AND e.slice_start < least((SELECT first_at FROM bounds), :to) %2$s
                     UNION ALL
                     SELECT * FROM billing_usage_records e
                     WHERE e.slice_start >= (SELECT end_at FROM bounds)
                       AND e.slice_start < :to %2$s) e
               GROUP BY 1, 2, 3, 4, 5, 6, 7) x
         %4$s) r"""
        .formatted(
            daily,
            records,
            byMember ? "s.user_id" : "NULL::text",
            byMember
                ? """
                LEFT JOIN LATERAL (
                  SELECT s.user_id FROM billing_sessions s
                  WHERE x.session_id <> '' AND s.session_id = x.session_id LIMIT 1) s ON true"""
                : "",
            accounts == Accounts.SOME ? TAIL_OF_EACH_ACCOUNT : TAIL.formatted(records),
            saved("e"));
  }

  // the records rated after the watermark: every account's through the BRIN index on their run,
  // one account's through the runs index
  private static final String TAIL =
      """
      SELECT * FROM billing_usage_records e
                           WHERE e.rating_run > (SELECT run FROM bounds)
                             AND e.slice_start >= (SELECT first_at FROM bounds)
                             AND e.slice_start < (SELECT end_at FROM bounds) %s""";

  // the same for some accounts, each through the runs index: with user_id = ANY (...) the
  // planner, not knowing the watermark, read the accounts' whole range from the records' key
  // (67,000 entries for 100 accounts at full size: 120 to 175 ms against 30). Fenced (OFFSET 0)
  // so that the range is not pushed in, where the key would serve it: the runs index finds an
  // account's records rated after the watermark, a minute's, and the range filters those
  private static final String TAIL_OF_EACH_ACCOUNT =
      """
      SELECT e.* FROM unnest(:user_ids::text[]) AS a (user_id)
                           CROSS JOIN LATERAL (
                             SELECT * FROM billing_usage_records e
                             WHERE e.user_id = a.user_id
                               AND e.rating_run > (SELECT run FROM bounds) OFFSET 0) e
                           WHERE e.slice_start >= (SELECT first_at FROM bounds)
                             AND e.slice_start < (SELECT end_at FROM bounds)""";

  /** Whose usage a {@link #source} reads: each is served by an index of every part. */
  public enum Accounts {
    /** Every account's. */
    EVERY(""),
    /** The account {@code :user_id}'s. */
    ONE("= :user_id"),
    /** The accounts of the array {@code :user_ids}'s (a page of a report). */
    SOME("= ANY (:user_ids::text[])");

    private final String test;

    Accounts(String test) {
      this.test = test;
    }

    /** The condition on {@code alias.user_id}, after an AND; empty for every account. */
    String condition(String alias) {
      return test.isEmpty() ? "" : "AND %s.user_id %s".formatted(alias, test);
    }
  }

  /**
   * About how many records a step of a roll-up adds ({@link RollupSteps}): an hour's rating of
   * 100,000 sessions (200,000 records) took one statement of 1.8 s, beside intake, at the minute
   * after the run (docs/benchmark-history.md, run AF); a step of 20,000 takes about a tenth of
   * that.
   */
  static final long RECORDS_PER_STEP = 20_000;

  private final DataSource dataSource;
  private final long recordsPerStep;
  private final BackgroundLane lane;
  private final StepPause pause;

  /**
   * Rolls up in steps of {@link #RECORDS_PER_STEP} on {@code lane}, pausing after each while
   * events are being metered on this node ({@link StepPause#whileMetering}): nothing waits for the
   * roll-up, the reads add what it has not rolled up yet from the records.
   */
  public UsageRollup(DataSource dataSource, BackgroundLane lane) {
    this(dataSource, RECORDS_PER_STEP, lane, StepPause.whileMetering(lane));
  }

  /**
   * @param recordsPerStep about how many records a step adds (tests take a few)
   * @param pause the wait between two steps (tests count them)
   */
  public UsageRollup(DataSource dataSource, long recordsPerStep, StepPause pause) {
    this(dataSource, recordsPerStep, BackgroundLane.quiet(), pause);
  }

  private UsageRollup(
      DataSource dataSource, long recordsPerStep, BackgroundLane lane, StepPause pause) {
    this.dataSource = dataSource;
    this.recordsPerStep = recordsPerStep;
    this.lane = lane;
    this.pause = pause;
  }

  /**
   * Adds the records of the runs after the watermark up to the settled one, and moves the
   * watermark there (nothing while a rating run is in flight: the next run of the job does it).
   * In steps of about {@link #RECORDS_PER_STEP} records ({@link RollupSteps}), each a
   * transaction that adds its runs and moves the watermark to its last, so that the rollup holds
   * exactly the records up to its watermark after every step, with a pause between two steps
   * while events are metered.
   * Rebuilds the rollup from every record, in one transaction, when it is not of {@code zone}
   * (the first run, or the billing zone changed). Safe to run on several nodes at once: they take
   * turns on the rollup's row, and a step that finds the watermark at or past its end adds
   * nothing. Holds the background lane while it works ({@link BackgroundLane}).
   */
  public Outcome rollUp(ZoneId zone) throws SQLException {
    return lane.hold(() -> rollUpOnTheLane(zone));
  }

  private Outcome rollUpOnTheLane(ZoneId zone) throws SQLException {
    // before the lock (a void holds the runs' lock while it waits for it), and without waiting
    // for a run in flight, which would make the runs starting meanwhile queue behind this one
    OptionalLong idle = RatingRuns.settledIfIdle(dataSource);
    if (idle.isEmpty()) {
      return new Outcome(true, false, 0, 0, 0, 0);
    }
    long settled = idle.getAsLong();
    OptionalLong rolledUpTo = watermark(zone);
    if (rolledUpTo.isEmpty()) {
      Step rebuilt = step(zone, settled);
      return new Outcome(false, rebuilt.rebuilt(), rebuilt.from(), settled, rebuilt.rows(), 1);
    }
    long from = rolledUpTo.getAsLong();
    if (settled <= from) {
      return new Outcome(false, false, from, from, 0, 0);
    }
    List<Long> ends = RollupSteps.ends(runSizes(from, settled), settled, recordsPerStep);
    int rows = 0;
    boolean rebuilt = false;
    for (int i = 0; i < ends.size(); i++) {
      long began = System.nanoTime();
      Step step = step(zone, ends.get(i));
      rows += step.rows();
      // the zone changed meanwhile: that step rebuilt the rollup up to its end
      rebuilt |= step.rebuilt();
      if (i < ends.size() - 1) {
        pause.after(Duration.ofNanos(System.nanoTime() - began));
      }
    }
    return new Outcome(false, rebuilt, from, settled, rows, ends.size());
  }

  /** One step's transaction: what it added, from which run. */
  private record Step(boolean rebuilt, long from, int rows) {}

  /**
   * Adds the runs after the watermark up to {@code toRun} and moves the watermark there, or
   * rebuilds the rollup up to it when it is not of {@code zone}; nothing when the watermark is
   * already there.
   */
  private Step step(ZoneId zone, long toRun) throws SQLException {
    return Transactions.inTransaction(
        dataSource,
        connection -> {
          ENSURE.update(connection);
          String rolledZone;
          long rolledUpTo;
          try (PreparedStatement lock = LOCK.binding().prepare(connection);
              ResultSet rs = lock.executeQuery()) {
            rs.next();
            rolledZone = rs.getString("time_zone");
            rolledUpTo = rs.getLong("rolled_up_to");
          }
          boolean rebuild = !zone.getId().equals(rolledZone);
          long from = rebuild ? Long.MIN_VALUE : rolledUpTo;
          if (!rebuild && toRun <= rolledUpTo) {
            return new Step(false, rolledUpTo, 0);
          }
          if (rebuild) {
            CLEAR.update(connection);
          }
          int rows = add(connection, zone, from, toRun);
          MOVE.bind("zone", zone.getId()).bind("to_run", toRun).update(connection);
          return new Step(rebuild, from, rows);
        });
  }

  /** The rollup's watermark when it is of {@code zone}; empty when it is to be rebuilt. */
  private OptionalLong watermark(ZoneId zone) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement read = WATERMARK.binding().prepare(connection);
        ResultSet rs = read.executeQuery()) {
      return rs.next() && zone.getId().equals(rs.getString("time_zone"))
          ? OptionalLong.of(rs.getLong("rolled_up_to"))
          : OptionalLong.empty();
    }
  }

  /** How many records each run after {@code fromRun} up to {@code toRun} holds, in order. */
  private List<RollupSteps.RunSize> runSizes(long fromRun, long toRun) throws SQLException {
    List<RollupSteps.RunSize> sizes = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement read =
            RUN_SIZES.bind("from_run", fromRun).bind("to_run", toRun).prepare(connection);
        ResultSet rs = read.executeQuery()) {
      while (rs.next()) {
        sizes.add(new RollupSteps.RunSize(rs.getLong(1), rs.getLong(2)));
      }
    }
    return sizes;
  }

  private static int add(Connection connection, ZoneId zone, long fromRun, long toRun)
      throws SQLException {
    return ADD.bind("zone", zone.getId())
        .bind("from_run", fromRun)
        .bind("to_run", toRun)
        .update(connection);
  }
}

package io.streamspace.billing.invoicing;

import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.UsageRollup;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The usage invoices bill, claimed by range (schema V32): finalizing invoices writes one claim
 * row each (its period end and the settled rating run, {@link
 * io.streamspace.billing.rating.RatingRuns#settled}), never a row per record. A record belongs
 * to the first claim of its account (by {@code claim_no}) with {@code slice_start < period_end
 * AND rating_run <= run_high}; so an invoice bills the account's records up to its period end
 * that no earlier claim covers, rated by a settled run: its period's, and those of earlier
 * periods rated after their invoice (a later run). A record rated by a run still in flight when
 * the run was settled has a greater run, and falls to the next invoice.
 *
 * <p>Set-based: one statement claims for a whole list of invoices and reads their usage, summed
 * into buckets per invoice. Where the list holds several invoices of one account, a record goes
 * to the first of them (in list order) it lies before the end of, as if they were claimed one
 * after the other in that order; callers lock the list's accounts first, so that claims of one
 * account are made one after the other.
 *
 * <p>The same usage, read as sums where they are exact: an invoice's whole days in the billing
 * zone from its start (or from the latest end of any claim of its account) to its end come from
 * the daily usage rollup ({@link io.streamspace.billing.rating.UsageRollup}, V36), which holds
 * every record rated up to its watermark: by the rule every such record of those days is the
 * invoice's. The records of those days rated between the watermark and the settled run are read
 * by index and added (after the watermark) or taken off (after the settled run: a roll-up may
 * pass it during a long run); the late records of earlier periods, the days before the invoice's
 * start and its partial days are read from the records. Without a rollup of the billing zone, or
 * in {@code hybrid} mode (buckets per hour), the records only, as before the rollup.
 * ClaimsThroughRollupEquivalenceTest shows both give the same invoices.
 *
 * <p>Buckets: per resource, unit price, activity (with what its factor saved, V78), billing
 * period and member (the user who ran the record's session, when the invoice is broken down by
 * member); in {@code hybrid} mode also per UTC clock hour, because its overage is measured per
 * hour ({@link PeriodCharges}); the other modes need only the sums per resource and price, so a
 * month of an account is a few rows, not 744 per resource. The billing periods are cut by the
 * boundaries from the earliest invoice's period start on, passed to the statement; a record
 * before them (rated long after its period's invoice) comes back on its own and is put in its
 * period here.
 *
 * <p>One class because its size is one statement's: claiming, peeking and reading back what was
 * billed run the same SQL, built here from shared parts, in which the rule of which record an
 * invoice bills is written once; split, that rule would be read in pieces across classes.
 */
final class UsageClaims {

  /**
   * What an invoice bills of the usage.
   *
   * @param floor the start of its earliest record; null when it bills none
   * @param usage its buckets, per member
   */
  record Claimed(Instant floor, List<MemberBucket> usage) {}

  /** Every run: for a read without a claim, whatever has committed counts. */
  static final long EVERY_RUN = Long.MAX_VALUE;

  // what a record's activity factor saved, in unit-seconds × price (V78)
  private static final String SAVED = UsageRollup.saved("r");

  private static final String BILLED =
      """
      -- the invoices, in the order they are claimed
      list AS MATERIALIZED (
        SELECT * FROM unnest(CAST(:invoice_ids AS bigint[]), CAST(:user_ids AS text[]),
                             CAST(:period_starts AS timestamptz[]),
                             CAST(:period_ends AS timestamptz[]), CAST(:by_member AS boolean[]))
          WITH ORDINALITY AS l(invoice_id, user_id, period_start, period_end, by_member, ord)
      ),
      -- Each invoice with the range that is its own: a record goes to the first invoice of its
      -- account in the list that it lies before the end of, so from the latest end of the
      -- account's earlier invoices in the list (after) to its own end. With its account's latest
      -- claim (what no claim covers lies from its period end on, or was rated after its run:
      -- this is what bounds a claim by its period, not the history) and the latest end of all
      -- its claims (when it is the latest claim's, no claim covers a record after that end).
      entries AS MATERIALIZED (
        SELECT l.*,
               max(l.period_end) OVER (PARTITION BY l.user_id ORDER BY l.ord
                                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS after,
               c.period_end AS claimed_end, c.run_high AS claimed_run,
               (SELECT max(p.period_end) FROM billing_usage_claims p
                WHERE p.user_id = l.user_id) AS claims_end
        FROM list l
        LEFT JOIN LATERAL (
          SELECT c.period_end, c.run_high FROM billing_usage_claims c
          WHERE c.user_id = l.user_id ORDER BY c.claim_no DESC LIMIT 1) c ON true
      ),
      -- The daily rollup's watermark (V36), when the rollup can serve: built in the billing zone
      -- (:zone, whose midnights the billing periods start at) and the usage not read per hour
      -- (hybrid mode's buckets are hourly, the rollup's daily). Else no row: records only.
      rolled AS MATERIALIZED (
        SELECT u.rolled_up_to AS run FROM billing_usage_rollup u
        WHERE u.time_zone = :zone AND NOT CAST(:hourly AS boolean)
      ),
      -- Each invoice's days read from the rollup, [first_day, end_day): the zone's whole days
      -- from its start (or from a later end of any claim of its account, of an earlier invoice
      -- in the list, or :usage_from) to its end. Every record of such a day rated up to the
      -- watermark is this invoice's by the rule: no claim of the account ends after the day's
      -- start (so none covers it), nor does an earlier invoice in the list, the day ends by the
      -- invoice's end, and its run is at most the watermark; the records of the runs between
      -- the watermark and :run_high are read by index and added or taken off (below). Days
      -- before the invoice's start (after a void) are read from the records: their earliest
      -- record is the floor the plan terms are read from, which a day's sum does not keep.
      -- Without the rollup, first_day and first_at are infinity: no day, and the records'
      -- ranges below are the ones they were before the rollup.
      spans AS MATERIALIZED (
        SELECT e.*, w.run AS rolled_run, d.first_day, greatest(d.first_day, d.end_day) AS end_day,
               CASE WHEN w.run IS NULL THEN 'infinity'::timestamptz
                    ELSE d.first_day::timestamp AT TIME ZONE :zone END AS first_at,
               CASE WHEN w.run IS NULL THEN 'infinity'::timestamptz
                    ELSE greatest(d.first_day, d.end_day)::timestamp AT TIME ZONE :zone
               END AS end_at
        FROM entries e
        LEFT JOIN rolled w ON true
        CROSS JOIN LATERAL (SELECT
            CASE WHEN w.run IS NULL THEN 'infinity'::date
                 ELSE ((greatest(e.claims_end, e.after, e.period_start,
                                 CAST(:usage_from AS timestamptz)) AT TIME ZONE :zone)
                       - interval '1 microsecond')::date + 1 END AS first_day,
            CASE WHEN w.run IS NULL THEN 'infinity'::date
                 ELSE (e.period_end AT TIME ZONE :zone)::date END AS end_day) d
      ),
      -- Each invoice's usage no earlier claim covers, summed per invoice (LATERAL: index scans
      -- of its account's range, never a scan of the whole table, and each invoice's few sums
      -- made from its own records and rollup rows, never a sort of the chunk's) per resource,
      -- unit price, UTC clock hour (:hourly, else none), billing period (k, the index of its
      -- start in :bounds), whether before the invoice's own start (an admin's invoice may start
      -- anywhere) and, when read by member, session (records) or member (the rollup's rows).
      -- Records never straddle an hour or a boundary (calculate-usage cuts them there), nor do
      -- the rollup's days (periods start at the zone's midnights). A record before the first
      -- bound (k = 0) is its own row (late_start), put in its period by the caller. records
      -- counts what a sum is of (a record taken off the rollup's counts -1).
      parts AS (
        SELECT e.ord, e.by_member, p.* FROM spans e
        CROSS JOIN LATERAL (
          SELECT r.resource_type, r.unit_price, r.hour, r.k, r.in_period,
                 CASE WHEN r.k = 0 THEN r.slice_start END AS late_start, r.session_id,
                 r.member_id, sum(r.unit_seconds) AS unit_seconds, sum(r.records) AS records,
                 min(r.slice_start) AS earliest, r.activity,
                 sum(r.saved_unit_seconds) AS saved_unit_seconds
          FROM (
            SELECT r.resource_type, r.unit_price, r.slice_start, r.unit_seconds, r.records,
                   r.activity, r.saved_unit_seconds,
                   CASE WHEN e.by_member THEN r.session_id ELSE '' END AS session_id,
                   CASE WHEN e.by_member THEN r.member_id END AS member_id,
                   CASE WHEN CAST(:hourly AS boolean)
                        THEN date_trunc('hour', r.slice_start, 'UTC') END AS hour,
                   width_bucket(r.slice_start, CAST(:bounds AS timestamptz[])) AS k,
                   r.slice_start >= e.period_start AS in_period
            FROM (
              -- by the primary key: from the latest claim's period end on (covered only by a
              -- claim that ends later, if any), before the rollup's days (side 1) and after
              -- them (side 2), each range scanned on its own; without the rollup side 1 is all
              SELECT r.session_id, NULL::text AS member_id, r.resource_type, r.unit_price,
                     r.slice_start, r.unit_seconds, 1 AS records, r.activity,
                     %1$s AS saved_unit_seconds
              FROM (VALUES (1), (2)) g (side)
              CROSS JOIN LATERAL (SELECT
                  greatest(e.claimed_end, e.after, CAST(:usage_from AS timestamptz),
                           CASE WHEN g.side = 2 THEN e.end_at END,
                           '-infinity'::timestamptz) AS lo,
                  CASE WHEN g.side = 1 THEN least(e.period_end, e.first_at)
                       ELSE e.period_end END AS hi) b
              JOIN billing_usage_records r
                ON r.user_id = e.user_id AND r.slice_start >= b.lo AND r.slice_start < b.hi
              WHERE r.rating_run <= :run_high
                AND (e.claims_end IS NULL OR e.claims_end <= e.claimed_end
                     OR NOT EXISTS (SELECT 1 FROM billing_usage_claims p
                                    WHERE p.user_id = r.user_id
                                      AND r.slice_start < p.period_end
                                      AND r.rating_run <= p.run_high))
              UNION ALL
              -- by billing_usage_records_runs: before it, rated after the latest claim's run
              -- (before every rollup day: those start at or after every claim's end)
              SELECT r.session_id, NULL::text, r.resource_type, r.unit_price, r.slice_start,
                     r.unit_seconds, 1, r.activity, %1$s
              FROM billing_usage_records r
              WHERE r.user_id = e.user_id AND r.rating_run > e.claimed_run
                AND r.rating_run <= :run_high
                AND r.slice_start < least(e.claimed_end, e.period_end)
                AND r.slice_start >= greatest(e.after, CAST(:usage_from AS timestamptz),
                                              '-infinity'::timestamptz)
                AND NOT EXISTS (SELECT 1 FROM billing_usage_claims p
                                WHERE p.user_id = r.user_id AND r.slice_start < p.period_end
                                  AND r.rating_run <= p.run_high)
              UNION ALL
              -- by the rollup's key: its days, every record of them rated up to the watermark
              SELECT '', nullif(d.member_id, ''), d.resource_type, d.unit_price,
                     d.day::timestamp AT TIME ZONE :zone, d.unit_seconds, d.records, d.activity,
                     d.saved_unit_seconds
              FROM billing_usage_daily d
              WHERE d.user_id = e.user_id AND d.day >= e.first_day AND d.day < e.end_day
              UNION ALL
              -- by billing_usage_records_runs: the records of those days that the watermark and
              -- :run_high differ by, those rated after the watermark up to :run_high (the tail,
              -- added) or after :run_high up to the watermark (a later claim's, which the
              -- rollup holds: taken off)
              SELECT r.session_id, NULL::text, r.resource_type, r.unit_price, r.slice_start,
                     CASE WHEN r.rating_run > :run_high THEN -r.unit_seconds
                          ELSE r.unit_seconds END,
                     CASE WHEN r.rating_run > :run_high THEN -1 ELSE 1 END, r.activity,
                     CASE WHEN r.rating_run > :run_high THEN -%1$s ELSE %1$s END
              FROM billing_usage_records r
              WHERE r.user_id = e.user_id
                AND r.rating_run > least(e.rolled_run, :run_high)
                AND r.rating_run <= greatest(e.rolled_run, :run_high)
                AND r.slice_start >= e.first_at AND r.slice_start < e.end_at) r
          ) r
          GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 12
        ) p
      )"""
          .formatted(SAVED);

  private static final String BUCKETS =
      """
      -- the invoices' sums, per member (the user who ran the session; none for storage,
      -- session_id ''), in the order the caller merges them
      SELECT p.ord, p.resource_type, p.unit_price, p.hour, p.k, p.in_period, p.late_start,
             sum(p.unit_seconds), min(p.earliest), coalesce(p.member_id, s.user_id) AS member_id,
             p.activity, sum(p.saved_unit_seconds)
      FROM parts p
      -- LATERAL: a session looked up by its key for a team's sums per session only, never a
      -- join with every session (the rollup's sums name their member: session_id '')
      LEFT JOIN LATERAL (
        SELECT s.user_id FROM billing_sessions s
        WHERE p.by_member AND p.session_id <> '' AND s.session_id = p.session_id) s ON true
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 10, 11
      -- a sum of no record (a rollup row whose records a later claim's run took off) is none
      HAVING sum(p.records) > 0
      ORDER BY 1, 2, 4, 5, 6, 7, 3, 10, 11""";

  // Finalization: one claim row per invoice (even one that bills nothing: its claim then
  // covers nothing), numbered in list order, and the buckets of what each claims. The claims
  // inserted are not seen by this statement's reads (one snapshot): the list's order decides.
  private static final NamedSql CLAIM =
      NamedSql.of(
          """
          WITH %s,
          claims AS (
            INSERT INTO billing_usage_claims (invoice_id, user_id, claim_no, period_end, run_high)
            SELECT invoice_id, user_id, nextval('billing_usage_claim_numbers'), period_end,
                   :run_high
            FROM (SELECT * FROM list ORDER BY ord OFFSET 0) l
          )
          %s"""
              .formatted(BILLED, BUCKETS));

  // A draft's preview: the same buckets, nothing claimed
  static final String PEEK_SQL =
      """
      WITH %s
      %s"""
          .formatted(BILLED, BUCKETS);

  private static final NamedSql PEEK = NamedSql.of(PEEK_SQL);

  // What finalized invoices billed, read again (a what-if): by the rule above, each invoice's
  // claim holds the records of its account before its period end, rated up to its run, that no
  // claim made before it (a smaller claim_no) holds. The records from where those earlier claims
  // end (before_end) are no earlier claim's; before it only a record rated after the claim ending
  // there can be (by billing_usage_records_runs), checked against every earlier claim. The zone's
  // whole days from before_end (or the invoice's start) to its end come from the daily rollup as
  // BILLED reads them: every record of such a day rated up to the claim's run is the claim's, so
  // the rollup's sums, plus the records of those days rated after the watermark up to the run,
  // less those rated after the run up to the watermark (a later claim's). The other records by
  // the primary key: before and after those days. Without a rollup of the zone, or hourly, the
  // records only. The same columns as BILLED's parts, summed into buckets by the same BUCKETS.
  private static final NamedSql BILLED_AGAIN =
      NamedSql.of(
          """
          WITH list AS MATERIALIZED (
            SELECT * FROM unnest(CAST(:invoice_ids AS bigint[]), CAST(:user_ids AS text[]),
                                 CAST(:period_starts AS timestamptz[]),
                                 CAST(:period_ends AS timestamptz[]), CAST(:by_member AS boolean[]))
              WITH ORDINALITY AS l(invoice_id, user_id, period_start, period_end, by_member, ord)
          ),
          rolled AS MATERIALIZED (
            SELECT u.rolled_up_to AS run FROM billing_usage_rollup u
            WHERE u.time_zone = :zone AND NOT CAST(:hourly AS boolean)
          ),
          claimed AS MATERIALIZED (
            SELECT l.*, c.claim_no, c.period_end AS claimed_end, c.run_high,
                   b.before_end, b.before_run, w.run AS rolled_run
            FROM list l
            JOIN billing_usage_claims c ON c.invoice_id = l.invoice_id
            LEFT JOIN rolled w ON true
            LEFT JOIN LATERAL (
              SELECT p.period_end AS before_end, p.run_high AS before_run
              FROM billing_usage_claims p
              WHERE p.user_id = l.user_id AND p.claim_no < c.claim_no
              ORDER BY p.period_end DESC, p.run_high LIMIT 1) b ON true
          ),
          -- the days read from the rollup, [first_day, end_day), at [first_at, end_at); none
          -- (infinity) without it
          entries AS MATERIALIZED (
            SELECT e.*, d.first_day, greatest(d.first_day, d.end_day) AS end_day,
                   CASE WHEN e.rolled_run IS NULL THEN 'infinity'::timestamptz
                        ELSE d.first_day::timestamp AT TIME ZONE :zone END AS first_at,
                   CASE WHEN e.rolled_run IS NULL THEN 'infinity'::timestamptz
                        ELSE greatest(d.first_day, d.end_day)::timestamp AT TIME ZONE :zone
                   END AS end_at
            FROM claimed e
            CROSS JOIN LATERAL (SELECT
                CASE WHEN e.rolled_run IS NULL THEN 'infinity'::date
                     ELSE ((greatest(e.before_end, e.period_start) AT TIME ZONE :zone)
                           - interval '1 microsecond')::date + 1 END AS first_day,
                CASE WHEN e.rolled_run IS NULL THEN 'infinity'::date
                     ELSE (e.claimed_end AT TIME ZONE :zone)::date END AS end_day) d
          ),
          parts AS (
            SELECT e.ord, e.by_member, p.* FROM entries e
            CROSS JOIN LATERAL (
              SELECT r.resource_type, r.unit_price, r.hour, r.k, r.in_period,
                     CASE WHEN r.k = 0 THEN r.slice_start END AS late_start, r.session_id,
                     NULL::text AS member_id, sum(r.unit_seconds) AS unit_seconds,
                     sum(r.records) AS records, min(r.slice_start) AS earliest, r.activity,
                     sum(r.saved_unit_seconds) AS saved_unit_seconds
              FROM (
                SELECT r.resource_type, r.unit_price, r.slice_start, r.unit_seconds, r.records,
                       r.activity, r.saved_unit_seconds,
                       CASE WHEN e.by_member THEN r.session_id ELSE '' END AS session_id,
                       CASE WHEN CAST(:hourly AS boolean)
                            THEN date_trunc('hour', r.slice_start, 'UTC') END AS hour,
                       width_bucket(r.slice_start, CAST(:bounds AS timestamptz[])) AS k,
                       r.slice_start >= e.period_start AS in_period
                FROM (
                  -- from before_end on, before the rollup's days (side 1) and after them (2)
                  SELECT r.session_id, r.resource_type, r.unit_price, r.slice_start,
                         r.unit_seconds, 1 AS records, r.activity,
                         %1$s AS saved_unit_seconds
                  FROM (VALUES (1), (2)) g (side)
                  CROSS JOIN LATERAL (SELECT
                      greatest(e.before_end, CASE WHEN g.side = 2 THEN e.end_at END,
                               '-infinity'::timestamptz) AS lo,
                      CASE WHEN g.side = 1 THEN least(e.claimed_end, e.first_at)
                           ELSE e.claimed_end END AS hi) b
                  JOIN billing_usage_records r
                    ON r.user_id = e.user_id AND r.slice_start >= b.lo AND r.slice_start < b.hi
                  WHERE r.rating_run <= e.run_high
                  UNION ALL
                  -- before before_end: rated after the claim ending there, of no earlier claim
                  SELECT r.session_id, r.resource_type, r.unit_price, r.slice_start,
                         r.unit_seconds, 1, r.activity, %1$s
                  FROM billing_usage_records r
                  WHERE r.user_id = e.user_id AND r.rating_run > e.before_run
                    AND r.rating_run <= e.run_high
                    AND r.slice_start < least(e.before_end, e.claimed_end)
                    AND NOT EXISTS (SELECT 1 FROM billing_usage_claims p
                                    WHERE p.user_id = r.user_id AND p.claim_no < e.claim_no
                                      AND r.slice_start < p.period_end
                                      AND r.rating_run <= p.run_high)
                  UNION ALL
                  -- the rollup's days: every record of them rated up to the watermark
                  SELECT '', d.resource_type, d.unit_price, d.day::timestamp AT TIME ZONE :zone,
                         d.unit_seconds, d.records, d.activity, d.saved_unit_seconds
                  FROM billing_usage_daily d
                  WHERE d.user_id = e.user_id AND d.day >= e.first_day AND d.day < e.end_day
                  UNION ALL
                  -- their records the watermark and the claim's run differ by: added when
                  -- rated up to the run, taken off when after it
                  SELECT r.session_id, r.resource_type, r.unit_price, r.slice_start,
                         CASE WHEN r.rating_run > e.run_high THEN -r.unit_seconds
                              ELSE r.unit_seconds END,
                         CASE WHEN r.rating_run > e.run_high THEN -1 ELSE 1 END, r.activity,
                         CASE WHEN r.rating_run > e.run_high THEN -%1$s ELSE %1$s END
                  FROM billing_usage_records r
                  WHERE r.user_id = e.user_id
                    AND r.rating_run > least(e.rolled_run, e.run_high)
                    AND r.rating_run <= greatest(e.rolled_run, e.run_high)
                    AND r.slice_start >= e.first_at AND r.slice_start < e.end_at) r
              ) r
              GROUP BY 1, 2, 3, 4, 5, 6, 7, 12
            ) p
          )
          %2$s"""
              .formatted(SAVED, BUCKETS));

  /** Binds a statement for the billing periods' cut points it sorts records by. */
  @FunctionalInterface
  private interface Binder {
    NamedSql.Binding bind(List<Instant> bounds) throws SQLException;
  }

  private UsageClaims() {}

  /**
   * Claims the invoices' usage, in the caller's transaction, which holds their accounts' locks.
   *
   * @param settledRun the settled rating run, read before those locks
   * @param byMember whether an invoice's usage is read per member (a team's)
   * @return what each invoice claimed, in the list's order
   */
  static List<Claimed> claim(
      Connection connection,
      List<Invoice> invoices,
      long settledRun,
      Predicate<Invoice> byMember,
      BillingMode mode,
      BillingPeriods periods)
      throws SQLException {
    return read(
        invoices,
        periods,
        bounds ->
            bind(
                CLAIM,
                connection,
                invoices,
                settledRun,
                null,
                byMember,
                mode,
                bounds,
                periods.zone()),
        connection);
  }

  /**
   * What {@link #claim} would claim now, claiming nothing: of the usage from {@code usageFrom}
   * on (all when null).
   */
  static List<Claimed> peek(
      Connection connection,
      List<Invoice> invoices,
      Instant usageFrom,
      Predicate<Invoice> byMember,
      BillingMode mode,
      BillingPeriods periods)
      throws SQLException {
    return read(
        invoices,
        periods,
        bounds ->
            bind(
                PEEK,
                connection,
                invoices,
                EVERY_RUN,
                usageFrom,
                byMember,
                mode,
                bounds,
                periods.zone()),
        connection);
  }

  /**
   * What finalized invoices claimed, read again, claiming nothing (a what-if): each invoice's
   * records by its claim row, as {@link #claim} summed them when it was finalized, per clock hour
   * when {@code hourly}; none for an invoice without a claim.
   */
  static List<Claimed> billed(
      Connection connection, List<Invoice> invoices, boolean hourly, BillingPeriods periods)
      throws SQLException {
    return read(
        invoices,
        periods,
        bounds ->
            BILLED_AGAIN
                .bind("invoice_ids", SqlArrays.array(connection, invoices, Invoice::id))
                .bind("user_ids", SqlArrays.array(connection, invoices, Invoice::orgId))
                .bind("period_starts", SqlArrays.array(connection, invoices, Invoice::periodStart))
                .bind("period_ends", SqlArrays.array(connection, invoices, Invoice::periodEnd))
                .bind("by_member", SqlArrays.array(connection, invoices, i -> false))
                .bind("hourly", hourly)
                .bind("bounds", SqlArrays.instants(connection, bounds))
                .bind("zone", periods.zone().getId()),
        connection);
  }

  private static List<Claimed> read(
      List<Invoice> invoices, BillingPeriods periods, Binder binder, Connection connection)
      throws SQLException {
    if (invoices.isEmpty()) {
      return List.of();
    }
    List<Instant> bounds = bounds(invoices, periods);
    List<Map<PartKey, MemberBucket>> usage = new ArrayList<>();
    List<Instant> floors = new ArrayList<>();
    invoices.forEach(
        i -> {
          usage.add(new LinkedHashMap<>());
          floors.add(null);
        });
    try (PreparedStatement select = binder.bind(bounds).prepare(connection);
        ResultSet rs = select.executeQuery()) {
      while (rs.next()) {
        int index = rs.getInt(1) - 1;
        Invoice invoice = invoices.get(index);
        Instant earliest = rs.getTimestamp(9).toInstant();
        Instant floor = floors.get(index);
        floors.set(index, floor == null || earliest.isBefore(floor) ? earliest : floor);
        Span span =
            span(
                invoice,
                instant(rs.getTimestamp(4)),
                rs.getInt(5),
                rs.getBoolean(6),
                instant(rs.getTimestamp(7)),
                bounds,
                periods);
        MemberBucket part =
            new MemberBucket(
                rs.getString(10),
                new UsageBucket(
                    UsageUnit.ofResourceType(rs.getString(2)),
                    span.start(),
                    span.end(),
                    rs.getBigDecimal(8),
                    rs.getBigDecimal(3),
                    rs.getString(11),
                    rs.getBigDecimal(12)));
        // a record before the bounds came on its own: add it to its bucket's sum
        usage.get(index).merge(key(part), part, UsageClaims::sum);
      }
    }
    List<Claimed> claimed = new ArrayList<>();
    for (int i = 0; i < invoices.size(); i++) {
      claimed.add(new Claimed(floors.get(i), List.copyOf(usage.get(i).values())));
    }
    return claimed;
  }

  /** {@code statement} ({@link #PEEK_SQL}'s parameters) bound to read the invoices' usage. */
  static NamedSql.Binding bind(
      NamedSql statement,
      Connection connection,
      List<Invoice> invoices,
      long runHigh,
      Instant usageFrom,
      Predicate<Invoice> byMember,
      BillingMode mode,
      List<Instant> bounds,
      ZoneId zone)
      throws SQLException {
    return statement
        .bind("invoice_ids", SqlArrays.array(connection, invoices, Invoice::id))
        .bind("user_ids", SqlArrays.array(connection, invoices, Invoice::orgId))
        .bind("period_starts", SqlArrays.array(connection, invoices, Invoice::periodStart))
        .bind("period_ends", SqlArrays.array(connection, invoices, Invoice::periodEnd))
        .bind("by_member", SqlArrays.array(connection, invoices, byMember::test))
        .bind("usage_from", usageFrom)
        .bind("run_high", runHigh)
        .bind("hourly", mode == BillingMode.HYBRID)
        .bind("bounds", SqlArrays.instants(connection, bounds))
        .bind("zone", zone.getId());
  }

  /**
   * The billing periods' cut points the statement sorts records by: the start of the period
   * holding the earliest invoice's start, and every boundary up to the latest invoice's end.
   */
  static List<Instant> bounds(List<Invoice> invoices, BillingPeriods periods) {
    Instant from =
        invoices.stream().map(Invoice::periodStart).min(Comparator.naturalOrder()).orElseThrow();
    Instant to =
        invoices.stream().map(Invoice::periodEnd).max(Comparator.naturalOrder()).orElseThrow();
    List<Instant> bounds = new ArrayList<>();
    bounds.add(periods.periodStart(from));
    bounds.addAll(periods.boundariesBetween(from, to));
    return bounds;
  }

  record Span(Instant start, Instant end) {}

  /**
   * A bucket's span: its billing period (k, or a late record's own), within its hour when read
   * per hour, on its side of the invoice's own start, and before its end.
   */
  static Span span(
      Invoice invoice,
      Instant hour,
      int k,
      boolean inPeriod,
      Instant lateStart,
      List<Instant> bounds,
      BillingPeriods periods) {
    Instant start;
    Instant end;
    if (k == 0) {
      start = periods.periodStart(lateStart);
      end = periods.periodEnd(lateStart);
    } else {
      start = bounds.get(k - 1); // 1-based: the period [bounds[k-1], bounds[k])
      end = k < bounds.size() ? bounds.get(k) : invoice.periodEnd();
    }
    if (hour != null) {
      start = max(start, hour);
      end = min(end, hour.plus(Duration.ofHours(1)));
    }
    if (inPeriod) {
      start = max(start, invoice.periodStart());
    } else {
      end = min(end, invoice.periodStart());
    }
    return new Span(start, min(end, invoice.periodEnd()));
  }

  /** A part's bucket and member: parts with the same one are summed into one. */
  private record PartKey(MemberBucket.Key bucket, String memberId) {}

  private static PartKey key(MemberBucket part) {
    return new PartKey(MemberBucket.Key.of(part.usage()), part.memberId());
  }

  private static MemberBucket sum(MemberBucket a, MemberBucket b) {
    UsageBucket u = a.usage();
    BigDecimal unitSeconds = u.unitSeconds().add(b.usage().unitSeconds());
    BigDecimal saved = u.savedUnitSeconds().add(b.usage().savedUnitSeconds());
    return new MemberBucket(
        a.memberId(),
        new UsageBucket(
            u.unit(), u.start(), u.end(), unitSeconds, u.unitPrice(), u.activity(), saved));
  }

  private static Instant instant(Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}

package io.streamspace.billing.rating;

import io.streamspace.billing.config.ActivityRates;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of the rating statement that tells each piece of a session's steps the activity state
 * it was in ({@code billing_session_activity}, V76: a step function per session, active before
 * its first row), so that idle and disconnected time can be priced at the config's factors
 * ({@code activityRates}) on records of their own. Decided by the stored steps, not by when the
 * session's events arrived.
 *
 * <p>Written after {@link PausedSteps#CTES}, for {@code parts} to read {@code timed_steps}: each
 * billed step with a {@code state}. Only when some factor differs from 1 ({@code activity_keys}
 * not empty) are a session's activity rows read at all, and then only those from the one in effect
 * at its watermark on; a session without any keeps its steps, as active, through a hashed left join
 * against the few that have some (nothing to probe when none has). One that has some has its
 * steps cut at its activity changes, each piece with the state in effect. A hibernated piece
 * ({@link PausedSteps}) is {@code hibernated} whatever its activity, priced at nothing.
 */
final class ActivitySteps {

  static final String CTES =
      """
      activity_rows AS MATERIALIZED (
        SELECT x.session_id, x.effective_from, x.state
        FROM moved t JOIN billing_session_activity x ON x.session_id = t.session_id
        WHERE t.session_id <> '' AND cardinality(:activity_keys::text[]) > 0
          AND x.effective_from < t.rate_to
          AND x.effective_from >= coalesce(
              (SELECT max(y.effective_from) FROM billing_session_activity y
               WHERE y.session_id = t.session_id AND y.effective_from <= t.from_t),
              '-infinity'::timestamptz)
      ),
      activity AS MATERIALIZED (
        SELECT a.session_id, a.act_from, a.state,
               lead(a.act_from) OVER (PARTITION BY a.session_id ORDER BY a.act_from) AS act_to
        FROM (SELECT session_id, effective_from AS act_from, state FROM activity_rows
              UNION ALL
              SELECT DISTINCT session_id, '-infinity'::timestamptz, 'active' FROM activity_rows) a
      ),
      timed_steps AS (
        SELECT g.user_id, g.session_id, g.currency, g.from_t, g.rate_to,
               greatest(g.step_start, a.act_from) AS step_start,
               least(g.step_end, a.act_to) AS step_end, g.cpu_cores, g.memory_gb, g.storage_gb,
               g.held_id, g.held_amount, coalesce(g.paused_state, a.state, 'active') AS state
        FROM billed_steps g
        LEFT JOIN activity a ON a.session_id = g.session_id
          AND (g.step_end IS NULL OR a.act_from < g.step_end)
          AND (a.act_to IS NULL OR a.act_to > g.step_start)
      ),""";

  /** A probe of each record's key, for RATE_PROBING: see {@code RatingRepository}. */
  static final String PROBE =
      """

                  AND NOT EXISTS (SELECT 1 FROM billing_usage_records x
                      WHERE x.user_id = r.user_id AND x.slice_start = r.slice_start
                        AND x.session_id = r.session_id AND x.resource_type = r.resource_type
                        AND x.correction_id = 0
                        AND x.activity = CASE WHEN f.factor = 1 THEN 'active' ELSE r.state END
                      OFFSET 0)""";

  /**
   * The CTE {@code priced}, after {@code parts} and {@code usage}, with {@code guard} ({@link
   * #PROBE} or nothing) on each record; without a comma after it.
   */
  static String priced(String guard) {
    return """
      -- each part's usage of each resource (no zero usage) at the rates of its account's
      -- currency, times the factor of its activity state (activity_keys 'idle:cpu'; 1 when
      -- none is configured; 0 while hibernated: PausedSteps); its record's activity is that
      -- state only where the factor is not 1, so time at the full price stays on the 'active'
      -- records as before; such a record keeps the full price (V78: what its price saved),
      -- null on the others
      priced AS NOT MATERIALIZED (
        SELECT r.user_id, r.session_id, r.currency, r.slice_start, r.slice_end, r.covers,
               r.resource_type, r.unit_seconds, r.unit, r.unit_price * f.factor AS unit_price,
               CASE WHEN f.factor = 1 THEN 'active' ELSE r.state END AS activity,
               CASE WHEN f.factor = 1 THEN NULL ELSE r.unit_price END AS full_price
        -- each part four times, once per resource, by unnest in the select list (parallel
        -- arrays, one row per element): a VALUES list joined laterally would compile its
        -- expressions again for every row it returns (PostgreSQL's ValuesNext), a tenth of the
        -- rating statement's time
        FROM (SELECT u.*,
                     unnest(ARRAY[:cpu_type, :memory_type, :storage_type,
                                  u.held_id]) AS resource_type,
                     unnest(ARRAY[u.cpu, u.memory, u.storage, u.held]) AS unit_seconds,
                     -- a held meter's, in <id>-hours (UsageUnit.held)
                     unnest(ARRAY[:cpu_unit, :memory_unit, :storage_unit,
                                  u.held_id || '-hours']) AS unit,
                     unnest(ARRAY[(:cpu_prices::text[]::numeric[])[p.i],
                                  (:memory_prices::text[]::numeric[])[p.i],
                                  (:storage_prices::text[]::numeric[])[p.i],
                                  -- a held meter's priced by 'currency:id'
                                  (:held_prices::text[]::numeric[])[array_position(
                                      :held_keys::text[], u.currency::text || ':' || u.held_id)]
                                 ]) AS unit_price
              FROM usage u
              CROSS JOIN LATERAL (SELECT array_position(:currencies::text[], u.currency::text))
                p(i)) r
        CROSS JOIN LATERAL (SELECT CASE WHEN r.state = 'active' THEN 1
            WHEN r.state = 'hibernated' THEN 0
            ELSE coalesce((:activity_factors::text[]::numeric[])[array_position(
                     :activity_keys::text[], r.state || ':' || r.resource_type)], 1) END) f(factor)
        WHERE r.unit_seconds > 0%s
      )"""
        .formatted(guard);
  }

  /** RATE's CTE {@code records}, after {@link #priced}: the records it inserts. */
  static final String RECORDS =
      """
      ,
      -- the usage records: a covering part's as it is (one per slice and resource), the other
      -- parts' summed per slice, resource and activity
      records AS (
        INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
            slice_end, unit_seconds, unit, unit_price, currency, created_at, rating_run,
            activity, full_price)
        SELECT user_id, session_id, resource_type, slice_start, slice_end, unit_seconds, unit,
               unit_price, currency, :now::timestamptz, :rating_run::bigint, activity, full_price
        FROM priced WHERE covers
        UNION ALL
        SELECT user_id, session_id, resource_type, slice_start, slice_end, sum(unit_seconds),
               unit, unit_price, currency, :now::timestamptz, :rating_run::bigint, activity,
               full_price
        FROM priced WHERE NOT covers
        GROUP BY user_id, session_id, currency, slice_start, slice_end, resource_type, unit,
                 unit_price, activity, full_price
        RETURNING 1
      )
      """;

  /** The factors other than 1 as RATE's {@code activity_keys}: {@code state:resource_type}. */
  static List<String> keys(ActivityRates activity) {
    List<String> keys = new ArrayList<>();
    activity
        .factors()
        .forEach((state, its) -> its.keySet().forEach(t -> keys.add(state + ":" + t)));
    return keys;
  }

  /** The factors, in the order of {@link #keys}. */
  static List<BigDecimal> factors(ActivityRates activity) {
    List<BigDecimal> factors = new ArrayList<>();
    activity.factors().values().forEach(its -> factors.addAll(its.values()));
    return factors;
  }

  private ActivitySteps() {}
}

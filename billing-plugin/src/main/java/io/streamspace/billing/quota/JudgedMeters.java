package io.streamspace.billing.quota;

import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.PlanLimits;
import io.streamspace.billing.db.NamedSql;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every account's limited meters judged in SQL, the one place the rule is written in SQL: read by
 * {@code GET /admin/quotas}, the dashboard's accounts near their limits and {@code GET
 * /admin/users?quota_state=}. Each use is judged against its limit, that of the version of its plan
 * its plan term is on (every version's limits passed as arrays) plus the account's active packs'
 * (as PlanLimits.raisedBy: a meter the version leaves unlimited has no row), by the rule of
 * QuotaRule (exceeded at or over the limit, or any use of a zero limit, confirmation_required
 * instead for a soft period counter not confirmed this period; warning from {@code used × 100 ≥
 * threshold × limit}). The percent is rounded half up exactly as QuotaRule.percent: floor((used ×
 * 20000 + limit) / (2 × limit)) hundredths.
 *
 * <p>A statement reads it as {@code WITH } {@link #CTES}, then selects from {@code judged
 * (user_id, meter, position, used, amount, kind, percent, state)}, and binds its parameters
 * with {@link #bind}. The expressions are never materialized: a statement that reads {@code
 * judged} for some accounts only (a page of them) judges those accounts only, however many
 * times it reads it.
 *
 * @param limitsByVersion the limits of every version of the plans, by plan id then version (as
 *     {@code VersionLimits#all} gives them; an account on a plan or version not among them has no
 *     limits, so is never over them)
 */
public record JudgedMeters(
    QuotaRule rule, Map<String, Map<Integer, PlanLimits>> limitsByVersion, QuotaReadings.At at) {

  /** The common table expressions, without {@code WITH}, the last one {@code judged}. */
  public static final String CTES =
      """
      use AS NOT MATERIALIZED (%s),
      limits AS (
        SELECT * FROM unnest(:plan_id::text[], :plan_version::int[], :meter_of_limit::text[],
                             :amount::text[]::numeric[], :kind::text[])
          AS l(plan_id, plan_version, meter, amount, kind)),
      -- each limited meter's limit: the plan's plus what the account's packs add
      -- (a counter not reported this period, or a held meter no open session holds, has no
      -- row: used 0, it is ok whatever its limit)
      raised AS NOT MATERIALIZED (
        SELECT u.user_id, u.confirmed, m.meter,
               array_position(:meter_order::text[], m.meter) AS position, m.used, m.counter,
               l.amount + coalesce(u.added_amounts[array_position(u.added_meters, m.meter)], 0)
                 AS amount,
               l.kind
        FROM use u
        CROSS JOIN LATERAL (
          VALUES ('cpu_cores', u.cpu_cores, false), ('memory_gb', u.memory_gb, false),
                 ('active_sessions', u.active_sessions, false),
                 ('storage_gb', u.storage_gb, false), ('members', u.members, false)
          UNION ALL
          SELECT t.meter, t.used, false
          FROM unnest(u.held_meters, u.held_amounts) AS t(meter, used)
          UNION ALL
          SELECT t.meter, t.used, true
          FROM unnest(u.counter_meters, u.counter_totals) AS t(meter, used))
          AS m(meter, used, counter)
        JOIN limits l
          ON l.plan_id = u.plan_id AND l.plan_version = u.plan_version AND l.meter = m.meter),
      judged AS NOT MATERIALIZED (
        SELECT user_id, meter, position, used, amount, kind,
               CASE WHEN amount > 0
                    THEN round(div(used * 20000 + amount, amount * 2) / 100, 2)
               END AS percent,
               CASE WHEN amount = 0 AND used > 0 OR amount > 0 AND used >= amount
                    THEN CASE WHEN counter AND kind = 'soft' AND NOT meter = ANY(confirmed)
                              THEN 'confirmation_required' ELSE 'exceeded' END
                    WHEN amount = 0 THEN 'ok'
                    WHEN used * 100 >= amount * :threshold THEN 'warning'
                    ELSE 'ok'
               END AS state
        FROM raised)"""
          .formatted(QuotaReadings.USE_OF_ACCOUNTS);

  /**
   * The order of an account's meters from the worst: the highest percent first (a zero limit
   * used at all, which has none, before any), at or over the limit before warning, then by meter.
   */
  public static final String WORST_FIRST =
      "percent DESC NULLS FIRST, state <> 'warning' DESC, position";

  public JudgedMeters {
    limitsByVersion = Map.copyOf(limitsByVersion);
  }

  /** {@code binding} with the parameters of {@link #CTES} bound. */
  public NamedSql.Binding bind(NamedSql.Binding binding) {
    List<String> planIds = new ArrayList<>();
    List<Integer> versions = new ArrayList<>();
    List<String> meters = new ArrayList<>();
    List<String> amounts = new ArrayList<>();
    List<String> kinds = new ArrayList<>();
    // the limited meters of every version, as five parallel arrays: unlimited ones have no row
    for (Map.Entry<String, Map<Integer, PlanLimits>> plan : limitsByVersion.entrySet()) {
      for (Map.Entry<Integer, PlanLimits> version : plan.getValue().entrySet()) {
        for (Map.Entry<Meter, Limit> limited : version.getValue().byMeter().entrySet()) {
          if (!limited.getValue().unlimited()) {
            planIds.add(plan.getKey());
            versions.add(version.getKey());
            meters.add(limited.getKey().configName());
            amounts.add(limited.getValue().amount().toPlainString());
            kinds.add(limited.getValue().kind().configName());
          }
        }
      }
    }
    return QuotaReadings.use(binding, null, at)
        .bind("plan_id", planIds.toArray(String[]::new))
        .bind("plan_version", versions.toArray(Integer[]::new))
        .bind("meter_of_limit", meters.toArray(String[]::new))
        .bind("amount", amounts.toArray(String[]::new))
        .bind("kind", kinds.toArray(String[]::new))
        .bind("threshold", rule.alertThreshold())
        .bind("meter_order", at.meters().ids().toArray(String[]::new));
  }
}

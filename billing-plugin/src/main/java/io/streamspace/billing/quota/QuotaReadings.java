package io.streamspace.billing.quota;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.packs.PackPurchases;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Reads what accounts use of every meter, at request time, in one statement for one account or
 * for all of them: nothing is cached, so a reading is as current as the stored events.
 */
public final class QuotaReadings {

  /**
   * The use of every account (or of :user_id's), one row each, a column per meter, and a column
   * per meter of what its packs active at {@code :at} add to its limits.
   */
  private static final String USE_OF_ACCOUNTS =
      """
          SELECT a.user_id, a.currency, s.plan_id,
                 c.cpu_cores, c.memory_gb, c.active_sessions,
                 coalesce(l.storage_gb, 0) AS storage_gb,
                 r.bandwidth_gb, r.transcoding_minutes, r.ai_queries,
                 %s,
                 f.confirmed
          FROM billing_accounts a
          JOIN billing_subscriptions s ON s.user_id = a.user_id AND s.ended_at IS NULL
          -- open sessions at their latest size; one whose heartbeat timed out no longer counts
          -- (calculate-usage ends it at its last heartbeat)
          CROSS JOIN LATERAL (
            SELECT coalesce(sum(z.cpu_cores), 0) AS cpu_cores,
                   coalesce(sum(z.memory_gb), 0) AS memory_gb,
                   count(*) AS active_sessions
            FROM billing_sessions o
            LEFT JOIN LATERAL (
              SELECT cpu_cores, memory_gb FROM billing_session_sizes z
              WHERE z.session_id = o.session_id
              ORDER BY z.effective_from DESC LIMIT 1) z ON true
            WHERE o.user_id = a.user_id AND o.ended_at IS NULL
              AND o.last_heartbeat >= :stale_before) c
          LEFT JOIN LATERAL (
            SELECT storage_gb FROM billing_storage_levels l
            WHERE l.user_id = a.user_id
            ORDER BY l.effective_from DESC LIMIT 1) l ON true
          -- the counters: what was reported in the current billing period
          CROSS JOIN LATERAL (
            SELECT coalesce(sum(quantity) FILTER (WHERE meter = 'bandwidth_gb'), 0)
                     AS bandwidth_gb,
                   coalesce(sum(quantity) FILTER (WHERE meter = 'transcoding_minutes'), 0)
                     AS transcoding_minutes,
                   coalesce(sum(quantity) FILTER (WHERE meter = 'ai_queries'), 0) AS ai_queries
            FROM billing_usage_reports u
            WHERE u.user_id = a.user_id
              AND u.occurred_at >= :period_start AND u.occurred_at < :period_end) r
          -- the meters whose overage the account confirmed for the current billing period
          CROSS JOIN LATERAL (
            SELECT coalesce(array_agg(meter), '{}') AS confirmed
            FROM billing_overage_confirmations f
            WHERE f.user_id = a.user_id AND f.period_start = :period_start) f
          -- what the packs active now add to the limits, a column per meter
          CROSS JOIN LATERAL (
            SELECT %s
            FROM billing_pack_purchases p
            WHERE p.user_id = a.user_id AND %s) k
          WHERE CAST(:user_id AS text) IS NULL OR a.user_id = :user_id
          """
          .formatted(
              meterColumns("k.%s_added"),
              meterColumns("coalesce(sum((p.adds ->> '%1$s')::numeric), 0) AS %1$s_added"),
              PackPurchases.ACTIVE_AT);

  private static final NamedSql USE = NamedSql.of(USE_OF_ACCOUNTS + "ORDER BY a.user_id");

  /**
   * The (account, meter) pairs at or over the threshold, worst first, a page of them: each use is
   * judged in SQL against its limit, the plan's (passed as arrays) plus the account's active
   * packs' (as PlanLimits.raisedBy: a meter the plan leaves unlimited has no row), by the rule of
   * QuotaRule (exceeded at or over the limit, or any use of a zero limit, confirmation_required
   * instead for a soft period counter not confirmed this period; warning from {@code used × 100
   * ≥ threshold × limit}). The percent is rounded half up exactly as QuotaRule.percent:
   * floor((used × 20000 + limit) / (2 × limit)) hundredths.
   */
  private static final NamedSql OVER_THRESHOLD =
      NamedSql.of(
          """
          WITH use AS (%s),
          limits AS (
            SELECT * FROM unnest(:plan_id::text[], :meter_of_limit::text[],
                                 :amount::text[]::numeric[], :kind::text[])
              AS l(plan_id, meter, amount, kind)),
          -- each limited meter's limit: the plan's plus what the account's packs add
          raised AS (
            SELECT u.user_id, u.confirmed, m.meter, m.position, m.used, m.counter,
                   l.amount + m.added AS amount, l.kind
            FROM use u
            CROSS JOIN LATERAL (VALUES %s) AS m(meter, position, used, counter, added)
            JOIN limits l ON l.plan_id = u.plan_id AND l.meter = m.meter),
          judged AS (
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
            FROM raised)
          SELECT user_id, meter, used, amount, kind, percent, state
          FROM judged
          WHERE state <> 'ok'
            AND (CAST(:state AS text) IS NULL OR state = :state)
            AND (CAST(:meter AS text) IS NULL OR meter = :meter)
          -- a zero limit used at all has no percent: it is the worst
          ORDER BY percent DESC NULLS FIRST, state <> 'warning' DESC, user_id, position
          LIMIT :limit OFFSET :offset
          """
              .formatted(USE_OF_ACCOUNTS, meterRows()));

  /**
   * The instant of a reading and what it implies.
   *
   * @param now the instant whose active packs count
   * @param staleBefore sessions whose last heartbeat is older are no longer open
   * @param periodStart the current billing period, whose reports the counters add up
   */
  public record At(Instant now, Instant staleBefore, Instant periodStart, Instant periodEnd) {}

  private final DataSource dataSource;

  public QuotaReadings(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The use of one account, if it has one. */
  public Optional<AccountUse> of(String userId, At at) throws SQLException {
    return read(userId, at).stream().findFirst();
  }

  /** The use of every account, by user id. */
  public List<AccountUse> all(At at) throws SQLException {
    return read(null, at);
  }

  /**
   * The meters of accounts at or over the threshold, worst first: highest percent first (a zero
   * limit used at all before any), exceeded before warning, then by user id and meter.
   *
   * @param limitsByPlan every configured plan's limits, by plan id (an account on another plan
   *     has no limits, so is never over them)
   * @param state only that state; null for both
   * @param meter only that meter; null for all
   */
  public List<MeterOverThreshold> overThreshold(
      QuotaRule rule,
      Map<String, PlanLimits> limitsByPlan,
      QuotaState state,
      Meter meter,
      int limit,
      int offset,
      At at)
      throws SQLException {
    List<String> planIds = new ArrayList<>();
    List<String> meters = new ArrayList<>();
    List<String> amounts = new ArrayList<>();
    List<String> kinds = new ArrayList<>();
    // the limited meters of every plan, as four parallel arrays: unlimited ones have no row
    for (Map.Entry<String, PlanLimits> plan : limitsByPlan.entrySet()) {
      for (Map.Entry<Meter, Limit> limited : plan.getValue().byMeter().entrySet()) {
        if (!limited.getValue().unlimited()) {
          planIds.add(plan.getKey());
          meters.add(limited.getKey().configName());
          amounts.add(limited.getValue().amount().toPlainString());
          kinds.add(limited.getValue().kind().configName());
        }
      }
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            use(OVER_THRESHOLD, null, at)
                .bind("plan_id", planIds.toArray(String[]::new))
                .bind("meter_of_limit", meters.toArray(String[]::new))
                .bind("amount", amounts.toArray(String[]::new))
                .bind("kind", kinds.toArray(String[]::new))
                .bind("threshold", rule.alertThreshold())
                .bind("state", state == null ? null : state.jsonName())
                .bind("meter", meter == null ? null : meter.configName())
                .bind("limit", limit)
                .bind("offset", offset)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<MeterOverThreshold> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(
            new MeterOverThreshold(
                rs.getString("user_id"),
                Meter.named(rs.getString("meter")).orElseThrow(),
                rs.getBigDecimal("used"),
                rs.getBigDecimal("amount"),
                rs.getBigDecimal("percent"),
                LimitKind.valueOf(rs.getString("kind").toUpperCase(Locale.ROOT)),
                QuotaState.valueOf(rs.getString("state").toUpperCase(Locale.ROOT))));
      }
      return rows;
    }
  }

  /** {@code sql} with the parameters of {@link #USE_OF_ACCOUNTS} bound. */
  private static NamedSql.Binding use(NamedSql sql, String userId, At at) {
    return sql.bind("user_id", userId)
        .bind("at", at.now())
        .bind("stale_before", at.staleBefore())
        .bind("period_start", at.periodStart())
        .bind("period_end", at.periodEnd());
  }

  /**
   * Each meter's column of the use as a row: (its name, its position, its use, whether it is a
   * period counter, what packs add to its limit).
   */
  private static String meterRows() {
    return Arrays.stream(Meter.values())
        .map(
            m ->
                "('%1$s', %2$d, u.%1$s, %3$s, u.%1$s_added)"
                    .formatted(
                        m.configName(), m.ordinal(), m.measure() == Meter.Measure.PERIOD_COUNTER))
        .collect(Collectors.joining(", "));
  }

  /** {@code format} for each meter, given its name, comma separated. */
  private static String meterColumns(String format) {
    return Arrays.stream(Meter.values())
        .map(m -> format.formatted(m.configName()))
        .collect(Collectors.joining(", "));
  }

  private static Set<Meter> meters(String[] names) {
    Set<Meter> meters = EnumSet.noneOf(Meter.class);
    for (String name : names) {
      Meter.named(name).ifPresent(meters::add);
    }
    return meters;
  }

  private List<AccountUse> read(String userId, At at) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = use(USE, userId, at).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<AccountUse> uses = new ArrayList<>();
      while (rs.next()) {
        Map<Meter, BigDecimal> used = new EnumMap<>(Meter.class);
        Map<Meter, BigDecimal> packAdds = new EnumMap<>(Meter.class);
        for (Meter meter : Meter.values()) {
          used.put(meter, rs.getBigDecimal(meter.configName()));
          BigDecimal added = rs.getBigDecimal(meter.configName() + "_added");
          if (added.signum() != 0) {
            packAdds.put(meter, added);
          }
        }
        uses.add(
            new AccountUse(
                rs.getString("user_id"),
                rs.getString("plan_id"),
                Currency.getInstance(rs.getString("currency")),
                used,
                packAdds,
                meters((String[]) rs.getArray("confirmed").getArray())));
      }
      return uses;
    }
  }
}

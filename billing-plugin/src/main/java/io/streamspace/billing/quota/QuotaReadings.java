package io.streamspace.billing.quota;

import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.Meters;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.packs.PackPurchaseRepository;
import io.streamspace.billing.planversions.VersionLimits;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Reads what accounts use of every meter, at request time, in one statement for one account or
 * for all of them: nothing is cached, so a reading is as current as the stored events.
 */
public final class QuotaReadings {

  /**
   * The use of every account (or of :user_id's), one row each: a column per built-in meter
   * measured from sessions and one of its seats (members), what its open sessions hold of the
   * held meters as two parallel arrays (meter ids, amounts), its counters reported this period as
   * two more (meter ids, uses), and what its packs active at {@code :at} add to its limits as two
   * more (meter ids, amounts).
   */
  static final String USE_OF_ACCOUNTS =
      """
          SELECT a.user_id, a.currency, s.plan_id, s.plan_version,
                 c.cpu_cores, c.memory_gb, c.active_sessions,
                 coalesce(l.storage_gb, 0) AS storage_gb, m.members,
                 h.held_meters, h.held_amounts,
                 r.counter_meters, r.counter_totals,
                 k.added_meters, k.added_amounts,
                 f.confirmed
          FROM billing_accounts a
          JOIN billing_subscriptions s ON s.user_id = a.user_id AND s.ended_at IS NULL
          -- open sessions at their latest size; one whose heartbeat timed out no longer counts
          -- (calculate-usage ends it at its last heartbeat). An open session is never settled
          -- (settled ones have ended): NOT settled lets every account's open sessions be read
          -- by billing_sessions_unsettled instead of the year of ended sessions
          CROSS JOIN LATERAL (
            SELECT coalesce(sum(z.cpu_cores), 0) AS cpu_cores,
                   coalesce(sum(z.memory_gb), 0) AS memory_gb,
                   count(*) AS active_sessions,
                   coalesce(array_agg(o.session_id), '{}') AS open_sessions
            FROM billing_sessions o
            LEFT JOIN LATERAL (
              SELECT cpu_cores, memory_gb FROM billing_session_sizes z
              WHERE z.session_id = o.session_id
              ORDER BY z.effective_from DESC LIMIT 1) z ON true
            WHERE o.org_id = a.user_id AND NOT o.settled AND o.ended_at IS NULL
              AND o.last_heartbeat >= :stale_before) c
          -- what the same open sessions hold of each held meter, at its latest amount
          CROSS JOIN LATERAL (
            SELECT coalesce(array_agg(t.meter ORDER BY t.meter), '{}') AS held_meters,
                   coalesce(array_agg(t.held ORDER BY t.meter), '{}') AS held_amounts
            FROM (
              SELECT hz.meter_id AS meter, sum(hz.amount) AS held
              FROM unnest(c.open_sessions) AS o(session_id)
              CROSS JOIN LATERAL (
                SELECT DISTINCT ON (hz.meter_id) hz.meter_id, hz.amount
                FROM billing_session_held hz
                WHERE hz.session_id = o.session_id
                ORDER BY hz.meter_id, hz.effective_from DESC) hz
              GROUP BY hz.meter_id) t) h
          LEFT JOIN LATERAL (
            SELECT storage_gb FROM billing_storage_levels l
            WHERE l.user_id = a.user_id
            ORDER BY l.effective_from DESC LIMIT 1) l ON true
          -- the seats: a personal organization's one, its user; a team's members now, as
          -- billing_memberships decides them by event time
          CROSS JOIN LATERAL (
            SELECT CASE WHEN a.personal THEN 1
                        ELSE (SELECT count(*) FROM billing_memberships ms
                              WHERE ms.org_id = a.user_id) END AS members) m
          -- the counters: what was reported in the current billing period, each meter's sum
          -- (the largest report for a meter of :max_meters)
          CROSS JOIN LATERAL (
            SELECT coalesce(array_agg(t.meter ORDER BY t.meter), '{}') AS counter_meters,
                   coalesce(array_agg(t.total ORDER BY t.meter), '{}') AS counter_totals
            FROM (
              SELECT meter,
                     CASE WHEN meter = ANY(:max_meters::text[]) THEN max(quantity)
                          ELSE sum(quantity) END AS total
              FROM billing_usage_reports u
              WHERE u.org_id = a.user_id
                AND u.occurred_at >= :period_start AND u.occurred_at < :period_end
                -- the seats are counted from memberships: a report naming them counts nothing
                AND u.meter <> 'members'
              GROUP BY meter) t) r
          -- the meters whose overage the account confirmed for the current billing period
          CROSS JOIN LATERAL (
            SELECT coalesce(array_agg(meter), '{}') AS confirmed
            FROM billing_overage_confirmations f
            WHERE f.user_id = a.user_id AND f.period_start = :period_start) f
          -- what the packs active now add to the limits, per meter
          CROSS JOIN LATERAL (
            SELECT coalesce(array_agg(t.meter ORDER BY t.meter), '{}') AS added_meters,
                   coalesce(array_agg(t.added ORDER BY t.meter), '{}') AS added_amounts
            FROM (
              SELECT e.key AS meter, sum(e.value::numeric) AS added
              FROM billing_pack_purchases p
              CROSS JOIN LATERAL jsonb_each_text(p.adds) e
              WHERE p.user_id = a.user_id AND %s
              GROUP BY e.key) t) k
          WHERE (CAST(:user_id AS text) IS NULL OR a.user_id = :user_id)
          """
          .formatted(PackPurchaseRepository.ACTIVE_AT);

  private static final NamedSql USE = NamedSql.of(USE_OF_ACCOUNTS + "ORDER BY a.user_id");

  /**
   * A page of the accounts' use, in user id order, those after :after: check-quotas reads every
   * account a page at a time, so it holds one page in memory. The page's accounts are found first,
   * by key (those with an active subscription, as USE_OF_ACCOUNTS joins them), and the use is read
   * for each of them alone (OFFSET 0 keeps that subquery from being merged into the page's join,
   * which the planner would order as it likes). With the limit on the whole query, statistics
   * from before a wave of sign-ups had PostgreSQL read the use of every account after :after and
   * keep the first page of them: 1.5 s a page at 100,000 accounts, a run of minutes.
   */
  private static final NamedSql PAGE =
      NamedSql.of(
          """
          SELECT u.* FROM (
            SELECT user_id FROM billing_subscriptions
            WHERE ended_at IS NULL AND user_id > :after
            ORDER BY user_id LIMIT :limit) p
          CROSS JOIN LATERAL (
          %s  AND a.user_id = p.user_id OFFSET 0) u
          ORDER BY u.user_id"""
              .formatted(USE_OF_ACCOUNTS));

  /** The (account, meter) pairs at or over the threshold, worst first, a page of them. */
  private static final NamedSql OVER_THRESHOLD =
      NamedSql.of(
          """
          WITH %s
          SELECT user_id, meter, used, amount, kind, percent, state
          FROM judged
          WHERE state <> 'ok'
            AND (CAST(:state AS text) IS NULL OR state = :state)
            AND (CAST(:meter AS text) IS NULL OR meter = :meter)
          -- a zero limit used at all has no percent: it is the worst
          ORDER BY percent DESC NULLS FIRST, state <> 'warning' DESC, user_id, position
          LIMIT :limit OFFSET :offset
          """
              .formatted(JudgedMeters.CTES));

  /** How many accounts have at least one meter in each state but ok. */
  private static final NamedSql ACCOUNTS_BY_STATE =
      NamedSql.of(
          """
          WITH %s
          SELECT state, count(DISTINCT user_id) AS accounts
          FROM judged
          WHERE state <> 'ok'
          GROUP BY state
          """
              .formatted(JudgedMeters.CTES));

  /**
   * The instant of a reading and what it implies.
   *
   * @param now the instant whose active packs count
   * @param staleBefore sessions whose last heartbeat is older are no longer open
   * @param periodStart the current billing period, whose reports the counters add up
   * @param meters the meters in effect: which counters are the largest report, not the sum
   */
  public record At(
      Instant now, Instant staleBefore, Instant periodStart, Instant periodEnd, Meters meters) {}

  private final DataSource dataSource;

  public QuotaReadings(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * The limits of every version of the plans, read now ({@code config}'s plans with no version
   * stored: their version 1 as it sets them).
   */
  public VersionLimits versionLimits(BillingConfig config) throws SQLException {
    return VersionLimits.read(dataSource, config);
  }

  /** The use of one account, if it has one. */
  public Optional<UseSnapshot> of(String orgId, At at) throws SQLException {
    return read(orgId, at).stream().findFirst();
  }

  /** The use of every account, by user id. */
  public List<UseSnapshot> all(At at) throws SQLException {
    return read(null, at);
  }

  /** The use of at most {@code limit} accounts after {@code after} ("": the first), by user id. */
  public List<UseSnapshot> page(String after, int limit, At at) throws SQLException {
    return read(use(PAGE.binding(), null, at).bind("after", after).bind("limit", limit));
  }

  /**
   * The meters of accounts at or over the threshold, worst first: highest percent first (a zero
   * limit used at all before any), exceeded before warning, then by user id and meter.
   *
   * @param state only that state; null for all three
   * @param meter only that meter; null for all
   */
  public List<MeterOverThreshold> overThreshold(
      JudgedMeters judged, QuotaState state, Meter meter, int limit, int offset)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            judged
                .bind(OVER_THRESHOLD.binding())
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
                Meter.of(rs.getString("meter")),
                rs.getBigDecimal("used"),
                rs.getBigDecimal("amount"),
                rs.getBigDecimal("percent"),
                LimitKind.valueOf(rs.getString("kind").toUpperCase(Locale.ROOT)),
                stateNamed(rs.getString("state"))));
      }
      return rows;
    }
  }

  /**
   * How many accounts have at least one meter in each state but ok (an account with one meter in
   * warning and another exceeded counts in both); a state no account is in is absent.
   */
  public Map<QuotaState, Long> accountsByState(JudgedMeters judged) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = judged.bind(ACCOUNTS_BY_STATE.binding()).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      Map<QuotaState, Long> counts = new EnumMap<>(QuotaState.class);
      while (rs.next()) {
        counts.put(stateNamed(rs.getString("state")), rs.getLong("accounts"));
      }
      return counts;
    }
  }

  private static QuotaState stateNamed(String jsonName) {
    return QuotaState.valueOf(jsonName.toUpperCase(Locale.ROOT));
  }

  /** {@code sql} with the parameters of {@link #USE_OF_ACCOUNTS} bound. */
  static NamedSql.Binding use(NamedSql.Binding binding, String orgId, At at) {
    return binding
        .bind("user_id", orgId)
        .bind("at", at.now())
        .bind("stale_before", at.staleBefore())
        .bind("period_start", at.periodStart())
        .bind("period_end", at.periodEnd())
        .bind("max_meters", at.meters().maxCounterIds());
  }

  /** The meters measured from sessions, and the seats: a column each. */
  private static final List<Meter> SESSION_METERS =
      List.of(
          Meter.CPU_CORES, Meter.MEMORY_GB, Meter.ACTIVE_SESSIONS, Meter.STORAGE_GB, Meter.MEMBERS);

  /** Two parallel array columns, meter ids and amounts, as a map. */
  private static Map<Meter, BigDecimal> byMeter(ResultSet rs, String ids, String amounts)
      throws SQLException {
    String[] meters = (String[]) rs.getArray(ids).getArray();
    BigDecimal[] values = (BigDecimal[]) rs.getArray(amounts).getArray();
    Map<Meter, BigDecimal> byMeter = new LinkedHashMap<>();
    for (int i = 0; i < meters.length; i++) {
      byMeter.put(Meter.of(meters[i]), values[i]);
    }
    return byMeter;
  }

  private static Set<Meter> meters(String[] names) {
    Set<Meter> meters = new LinkedHashSet<>();
    for (String name : names) {
      meters.add(Meter.of(name));
    }
    return meters;
  }

  private List<UseSnapshot> read(String orgId, At at) throws SQLException {
    return read(use(USE.binding(), orgId, at));
  }

  private List<UseSnapshot> read(NamedSql.Binding binding) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = binding.prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<UseSnapshot> uses = new ArrayList<>();
      while (rs.next()) {
        Map<Meter, BigDecimal> used = new LinkedHashMap<>();
        for (Meter meter : SESSION_METERS) {
          used.put(meter, rs.getBigDecimal(meter.configName()));
        }
        used.putAll(byMeter(rs, "held_meters", "held_amounts"));
        used.putAll(byMeter(rs, "counter_meters", "counter_totals"));
        Map<Meter, BigDecimal> packAdds = byMeter(rs, "added_meters", "added_amounts");
        packAdds.values().removeIf(added -> added.signum() == 0);
        uses.add(
            new UseSnapshot(
                rs.getString("user_id"),
                rs.getString("plan_id"),
                rs.getInt("plan_version"),
                Currency.getInstance(rs.getString("currency")),
                used,
                packAdds,
                meters((String[]) rs.getArray("confirmed").getArray())));
      }
      return uses;
    }
  }
}

package io.streamspace.billing.quota;

import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.packs.PackPurchaseRepository;
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
  static final String USE_OF_ACCOUNTS =
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
              PackPurchaseRepository.ACTIVE_AT);

  private static final NamedSql USE = NamedSql.of(USE_OF_ACCOUNTS + "ORDER BY a.user_id");

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
   */
  public record At(Instant now, Instant staleBefore, Instant periodStart, Instant periodEnd) {}

  private final DataSource dataSource;

  public QuotaReadings(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The use of one account, if it has one. */
  public Optional<UseSnapshot> of(String userId, At at) throws SQLException {
    return read(userId, at).stream().findFirst();
  }

  /** The use of every account, by user id. */
  public List<UseSnapshot> all(At at) throws SQLException {
    return read(null, at);
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
                Meter.named(rs.getString("meter")).orElseThrow(),
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
  static NamedSql.Binding use(NamedSql.Binding binding, String userId, At at) {
    return binding
        .bind("user_id", userId)
        .bind("at", at.now())
        .bind("stale_before", at.staleBefore())
        .bind("period_start", at.periodStart())
        .bind("period_end", at.periodEnd());
  }

  /**
   * Each meter's column of the use as a row: (its name, its position, its use, whether it is a
   * period counter, what packs add to its limit).
   */
  static String meterRows() {
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

  private List<UseSnapshot> read(String userId, At at) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = use(USE.binding(), userId, at).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<UseSnapshot> uses = new ArrayList<>();
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
            new UseSnapshot(
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

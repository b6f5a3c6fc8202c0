package io.streamspace.billing.quota;

import io.streamspace.billing.db.NamedSql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Reads what accounts use of every meter, at request time, in one statement for one account or
 * for all of them: nothing is cached, so a reading is as current as the stored events.
 */
public final class QuotaReadings {

  private static final NamedSql USE =
      NamedSql.of(
          """
          SELECT a.user_id, a.currency, s.plan_id,
                 c.cpu_cores, c.memory_gb, c.active_sessions,
                 coalesce(l.storage_gb, 0) AS storage_gb,
                 r.bandwidth_gb, r.transcoding_minutes, r.ai_queries
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
          WHERE CAST(:user_id AS text) IS NULL OR a.user_id = :user_id
          ORDER BY a.user_id
          """);

  private final DataSource dataSource;

  public QuotaReadings(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * The use of one account, if it has one.
   *
   * @param staleBefore sessions whose last heartbeat is older are no longer open
   * @param periodStart the current billing period, whose reports the counters add up
   */
  public Optional<AccountUse> of(
      String userId, Instant staleBefore, Instant periodStart, Instant periodEnd)
      throws SQLException {
    return read(userId, staleBefore, periodStart, periodEnd).stream().findFirst();
  }

  /** The use of every account, by user id. */
  public List<AccountUse> all(Instant staleBefore, Instant periodStart, Instant periodEnd)
      throws SQLException {
    return read(null, staleBefore, periodStart, periodEnd);
  }

  private List<AccountUse> read(
      String userId, Instant staleBefore, Instant periodStart, Instant periodEnd)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            USE.bind("user_id", userId)
                .bind("stale_before", staleBefore)
                .bind("period_start", periodStart)
                .bind("period_end", periodEnd)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<AccountUse> uses = new ArrayList<>();
      while (rs.next()) {
        Map<Meter, BigDecimal> used = new EnumMap<>(Meter.class);
        for (Meter meter : Meter.values()) {
          used.put(meter, rs.getBigDecimal(meter.configName()));
        }
        uses.add(
            new AccountUse(
                rs.getString("user_id"),
                rs.getString("plan_id"),
                Currency.getInstance(rs.getString("currency")),
                used));
      }
      return uses;
    }
  }
}

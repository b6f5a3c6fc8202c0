package io.streamspace.billing.forecast;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.billing.rating.CurrencyRates;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;

/**
 * The sessions an organization runs now (not ended, a heartbeat within {@code
 * sessionHeartbeatTimeoutMinutes}) and what they cost: each one's held resources as its last
 * size and held meters say, at the unit prices of the organization's currency in the config in
 * effect (those the next rating run prices them at); storage is the organization's, rated on its
 * own, and not counted here.
 */
final class RunningSessions {

  /**
   * A running session.
   *
   * @param memberId the member who runs it
   * @param unratedFrom where its usage is not rated yet (its last rating, or its start; no
   *     earlier than the period's start)
   * @param perHour what it costs an hour at the rates, at the forecast's working scale
   */
  record Session(String memberId, Instant unratedFrom, BigDecimal perHour) {

    /** What it ran up since it was last rated, to {@code now}. */
    BigDecimal unrated(Instant now) {
      if (!unratedFrom.isBefore(now)) {
        return BigDecimal.ZERO;
      }
      return hours(Duration.between(unratedFrom, now)).multiply(perHour);
    }
  }

  private static final BigDecimal SECONDS_AN_HOUR = BigDecimal.valueOf(3_600);

  private static final NamedSql RUNNING =
      NamedSql.of(
          """
          SELECT s.user_id, greatest(coalesce(s.rated_until, s.started_at), :period_start),
                 coalesce(z.cpu_cores, 0), coalesce(z.memory_gb, 0),
                 (SELECT coalesce(jsonb_object_agg(h.meter_id, h.amount), '{}')::text
                  FROM (SELECT DISTINCT ON (meter_id) meter_id, amount
                        FROM billing_session_held
                        WHERE session_id = s.session_id AND effective_from <= :now
                        ORDER BY meter_id, effective_from DESC) h)
          FROM billing_sessions s
          LEFT JOIN LATERAL (
            SELECT cpu_cores, memory_gb FROM billing_session_sizes z
            WHERE z.session_id = s.session_id AND z.effective_from <= :now
            ORDER BY z.effective_from DESC LIMIT 1) z ON true
          WHERE s.org_id = :org_id AND s.ended_at IS NULL AND s.last_heartbeat > :alive_since
          ORDER BY s.session_id""");

  private RunningSessions() {}

  static List<Session> read(
      Connection connection,
      String orgId,
      Currency currency,
      Instant now,
      Instant periodStart,
      BillingConfig config)
      throws SQLException {
    List<Session> sessions = new ArrayList<>();
    CurrencyRates rates = CurrencyRates.in(config, currency).orElse(null);
    if (rates == null) {
      return sessions; // a currency no longer priced: nothing is rated in it either
    }
    try (PreparedStatement statement =
            RUNNING
                .bind("org_id", orgId)
                .bind("period_start", periodStart)
                .bind("now", now)
                .bind("alive_since", now.minus(config.sessionHeartbeatTimeout()))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        BigDecimal perHour =
            rates.perHour(
                rs.getBigDecimal(3), rs.getBigDecimal(4), JsonMapper.decimals(rs.getString(5)));
        sessions.add(
            new Session(
                rs.getString(1),
                Sql.instant(rs.getTimestamp(2)),
                perHour.setScale(Forecast.SCALE, RoundingMode.HALF_EVEN)));
      }
    }
    return sessions;
  }

  /** A duration in hours, at the forecast's working scale. */
  static BigDecimal hours(Duration duration) {
    return BigDecimal.valueOf(duration.toSeconds())
        .divide(SECONDS_AN_HOUR, Forecast.SCALE, RoundingMode.HALF_EVEN);
  }
}

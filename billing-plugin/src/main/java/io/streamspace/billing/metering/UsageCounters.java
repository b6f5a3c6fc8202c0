package io.streamspace.billing.metering;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.BillingPeriods;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Reads the counted meters (bandwidth, transcoding, AI queries) from the stored usage reports: a
 * counter is the exact sum of the reports that occurred in its period, so it starts again from
 * zero at each billing period start, and a redelivered or late report counts once, in the period
 * it occurred in.
 */
public final class UsageCounters {

  private static final NamedSql TOTAL =
      NamedSql.of(
          """
          SELECT coalesce(sum(quantity), 0) FROM billing_usage_reports
          WHERE user_id = :user_id AND meter = :meter
            AND occurred_at >= :from AND occurred_at < :to
          """);

  // per meter, what the account's reports add up to before and from :from in [:start, :to)
  private static final NamedSql SPLIT =
      NamedSql.of(
          """
          SELECT meter,
                 coalesce(sum(quantity) FILTER (WHERE occurred_at < :from), 0),
                 coalesce(sum(quantity) FILTER (WHERE occurred_at >= :from), 0)
          FROM billing_usage_reports
          WHERE user_id = :user_id AND occurred_at >= :start AND occurred_at < :to
          GROUP BY meter
          """);

  /** A counter in {@code [start, from)} and in {@code [from, to)}. */
  public record Split(BigDecimal before, BigDecimal during) {}

  private final DataSource dataSource;

  public UsageCounters(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The quantity of {@code meter} the account's reports add up to in {@code [from, to)}. */
  public BigDecimal total(String userId, String meter, Instant from, Instant to)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            TOTAL
                .bind("user_id", userId)
                .bind("meter", meter)
                .bind("from", from)
                .bind("to", to)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getBigDecimal(1);
    }
  }

  /**
   * Every meter the account reported in {@code [start, to)}, split at {@code from}, in the
   * caller's transaction (an invoice's counters).
   */
  public static Map<String, Split> split(
      Connection connection, String userId, Instant start, Instant from, Instant to)
      throws SQLException {
    Map<String, Split> splits = new HashMap<>();
    try (PreparedStatement statement =
            SPLIT
                .bind("user_id", userId)
                .bind("start", start)
                .bind("from", from)
                .bind("to", to)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        splits.put(rs.getString(1), new Split(rs.getBigDecimal(2), rs.getBigDecimal(3)));
      }
    }
    return splits;
  }

  /** The counter of {@code meter} in the billing period that holds {@code instant}. */
  public BigDecimal inPeriod(String userId, String meter, BillingPeriods periods, Instant instant)
      throws SQLException {
    return total(userId, meter, periods.periodStart(instant), periods.periodEnd(instant));
  }
}

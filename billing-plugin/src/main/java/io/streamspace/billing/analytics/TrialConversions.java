package io.streamspace.billing.analytics;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Conversion from trial, per month and plan ({@code billing_trials}, V95): the trials that
 * started in a month (their trial term's start, in the billing zone), and of those that ended in
 * it (their end, or the plan change that ended one early), how many converted, lapsed to the
 * default plan or changed plan, and the share that converted. Read at the request: there are as
 * many trials as organizations trying a plan, not a row per month of each.
 */
public final class TrialConversions {

  /**
   * A month's trials of one plan.
   *
   * @param started the trials that began in the month
   * @param converted of those that ended in the month, how many converted (pay the plan from their
   *     end); likewise {@code lapsed} (fell back to the default plan) and {@code changed} (moved to
   *     another plan before their end)
   * @param conversionRate converted ÷ (converted + lapsed + changed), four decimals; null when
   *     none ended in the month
   */
  public record Month(
      String month,
      String planId,
      long started,
      long converted,
      long lapsed,
      long changed,
      BigDecimal conversionRate) {}

  // each trial counted in the month it started and in the month it ended (if it did), by plan
  private static final NamedSql MONTHS =
      NamedSql.of(
          """
          WITH events AS (
            SELECT t.plan_id, s.started_at AS happened, 'started' AS what
            FROM billing_trials t JOIN billing_subscriptions s ON s.id = t.term_id
            UNION ALL
            SELECT t.plan_id, t.ended_at, t.outcome FROM billing_trials t
            WHERE t.outcome IS NOT NULL
          )
          SELECT to_char(happened AT TIME ZONE :zone, 'YYYY-MM') AS month, plan_id,
                 count(*) FILTER (WHERE what = 'started'),
                 count(*) FILTER (WHERE what = 'converted'),
                 count(*) FILTER (WHERE what = 'lapsed'),
                 count(*) FILTER (WHERE what = 'changed')
          FROM events WHERE happened >= :from AND happened < :to
          GROUP BY 1, 2 ORDER BY 1, 2""");

  private final DataSource dataSource;

  public TrialConversions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The months {@code from} to {@code to}, both included: by month, then plan; none empty. */
  public List<Month> of(YearMonth from, YearMonth to, ZoneId zone) throws SQLException {
    List<Month> months = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement =
            MONTHS
                .bind("zone", zone.getId())
                .bind("from", from.atDay(1).atStartOfDay(zone).toInstant())
                .bind("to", to.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant())
                .prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        long converted = rs.getLong(4);
        long ended = converted + rs.getLong(5) + rs.getLong(6);
        months.add(
            new Month(
                rs.getString(1),
                rs.getString(2),
                rs.getLong(3),
                converted,
                rs.getLong(5),
                rs.getLong(6),
                ended == 0
                    ? null
                    : BigDecimal.valueOf(converted)
                        .divide(
                            BigDecimal.valueOf(ended),
                            MrrMovements.RATE_DECIMALS,
                            Money.ROUNDING)));
      }
    }
    return months;
  }
}

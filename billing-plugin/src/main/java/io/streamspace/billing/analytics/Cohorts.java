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
 * Conversion by cohort: the organizations opened in a month (their first plan term's start, in
 * the billing zone), how many have ever paid since (free → paid), and how many of those moved up
 * to a dearer plan from a paid one (upgrade between tiers), as they stand now.
 */
public final class Cohorts {

  /**
   * A cohort in one currency.
   *
   * @param conversionRate converted ÷ organizations, four decimals
   * @param upgradeRate upgraded ÷ converted, four decimals; null when none converted
   */
  public record Cohort(
      String cohort,
      String currency,
      long organizations,
      long converted,
      long upgraded,
      BigDecimal conversionRate,
      BigDecimal upgradeRate) {}

  // each plan term with the monthly price of the term before it; an upgrade is a step from a
  // paid term to a dearer one
  private static final NamedSql COHORTS =
      NamedSql.of(
          """
          WITH terms AS (
            SELECT s.user_id, s.started_at,
                   CASE s.billing_interval WHEN 'year' THEN s.price / 12 ELSE s.price END AS mrr,
                   lag(CASE s.billing_interval WHEN 'year' THEN s.price / 12 ELSE s.price END)
                     OVER (PARTITION BY s.user_id ORDER BY s.started_at, s.id) AS before
            FROM billing_subscriptions s),
          organizations AS (
            SELECT t.user_id, min(t.started_at) AS opened,
                   bool_or(t.mrr > 0) AS converted,
                   bool_or(t.before > 0 AND t.mrr > t.before) AS upgraded
            FROM terms t GROUP BY t.user_id)
          SELECT to_char(o.opened AT TIME ZONE :zone, 'YYYY-MM') AS cohort, a.currency,
                 count(*), count(*) FILTER (WHERE o.converted), count(*) FILTER (WHERE o.upgraded)
          FROM organizations o JOIN billing_accounts a ON a.user_id = o.user_id
          WHERE o.opened >= :from AND o.opened < :to
          GROUP BY 1, 2 ORDER BY 1, 2""");

  private final DataSource dataSource;

  public Cohorts(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The cohorts of the months {@code from} to {@code to}, both included: by month, currency. */
  public List<Cohort> of(YearMonth from, YearMonth to, ZoneId zone) throws SQLException {
    List<Cohort> cohorts = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement =
            COHORTS
                .bind("zone", zone.getId())
                .bind("from", from.atDay(1).atStartOfDay(zone).toInstant())
                .bind("to", to.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant())
                .prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        long organizations = rs.getLong(3);
        long converted = rs.getLong(4);
        long upgraded = rs.getLong(5);
        cohorts.add(
            new Cohort(
                rs.getString(1),
                rs.getString(2),
                organizations,
                converted,
                upgraded,
                rate(converted, organizations),
                rate(upgraded, converted)));
      }
    }
    return cohorts;
  }

  private static BigDecimal rate(long part, long whole) {
    return whole == 0
        ? null
        : BigDecimal.valueOf(part)
            .divide(BigDecimal.valueOf(whole), MrrMovements.RATE_DECIMALS, Money.ROUNDING);
  }
}

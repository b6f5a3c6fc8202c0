package io.streamspace.billing.analytics;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The subscription figures of a range of months ({@link MrrMovements}), read from the plan
 * terms already recorded ({@code billing_subscriptions}) and the organizations' closings: each
 * organization's MRR at every month boundary in the billing zone, by one statement, then summed
 * an organization at a time, so memory holds one organization's months, not all of them.
 */
public final class RevenueAnalytics {

  // each organization's MRR at each boundary: the plan term in effect then, per month (a
  // yearly price ÷ 12), 0 with none or once closed; by organization, then boundary; with when
  // it first paid and opened, read once per organization (firsts), not once per boundary
  private static final NamedSql MRR_AT_BOUNDS =
      NamedSql.of(
          """
          WITH bounds AS (
            SELECT g, (CAST(:first AS timestamp) + make_interval(months => g)) AT TIME ZONE :zone
                   AS at
            FROM generate_series(0, :months) g
          ),
          firsts AS (
            SELECT user_id, min(started_at) FILTER (WHERE price > 0) AS first_paid,
                   min(started_at) AS opened
            FROM billing_subscriptions GROUP BY user_id
          )
          SELECT a.user_id, a.currency, b.g,
                 coalesce(sum(CASE s.billing_interval WHEN 'year' THEN s.price / 12
                                   ELSE s.price END), 0) AS mrr,
                 f.first_paid, f.opened
          FROM billing_accounts a
          JOIN firsts f ON f.user_id = a.user_id
          CROSS JOIN bounds b
          LEFT JOIN billing_subscriptions s
            ON s.user_id = a.user_id AND s.started_at <= b.at
           AND (s.ended_at IS NULL OR s.ended_at > b.at)
           AND (a.closed_at IS NULL OR a.closed_at > b.at)
          GROUP BY a.user_id, a.currency, b.g, f.first_paid, f.opened
          ORDER BY a.user_id, b.g""");

  private final DataSource dataSource;

  public RevenueAnalytics(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * The figures of each month from {@code from} to {@code to} (both included) in the billing
   * zone, per currency with organizations: by month, then currency.
   */
  public List<MonthFigures> months(YearMonth from, YearMonth to, ZoneId zone) throws SQLException {
    int months = (int) from.until(to, java.time.temporal.ChronoUnit.MONTHS) + 1;
    Map<String, MrrMovements.Tally[]> tallies = new TreeMap<>();
    Instant[] bounds = new Instant[months + 1];
    for (int g = 0; g <= months; g++) {
      bounds[g] = from.plusMonths(g).atDay(1).atStartOfDay(zone).toInstant();
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false); // a cursor: rows are fetched a page at a time
      try (PreparedStatement statement =
          MRR_AT_BOUNDS
              .bind("first", from.atDay(1).atStartOfDay().toString())
              .bind("zone", zone.getId())
              .bind("months", months)
              .prepare(c)) {
        statement.setFetchSize(10_000);
        try (ResultSet rs = statement.executeQuery()) {
          Organization current = null;
          while (rs.next()) {
            String id = rs.getString(1);
            if (current == null || !current.id().equals(id)) {
              if (current != null) {
                current.addTo(tallies, bounds);
              }
              current =
                  new Organization(
                      id,
                      rs.getString(2),
                      new BigDecimal[months + 1],
                      Sql.instant(rs.getTimestamp(5)),
                      Sql.instant(rs.getTimestamp(6)));
            }
            current.mrr()[rs.getInt(3)] = rs.getBigDecimal(4);
          }
          if (current != null) {
            current.addTo(tallies, bounds);
          }
        }
      } finally {
        c.rollback();
      }
    }
    List<MonthFigures> figures = new ArrayList<>();
    for (int m = 0; m < months; m++) {
      for (Map.Entry<String, MrrMovements.Tally[]> currency : tallies.entrySet()) {
        figures.add(
            currency.getValue()[m].figures(
                from.plusMonths(m), Currency.getInstance(currency.getKey())));
      }
    }
    figures.sort(Comparator.comparing(MonthFigures::month).thenComparing(MonthFigures::currency));
    return figures;
  }

  /** One organization's MRR at each boundary, and when it first paid and opened. */
  private record Organization(
      String id, String currency, BigDecimal[] mrr, Instant firstPaid, Instant opened) {

    void addTo(Map<String, MrrMovements.Tally[]> tallies, Instant[] bounds) {
      MrrMovements.Tally[] months =
          tallies.computeIfAbsent(currency, c -> newTallies(bounds.length - 1));
      for (int m = 0; m < months.length; m++) {
        months[m].add(
            new AccountMonth(
                id,
                mrr[m],
                mrr[m + 1],
                firstPaid != null && firstPaid.isBefore(bounds[m]),
                opened != null && opened.isBefore(bounds[m + 1])));
      }
    }

    private static MrrMovements.Tally[] newTallies(int months) {
      MrrMovements.Tally[] tallies = new MrrMovements.Tally[months];
      for (int m = 0; m < months; m++) {
        tallies[m] = new MrrMovements.Tally();
      }
      return tallies;
    }
  }
}

package io.streamspace.billing.metering;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.BillingPeriods;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Reads the counted meters (bandwidth, transcoding, AI queries, the config's custom ones) from the
 * stored usage reports: a counter is the exact sum of the reports that occurred in its period (or
 * the largest of them, for a custom meter aggregated by {@code max}), so it starts again from
 * zero at each billing period start, and a redelivered or late report counts once, in the period
 * it occurred in. A counter is an account's, so it sums the reports of every member of the
 * organization they were reported under (their org_id).
 */
public final class UsageCounters {

  private static final NamedSql TOTAL =
      NamedSql.of(
          """
          SELECT coalesce(sum(quantity), 0) FROM billing_usage_reports
          WHERE org_id = :user_id AND meter = :meter
            AND occurred_at >= :from AND occurred_at < :to
          """);

  // per meter, what the account's reports add up to before and from :from in [:start, :to); a
  // counter of :max_meters is the largest report, so what it adds from :from is how far the
  // largest of all is above the largest before
  private static final NamedSql SPLIT =
      NamedSql.of(
          """
          SELECT meter,
                 CASE WHEN meter = ANY(:max_meters::text[])
                      THEN coalesce(max(quantity) FILTER (WHERE occurred_at < :from), 0)
                      ELSE coalesce(sum(quantity) FILTER (WHERE occurred_at < :from), 0)
                 END,
                 CASE WHEN meter = ANY(:max_meters::text[])
                      THEN max(quantity)
                           - coalesce(max(quantity) FILTER (WHERE occurred_at < :from), 0)
                      ELSE coalesce(sum(quantity) FILTER (WHERE occurred_at >= :from), 0)
                 END
          FROM billing_usage_reports
          WHERE org_id = :user_id AND occurred_at >= :start AND occurred_at < :to
          GROUP BY meter
          """);

  // per meter and member (the user who reported it), what the reports of [:from, :to) add up to
  private static final NamedSql BY_MEMBER =
      NamedSql.of(
          """
          SELECT meter, user_id, sum(quantity) FROM billing_usage_reports
          WHERE org_id = :user_id AND occurred_at >= :from AND occurred_at < :to
          GROUP BY meter, user_id
          """);

  // the meters, of :meters, with a report no finalized invoice covers: one that occurred at or
  // after the end of its account's last finalized invoice (all of an account never invoiced)
  private static final NamedSql UNBILLED =
      NamedSql.of(
          """
          SELECT DISTINCT r.meter FROM billing_usage_reports r
          WHERE r.meter = ANY(:meters::text[])
            AND r.occurred_at >= coalesce(
                  (SELECT max(i.period_end) FROM billing_invoices i
                   WHERE i.user_id = r.org_id AND i.status NOT IN ('draft', 'void')),
                  '-infinity')
          ORDER BY r.meter
          """);

  /**
   * A counter in {@code [start, from)}, and what {@code [from, to)} adds to it: for a {@code max}
   * counter, how far the largest report of {@code [start, to)} is above the largest before.
   */
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
   *
   * @param maxMeters the ids of the counters whose use is their largest report, not the sum
   */
  public static Map<String, Split> split(
      Connection connection,
      String userId,
      Instant start,
      Instant from,
      Instant to,
      String[] maxMeters)
      throws SQLException {
    Map<String, Split> splits = new HashMap<>();
    try (PreparedStatement statement =
            SPLIT
                .bind("user_id", userId)
                .bind("start", start)
                .bind("from", from)
                .bind("to", to)
                .bind("max_meters", maxMeters)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        splits.put(rs.getString(1), new Split(rs.getBigDecimal(2), rs.getBigDecimal(3)));
      }
    }
    return splits;
  }

  /**
   * What each member's reports under the organization add up to in {@code [from, to)}, per
   * meter then member (a team invoice's counters by member), in the caller's transaction.
   */
  public static Map<String, Map<String, BigDecimal>> byMember(
      Connection connection, String orgId, Instant from, Instant to) throws SQLException {
    Map<String, Map<String, BigDecimal>> sums = new HashMap<>();
    try (PreparedStatement statement =
            BY_MEMBER.bind("user_id", orgId).bind("from", from).bind("to", to).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        sums.computeIfAbsent(rs.getString(1), m -> new HashMap<>())
            .put(rs.getString(2), rs.getBigDecimal(3));
      }
    }
    return sums;
  }

  /**
   * Of {@code meters}, the ids of those with usage not billed yet: a report that occurred after
   * its account's last finalized invoice, which a later invoice would bill. A meter removed from
   * the config with such usage would leave it unbilled.
   */
  public static List<String> unbilled(DataSource dataSource, Collection<String> meters)
      throws SQLException {
    List<String> unbilled = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            UNBILLED.bind("meters", meters.toArray(String[]::new)).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        unbilled.add(rs.getString(1));
      }
    }
    return unbilled;
  }

  /** The counter of {@code meter} in the billing period that holds {@code instant}. */
  public BigDecimal inPeriod(String userId, String meter, BillingPeriods periods, Instant instant)
      throws SQLException {
    return total(userId, meter, periods.periodStart(instant), periods.periodEnd(instant));
  }
}

package io.streamspace.billing.metering;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
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

  // The windows of a chunk of invoices, one row each: its account, the start of its billing
  // period and its part [from, to) of that period; ord is its place in the chunk's list.
  private static final String WINDOWS =
      """
      unnest(:user_id::text[], :start::text[]::timestamptz[], :from::text[]::timestamptz[],
             :to::text[]::timestamptz[])
        WITH ORDINALITY AS w(user_id, start_at, from_at, to_at, ord)
      """;

  // per window and meter, what the account's reports add up to before and from its from in
  // [start, to); a counter of :max_meters is the largest report, so what it adds from from is how
  // far the largest of all is above the largest before
  private static final NamedSql SPLIT =
      NamedSql.of(
          """
          SELECT w.ord, r.meter,
                 CASE WHEN r.meter = ANY(:max_meters::text[])
                      THEN coalesce(max(r.quantity) FILTER (WHERE r.occurred_at < w.from_at), 0)
                      ELSE coalesce(sum(r.quantity) FILTER (WHERE r.occurred_at < w.from_at), 0)
                 END,
                 CASE WHEN r.meter = ANY(:max_meters::text[])
                      THEN max(r.quantity)
                           - coalesce(max(r.quantity) FILTER (WHERE r.occurred_at < w.from_at), 0)
                      ELSE coalesce(sum(r.quantity) FILTER (WHERE r.occurred_at >= w.from_at), 0)
                 END
          FROM %s
          JOIN billing_usage_reports r
            ON r.org_id = w.user_id AND r.occurred_at >= w.start_at AND r.occurred_at < w.to_at
          GROUP BY w.ord, r.meter
          """
              .formatted(WINDOWS));

  // per window, meter and member (the user who reported it), what the reports of [from, to) add
  // up to
  private static final NamedSql BY_MEMBER =
      NamedSql.of(
          """
          SELECT w.ord, r.meter, r.user_id, sum(r.quantity)
          FROM %s
          JOIN billing_usage_reports r
            ON r.org_id = w.user_id AND r.occurred_at >= w.from_at AND r.occurred_at < w.to_at
          GROUP BY w.ord, r.meter, r.user_id
          """
              .formatted(WINDOWS));

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

  // a held meter's usage not billed yet: an amount above 0 held by a session that runs after
  // its account's last finalized invoice (rated or not), which a later invoice would bill
  private static final NamedSql UNBILLED_HELD =
      NamedSql.of(
          """
          SELECT DISTINCT h.meter_id FROM billing_session_held h
          JOIN billing_sessions s ON s.session_id = h.session_id
          WHERE h.meter_id = ANY(:meters::text[]) AND h.amount > 0
            AND coalesce(s.ended_at, 'infinity') > coalesce(
                  (SELECT max(i.period_end) FROM billing_invoices i
                   WHERE i.user_id = s.org_id AND i.status NOT IN ('draft', 'void')),
                  '-infinity')
          ORDER BY h.meter_id
          """);

  /**
   * A counter in {@code [start, from)}, and what {@code [from, to)} adds to it: for a {@code max}
   * counter, how far the largest report of {@code [start, to)} is above the largest before.
   */
  public record Split(BigDecimal before, BigDecimal during) {}

  /**
   * Where an invoice reads its counters: the account's reports of {@code [start, to)}, split at
   * {@code from} ({@code start} is the billing period's, {@code [from, to)} the invoice's part
   * of it).
   */
  public record Window(String orgId, Instant start, Instant from, Instant to) {}

  private final DataSource dataSource;

  public UsageCounters(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The quantity of {@code meter} the account's reports add up to in {@code [from, to)}. */
  public BigDecimal total(String orgId, String meter, Instant from, Instant to)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            TOTAL
                .bind("user_id", orgId)
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
   * Every meter each window's account reported in its {@code [start, to)}, split at its {@code
   * from}, one map per window in order, read by one statement in the caller's transaction (the
   * counters of a chunk of invoices).
   *
   * @param maxMeters the ids of the counters whose use is their largest report, not the sum
   */
  public static List<Map<String, Split>> split(
      Connection connection, List<Window> windows, String[] maxMeters) throws SQLException {
    List<Map<String, Split>> splits = perWindow(windows);
    if (windows.isEmpty()) {
      return splits;
    }
    try (PreparedStatement statement =
            bindWindows(SPLIT.bind("max_meters", maxMeters), connection, windows)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        splits
            .get(rs.getInt(1) - 1)
            .put(rs.getString(2), new Split(rs.getBigDecimal(3), rs.getBigDecimal(4)));
      }
    }
    return splits;
  }

  /**
   * What each member's reports under each window's organization add up to in its {@code [from,
   * to)}, per meter then member, one map per window in order (a chunk of team invoices' counters
   * by member), read by one statement in the caller's transaction.
   */
  public static List<Map<String, Map<String, BigDecimal>>> byMember(
      Connection connection, List<Window> windows) throws SQLException {
    List<Map<String, Map<String, BigDecimal>>> sums = perWindow(windows);
    if (windows.isEmpty()) {
      return sums;
    }
    try (PreparedStatement statement =
            bindWindows(BY_MEMBER.binding(), connection, windows).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        sums.get(rs.getInt(1) - 1)
            .computeIfAbsent(rs.getString(2), m -> new HashMap<>())
            .put(rs.getString(3), rs.getBigDecimal(4));
      }
    }
    return sums;
  }

  private static <V> List<Map<String, V>> perWindow(List<Window> windows) {
    List<Map<String, V>> maps = new ArrayList<>(windows.size());
    windows.forEach(w -> maps.add(new HashMap<>()));
    return maps;
  }

  private static NamedSql.Binding bindWindows(
      NamedSql.Binding binding, Connection connection, List<Window> windows) throws SQLException {
    return binding
        .bind("user_id", SqlArrays.array(connection, windows, Window::orgId))
        .bind("start", SqlArrays.array(connection, windows, Window::start))
        .bind("from", SqlArrays.array(connection, windows, Window::from))
        .bind("to", SqlArrays.array(connection, windows, Window::to));
  }

  /**
   * Of {@code meters}, the ids of those with usage not billed yet: a report that occurred after
   * its account's last finalized invoice, which a later invoice would bill. A meter removed from
   * the config with such usage would leave it unbilled.
   */
  public static List<String> unbilled(DataSource dataSource, Collection<String> meters)
      throws SQLException {
    return unbilled(dataSource, UNBILLED, meters);
  }

  /**
   * Of the held meters {@code meters}, the ids of those with usage not billed yet: an amount
   * held by a session after its account's last finalized invoice.
   */
  public static List<String> unbilledHeld(DataSource dataSource, Collection<String> meters)
      throws SQLException {
    return unbilled(dataSource, UNBILLED_HELD, meters);
  }

  private static List<String> unbilled(
      DataSource dataSource, NamedSql query, Collection<String> meters) throws SQLException {
    List<String> unbilled = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            query.bind("meters", meters.toArray(String[]::new)).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        unbilled.add(rs.getString(1));
      }
    }
    return unbilled;
  }

  /** The counter of {@code meter} in the billing period that holds {@code instant}. */
  public BigDecimal inPeriod(String orgId, String meter, BillingPeriods periods, Instant instant)
      throws SQLException {
    return total(orgId, meter, periods.periodStart(instant), periods.periodEnd(instant));
  }
}

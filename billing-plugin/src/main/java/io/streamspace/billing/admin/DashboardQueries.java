package io.streamspace.billing.admin;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import javax.sql.DataSource;

/**
 * The figures of the admin dashboard, one statement each. Invoices count when finalized and not
 * void ({@code sent}, {@code paid}, {@code overdue}); amounts are in each row's currency, never
 * converted.
 */
public final class DashboardQueries {

  /**
   * Per billing period of the window (the one holding the invoice's {@code period_start}) and
   * currency: Σ total, Σ total of the paid ones, how many; from the figures kept per
   * period_start as invoices change (billing_revenue_periods, V40), a row per period and
   * currency rather than per invoice.
   */
  private static final NamedSql REVENUE_BY_MONTH =
      NamedSql.of(
          """
          SELECT p.period_start, r.currency, sum(r.invoiced) AS invoiced, sum(r.paid) AS paid,
                 sum(r.invoices) AS invoices
          FROM unnest(:period_starts::text[]::timestamptz[], :period_ends::text[]::timestamptz[])
            AS p(period_start, period_end)
          JOIN billing_revenue_periods r
            ON r.period_start >= p.period_start AND r.period_start < p.period_end
          GROUP BY p.period_start, r.currency
          HAVING sum(r.invoices) > 0
          ORDER BY p.period_start, r.currency
          """);

  /**
   * The lines of the window's invoices but credits, by what they bill: a plan fee by the plan of
   * the account's subscription term its period starts in (judged as the invoice was finalized),
   * a usage or overage line by its resource, a pack line as {@code packs}; from the figures kept
   * per period_start (billing_revenue_lines, V40; '' there for none, null here).
   */
  private static final NamedSql REVENUE_BY_LINE =
      NamedSql.of(
          """
          SELECT plan_fee, nullif(billed, '') AS billed, currency, sum(amount) AS amount
          FROM billing_revenue_lines
          WHERE period_start >= :from AND period_start < :to
          GROUP BY 1, 2, 3
          HAVING sum(lines) > 0
          ORDER BY 1, 2, 3
          """);

  /**
   * Every open invoice now, whatever its period: Σ total and count of sent and of overdue, kept
   * per currency as invoices change (billing_revenue_outstanding, V40).
   */
  private static final NamedSql OUTSTANDING =
      NamedSql.of(
          """
          SELECT currency, sent_total, sent_count, overdue_total, overdue_count
          FROM billing_revenue_outstanding
          WHERE sent_count > 0 OR overdue_count > 0
          ORDER BY currency
          """);

  /**
   * Per pack and currency, the purchases and renewals that happened in the window and what they
   * cost (a recurring pack's purchase: its price for one period), most bought first.
   */
  private static final NamedSql POPULAR_PACKS =
      NamedSql.of(
          """
          SELECT p.pack_id, (array_agg(p.pack_name ORDER BY e.at DESC, e.id DESC))[1] AS pack_name,
                 e.currency,
                 count(*) FILTER (WHERE e.kind = 'bought') AS purchases,
                 count(*) FILTER (WHERE e.kind = 'renewed') AS renewals,
                 coalesce(sum(e.amount), 0) AS revenue
          FROM billing_pack_events e
          JOIN billing_pack_purchases p ON p.id = e.purchase_id
          WHERE e.kind IN ('bought', 'renewed') AND e.at >= :from AND e.at < :to
          GROUP BY p.pack_id, e.currency
          ORDER BY purchases DESC, p.pack_id, e.currency
          """);

  /**
   * What platform faults cost: per billing period of the sessions' ends, the terminate's reason
   * and currency, the sessions fault credits were decided for (billing_fault_credits, V72, by its
   * period index), what their credited minutes cost, what was credited after the cap, and how
   * many the cap cut.
   */
  private static final NamedSql FAULT_CREDITS =
      NamedSql.of(
          """
          SELECT period_start, reason, currency, count(*) AS sessions, sum(cost) AS cost,
                 sum(credited) AS credited, count(*) FILTER (WHERE capped) AS capped
          FROM billing_fault_credits
          WHERE period_start >= :from AND period_start < :to
          GROUP BY 1, 2, 3
          ORDER BY 1, 2, 3
          """);

  /**
   * For each hour of the day in the billing zone, the most sessions, and separately the most
   * cores, open together at any instant of [:from, :now) whose local time falls in that hour.
   * Each session is open over [start, end) clipped to the window, its end being its ended_at, or
   * for an open one now while its heartbeat is fresh and its last heartbeat once stale (as
   * calculate-usage ends it); its cores are its sizes' over time. The level of sessions and cores
   * is a running sum of +1/-1 and core steps at each change (the changes at one instant taken
   * together, so one ending as another starts makes no overlap), sampled after every change and
   * at every clock hour's start, where a level carried over from the hour before is read.
   *
   * <p>The sessions open in the window are read in two parts, each by an index: those not
   * settled (open, or ended and not all rated yet: billing_sessions_unsettled) and the settled
   * ones that ended after {@code :from} (billing_sessions_settled_end, V33). A settled session
   * has ended, so together they are the sessions started before {@code :now} and not ended by
   * {@code :from}, without reading the year of sessions that ended before the window.
   */
  private static final NamedSql USAGE_PATTERNS =
      NamedSql.of(
          """
          WITH spans AS (
            SELECT o.session_id, greatest(o.started_at, :from) AS s_from,
                   least(coalesce(o.ended_at,
                                  CASE WHEN o.last_heartbeat >= :stale_before THEN :now
                                       ELSE o.last_heartbeat END), :now) AS s_to
            FROM (SELECT * FROM billing_sessions
                  WHERE NOT settled AND started_at < :now
                    AND (ended_at IS NULL OR ended_at > :from)
                  UNION ALL
                  SELECT * FROM billing_sessions
                  WHERE settled AND ended_at > :from AND started_at < :now) o),
          open_spans AS (SELECT * FROM spans WHERE s_from < s_to),
          -- each size in effect within the span as the step from the size before (the first
          -- from zero), starting at the span's start at the earliest, and undone at its end
          -- (each span's sizes read by its key, OFFSET 0 keeping it a lookup: the window's
          -- sessions, not every session's sizes hashed)
          steps AS (
            SELECT sp.s_from, sp.s_to, greatest(z.effective_from, sp.s_from) AS at,
                   z.cpu_cores - coalesce(lag(z.cpu_cores)
                     OVER (PARTITION BY z.session_id ORDER BY z.effective_from), 0) AS cores
            FROM open_spans sp
            CROSS JOIN LATERAL (
              SELECT * FROM billing_session_sizes z
              WHERE z.session_id = sp.session_id AND z.effective_from < sp.s_to OFFSET 0) z),
          changes AS (
            SELECT s_from AS at, 1 AS sessions, 0::numeric AS cores FROM open_spans
            UNION ALL SELECT s_to, -1, 0 FROM open_spans
            UNION ALL SELECT at, 0, cores FROM steps
            UNION ALL SELECT s_to, 0, -cores FROM steps
            -- the start of every clock hour of the window (and the window's own start)
            UNION ALL
            SELECT greatest(h, :from), 0, 0
            FROM generate_series(date_trunc('hour', :from::timestamptz, :zone),
                                 :now::timestamptz, interval '1 hour') AS h),
          levels AS (
            SELECT at, sum(sessions) OVER w AS sessions, sum(cores) OVER w AS cores
            FROM changes
            WINDOW w AS (ORDER BY at RANGE UNBOUNDED PRECEDING))
          SELECT extract(hour FROM at AT TIME ZONE :zone)::int AS hour,
                 max(sessions) AS peak_sessions, max(cores) AS peak_cores
          FROM levels
          WHERE at >= :from AND at < :now
          GROUP BY 1
          ORDER BY 1
          """);

  /** One billing period's invoices in one currency. */
  public record MonthRevenue(
      Instant periodStart, String currency, BigDecimal invoiced, BigDecimal paid, long invoices) {}

  /**
   * What lines of one kind billed in one currency.
   *
   * @param billed the plan id of plan fees, the resource type of usage and overage lines, {@code
   *     packs} for pack lines
   */
  public record LineRevenue(boolean planFee, String billed, String currency, BigDecimal amount) {}

  /** The open invoices of one currency. */
  public record Outstanding(
      String currency,
      BigDecimal sentTotal,
      long sentCount,
      BigDecimal overdueTotal,
      long overdueCount) {}

  /** One pack's purchases and renewals in one currency. */
  public record PackSales(
      String packId,
      String packName,
      String currency,
      long purchases,
      long renewals,
      BigDecimal revenue) {}

  /**
   * The fault credits of one billing period, terminate reason and currency.
   *
   * @param sessions the sessions a fault credit was decided for, credited or capped to nothing
   * @param cost     what their credited minutes cost, before the cap
   * @param credited what they were credited, after it
   * @param capped   how many of them the cap cut
   */
  public record FaultCredits(
      Instant periodStart,
      String reason,
      String currency,
      long sessions,
      BigDecimal cost,
      BigDecimal credited,
      long capped) {}

  /** The peaks of one hour of the day (0-23, in the billing zone). */
  public record HourPeak(int hour, long peakSessions, BigDecimal peakCores) {}

  /**
   * The billing periods of a window, oldest first.
   *
   * @param starts each period's start
   * @param ends each period's end, the next one's start
   */
  public record Periods(List<Instant> starts, List<Instant> ends) {

    public Periods {
      starts = List.copyOf(starts);
      ends = List.copyOf(ends);
    }

    /** The start of the first period. */
    public Instant from() {
      return starts.get(0);
    }

    /** The end of the last period. */
    public Instant to() {
      return ends.get(ends.size() - 1);
    }

    /** {@code sql} with {@code :from} and {@code :to} bound to the window's ends. */
    NamedSql.Binding bind(NamedSql sql) {
      return sql.bind("from", from()).bind("to", to());
    }
  }

  private final DataSource dataSource;

  public DashboardQueries(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public List<MonthRevenue> revenueByMonth(Periods periods) throws SQLException {
    return read(
        REVENUE_BY_MONTH
            .bind("period_starts", texts(periods.starts()))
            .bind("period_ends", texts(periods.ends())),
        rs ->
            new MonthRevenue(
                rs.getTimestamp("period_start").toInstant(),
                rs.getString("currency"),
                money(rs, "invoiced"),
                money(rs, "paid"),
                rs.getLong("invoices")));
  }

  public List<LineRevenue> revenueByLine(Periods periods) throws SQLException {
    return read(
        periods.bind(REVENUE_BY_LINE),
        rs ->
            new LineRevenue(
                rs.getBoolean("plan_fee"),
                rs.getString("billed"),
                rs.getString("currency"),
                money(rs, "amount")));
  }

  public List<Outstanding> outstanding() throws SQLException {
    return read(
        OUTSTANDING.binding(),
        rs ->
            new Outstanding(
                rs.getString("currency"),
                money(rs, "sent_total"),
                rs.getLong("sent_count"),
                money(rs, "overdue_total"),
                rs.getLong("overdue_count")));
  }

  public List<PackSales> popularPacks(Periods periods) throws SQLException {
    return read(
        periods.bind(POPULAR_PACKS),
        rs ->
            new PackSales(
                rs.getString("pack_id"),
                rs.getString("pack_name"),
                rs.getString("currency"),
                rs.getLong("purchases"),
                rs.getLong("renewals"),
                money(rs, "revenue")));
  }

  public List<FaultCredits> faultCredits(Periods periods) throws SQLException {
    return read(
        periods.bind(FAULT_CREDITS),
        rs ->
            new FaultCredits(
                rs.getTimestamp("period_start").toInstant(),
                rs.getString("reason"),
                rs.getString("currency"),
                rs.getLong("sessions"),
                money(rs, "cost"),
                money(rs, "credited"),
                rs.getLong("capped")));
  }

  /** The amount in that column, at the decimals of the row's {@code currency}. */
  private static BigDecimal money(ResultSet rs, String column) throws SQLException {
    return Money.shown(rs.getBigDecimal(column), Currency.getInstance(rs.getString("currency")));
  }

  /**
   * The peaks of every hour of the day over [from, now): see {@link #USAGE_PATTERNS}.
   *
   * @param staleBefore an open session whose last heartbeat is older ended at it
   */
  public List<HourPeak> usagePatterns(Instant from, Instant now, Instant staleBefore, ZoneId zone)
      throws SQLException {
    return read(
        USAGE_PATTERNS
            .bind("from", from)
            .bind("now", now)
            .bind("stale_before", staleBefore)
            .bind("zone", zone.getId()),
        rs ->
            new HourPeak(
                rs.getInt("hour"), rs.getLong("peak_sessions"), rs.getBigDecimal("peak_cores")));
  }

  private interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private <T> List<T> read(NamedSql.Binding binding, Row<T> row) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = binding.prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<T> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(row.read(rs));
      }
      return rows;
    }
  }

  private static String[] texts(List<Instant> instants) {
    return instants.stream().map(Instant::toString).toArray(String[]::new);
  }
}

package io.streamspace.billing.analytics;

import com.fasterxml.jackson.core.type.TypeReference;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The subscription figures and cohorts of the last twelve months, this one last (the analytics'
 * default range), and the receivables, taken at one instant and kept ({@code
 * billing_analytics_snapshot}, V52). They read every organization's plan terms and every open
 * invoice: at 100,000 organizations with a year of history a second or more, which the
 * refresh-dashboard job pays every few minutes instead of every request. A
 * request for a range inside the last twelve months is answered from the latest snapshot, as of
 * when it was taken, while it is younger than {@link #MAX_AGE} (else from one it takes then); any
 * other range is computed when asked.
 */
public final class AnalyticsSnapshots {

  /** The months kept: the default range's. */
  public static final int MONTHS = 12;

  /**
   * A snapshot older than this is taken again by the request that finds it (refresh-dashboard,
   * every 5 minutes, has missed runs: billing disabled, no scheduler).
   */
  static final Duration MAX_AGE = Duration.ofMinutes(10);

  // the latest taken, by any node: an older one never replaces it
  private static final NamedSql STORE =
      NamedSql.of(
          """
          INSERT INTO billing_analytics_snapshot AS k (taken_at, time_zone, from_month, to_month,
              months, cohorts, receivables)
          VALUES (:taken_at, :time_zone, CAST(:from_month AS date), CAST(:to_month AS date),
                  CAST(:months AS jsonb), CAST(:cohorts AS jsonb), CAST(:receivables AS jsonb))
          ON CONFLICT (only_row) DO UPDATE
              SET taken_at = excluded.taken_at, time_zone = excluded.time_zone,
                  from_month = excluded.from_month, to_month = excluded.to_month,
                  months = excluded.months, cohorts = excluded.cohorts,
                  receivables = excluded.receivables
              WHERE k.taken_at < excluded.taken_at""");

  private static final NamedSql LATEST =
      NamedSql.of(
          """
          SELECT taken_at, time_zone, to_char(from_month, 'YYYY-MM') AS from_month,
                 to_char(to_month, 'YYYY-MM') AS to_month, months::text, cohorts::text,
                 receivables::text
          FROM billing_analytics_snapshot""");

  private static final TypeReference<List<MonthFigures>> MONTH_LIST = new TypeReference<>() {};
  private static final TypeReference<List<Cohorts.Cohort>> COHORT_LIST = new TypeReference<>() {};
  private static final TypeReference<List<Receivables.Bucket>> BUCKET_LIST =
      new TypeReference<>() {};

  /**
   * The figures of the months {@code from} to {@code to} in {@code timeZone}, and what was owed,
   * as at {@code at}.
   */
  public record Snapshot(
      Instant at,
      String timeZone,
      YearMonth from,
      YearMonth to,
      List<MonthFigures> months,
      List<Cohorts.Cohort> cohorts,
      List<Receivables.Bucket> receivables) {

    public Snapshot {
      months = List.copyOf(months);
      cohorts = List.copyOf(cohorts);
      receivables = List.copyOf(receivables);
    }

    /**
     * Whether it is in {@code zone}, of the month of {@code now} (its last) and younger than
     * {@link #MAX_AGE} at {@code now}.
     */
    boolean fresh(ZoneId zone, Instant now) {
      return timeZone.equals(zone.getId())
          && to.equals(YearMonth.from(now.atZone(zone)))
          && !at.isAfter(now)
          && at.isAfter(now.minus(MAX_AGE));
    }

    /** Its figures of the months {@code from} to {@code to}. */
    public List<MonthFigures> months(YearMonth from, YearMonth to) {
      return months.stream()
          .filter(m -> !m.month().isBefore(from) && !m.month().isAfter(to))
          .toList();
    }

    /** Its cohorts opened in the months {@code from} to {@code to}. */
    public List<Cohorts.Cohort> cohorts(YearMonth from, YearMonth to) {
      return cohorts.stream()
          .filter(c -> c.cohort().compareTo(from.toString()) >= 0)
          .filter(c -> c.cohort().compareTo(to.toString()) <= 0)
          .toList();
    }
  }

  private final DataSource dataSource;
  private final RevenueAnalytics analytics;
  private final Cohorts cohorts;
  private final Receivables receivables;

  public AnalyticsSnapshots(
      DataSource dataSource, RevenueAnalytics analytics, Cohorts cohorts, Receivables receivables) {
    this.dataSource = dataSource;
    this.analytics = analytics;
    this.cohorts = cohorts;
    this.receivables = receivables;
  }

  /** Takes the default range's figures and cohorts at {@code now} in {@code zone}; keeps them. */
  public Snapshot take(ZoneId zone, Instant now) throws SQLException {
    YearMonth to = YearMonth.from(now.atZone(zone));
    YearMonth from = to.minusMonths(MONTHS - 1);
    Snapshot snapshot =
        new Snapshot(
            now,
            zone.getId(),
            from,
            to,
            analytics.months(from, to, zone),
            cohorts.of(from, to, zone),
            receivables.aged(now));
    try (Connection connection = dataSource.getConnection()) {
      STORE
          .bind("taken_at", now)
          .bind("time_zone", zone.getId())
          .bind("from_month", from.atDay(1).toString())
          .bind("to_month", to.atDay(1).toString())
          .bind("months", JsonMapper.write(snapshot.months()))
          .bind("cohorts", JsonMapper.write(snapshot.cohorts()))
          .bind("receivables", JsonMapper.write(snapshot.receivables()))
          .update(connection);
    }
    return snapshot;
  }

  /** Whether the months {@code from} to {@code to} are kept: in the last twelve at {@code now}. */
  public static boolean kept(YearMonth from, YearMonth to, ZoneId zone, Instant now) {
    YearMonth thisMonth = YearMonth.from(now.atZone(zone));
    return to.equals(thisMonth) && !from.isBefore(thisMonth.minusMonths(MONTHS - 1));
  }

  /** The latest snapshot when it is {@link Snapshot#fresh}; otherwise one taken now. */
  public Snapshot current(ZoneId zone, Instant now) throws SQLException {
    Optional<Snapshot> latest = latest();
    if (latest.isPresent() && latest.get().fresh(zone, now)) {
      return latest.get();
    }
    return take(zone, now);
  }

  /** The latest snapshot taken, if any. */
  public Optional<Snapshot> latest() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = LATEST.binding().prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(
          new Snapshot(
              rs.getTimestamp("taken_at").toInstant(),
              rs.getString("time_zone"),
              YearMonth.parse(rs.getString("from_month")),
              YearMonth.parse(rs.getString("to_month")),
              read(rs.getString("months"), MONTH_LIST),
              read(rs.getString("cohorts"), COHORT_LIST),
              read(rs.getString("receivables"), BUCKET_LIST)));
    }
  }

  private static <T> T read(String json, TypeReference<T> type) {
    try {
      return JsonMapper.MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the analytics snapshot", e);
    }
  }
}

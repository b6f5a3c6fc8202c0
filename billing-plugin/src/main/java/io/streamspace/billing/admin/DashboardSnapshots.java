package io.streamspace.billing.admin;

import io.streamspace.billing.admin.DashboardQueries.HourPeak;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.quota.QuotaState;
import io.streamspace.billing.quota.Quotas;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The dashboard's figures that no kept sum gives: the usage patterns of the last 30 days (a
 * replay of every session open in them) and the accounts near their limits (every account's
 * quotas judged), each taken at one instant by the dashboard's own statements and kept
 * (billing_dashboard_snapshot, V40). At full size they cost seconds, which the refresh-dashboard
 * job pays every {@value #REFRESH_MINUTES} minutes instead of every request.
 */
public final class DashboardSnapshots {

  /** How often refresh-dashboard takes them. */
  public static final int REFRESH_MINUTES = 5;

  /** How far back the usage patterns look. */
  public static final Duration USAGE_PATTERN_DAYS = Duration.ofDays(30);

  /**
   * A snapshot older than this is taken again by the request that finds it (refresh-dashboard
   * has missed runs: billing disabled, no scheduler).
   */
  static final Duration MAX_AGE = Duration.ofMinutes(2 * REFRESH_MINUTES);

  // the latest taken, by any node: an older one never replaces it
  private static final NamedSql STORE =
      NamedSql.of(
          """
          INSERT INTO billing_dashboard_snapshot AS d (taken_at, time_zone, hours, peak_sessions,
              peak_cores, warning, exceeded, confirmation_required)
          VALUES (:taken_at, :time_zone, :hours::text[]::int[], :peak_sessions::text[]::bigint[],
                  :peak_cores::text[]::numeric[], :warning, :exceeded, :confirmation_required)
          ON CONFLICT (only_row) DO UPDATE
              SET taken_at = excluded.taken_at, time_zone = excluded.time_zone,
                  hours = excluded.hours, peak_sessions = excluded.peak_sessions,
                  peak_cores = excluded.peak_cores, warning = excluded.warning,
                  exceeded = excluded.exceeded,
                  confirmation_required = excluded.confirmation_required
              WHERE d.taken_at < excluded.taken_at""");

  private static final NamedSql LATEST =
      NamedSql.of(
          """
          SELECT taken_at, time_zone, hours, peak_sessions, peak_cores, warning, exceeded,
                 confirmation_required
          FROM billing_dashboard_snapshot""");

  /**
   * The figures at {@code at}.
   *
   * @param at the instant they were taken: the usage patterns are of [at − 30 days, at), the
   *     accounts near their limits judged then
   * @param timeZone the billing zone of the patterns' hours
   */
  public record Snapshot(
      Instant at,
      String timeZone,
      List<HourPeak> hours,
      long warning,
      long exceeded,
      long confirmationRequired) {

    public Snapshot {
      hours = List.copyOf(hours);
    }

    /** The start of the usage patterns' window. */
    public Instant patternsFrom() {
      return at.minus(USAGE_PATTERN_DAYS);
    }
  }

  private final DataSource dataSource;
  private final DashboardQueries queries;
  private final Quotas quotas;

  public DashboardSnapshots(DataSource dataSource, DashboardQueries queries, Quotas quotas) {
    this.dataSource = dataSource;
    this.queries = queries;
    this.quotas = quotas;
  }

  /** Takes the figures now (the usage patterns up to {@code now}) and keeps them. */
  public Snapshot take(BillingConfig config, Instant now) throws SQLException {
    List<HourPeak> hours =
        queries.usagePatterns(
            now.minus(USAGE_PATTERN_DAYS),
            now,
            now.minus(config.sessionHeartbeatTimeout()),
            config.billingTimeZone());
    Map<QuotaState, Long> near = quotas.accountsByState();
    Snapshot snapshot =
        new Snapshot(
            now,
            config.billingTimeZone().getId(),
            hours,
            near.get(QuotaState.WARNING),
            near.get(QuotaState.EXCEEDED),
            near.get(QuotaState.CONFIRMATION_REQUIRED));
    store(snapshot);
    return snapshot;
  }

  /**
   * The latest snapshot when it is in the config's zone and not older than {@link #MAX_AGE} at
   * {@code now}; otherwise one taken now.
   */
  public Snapshot current(BillingConfig config, Instant now) throws SQLException {
    Optional<Snapshot> latest = latest();
    if (latest.isPresent()
        && latest.get().timeZone().equals(config.billingTimeZone().getId())
        && !latest.get().at().isAfter(now)
        && !latest.get().at().isBefore(now.minus(MAX_AGE))) {
      return latest.get();
    }
    return take(config, now);
  }

  /** The latest snapshot taken, if any. */
  public Optional<Snapshot> latest() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = LATEST.binding().prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      Integer[] hours = (Integer[]) array(rs.getArray("hours"));
      Long[] sessions = (Long[]) array(rs.getArray("peak_sessions"));
      BigDecimal[] cores = (BigDecimal[]) array(rs.getArray("peak_cores"));
      List<HourPeak> peaks = new ArrayList<>();
      for (int i = 0; i < hours.length; i++) {
        peaks.add(new HourPeak(hours[i], sessions[i], cores[i]));
      }
      return Optional.of(
          new Snapshot(
              rs.getTimestamp("taken_at").toInstant(),
              rs.getString("time_zone"),
              peaks,
              rs.getLong("warning"),
              rs.getLong("exceeded"),
              rs.getLong("confirmation_required")));
    }
  }

  private void store(Snapshot snapshot) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      STORE
          .bind("taken_at", snapshot.at())
          .bind("time_zone", snapshot.timeZone())
          .bind("hours", texts(snapshot.hours(), p -> String.valueOf(p.hour())))
          .bind("peak_sessions", texts(snapshot.hours(), p -> String.valueOf(p.peakSessions())))
          .bind("peak_cores", texts(snapshot.hours(), p -> p.peakCores().toPlainString()))
          .bind("warning", snapshot.warning())
          .bind("exceeded", snapshot.exceeded())
          .bind("confirmation_required", snapshot.confirmationRequired())
          .update(connection);
    }
  }

  private static Object array(Array array) throws SQLException {
    try {
      return array.getArray();
    } finally {
      array.free();
    }
  }

  private static String[] texts(
      List<HourPeak> peaks, java.util.function.Function<HourPeak, String> field) {
    return peaks.stream().map(field).toArray(String[]::new);
  }
}

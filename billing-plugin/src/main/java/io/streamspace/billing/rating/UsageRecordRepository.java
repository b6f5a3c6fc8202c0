package io.streamspace.billing.rating;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.money.UsageUnit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Reads rated usage records. */
public final class UsageRecordRepository {

  /**
   * Usage rows {@code r} of {@link UsageRollup#source} summed per resource, unit price and
   * activity (grouped by the three), as {@link #sum} reads them. Sums and products of numerics
   * are exact; the one division per line is left to {@link UsageSum}, where it is also the one
   * rounding.
   */
  public static final String SUMMED = summed("r.saved_unit_seconds");

  /** The same of usage records {@code r} themselves. */
  public static final String RECORDS_SUMMED = summed(UsageRollup.saved("r"));

  /** The lines' grouping of {@link #SUMMED}, and their order. */
  public static final String LINE = "r.resource_type, r.unit_price, r.activity";

  private static String summed(String saved) {
    return """
        r.resource_type, r.unit_price, r.activity, sum(r.unit_seconds) AS unit_seconds,
        sum(r.unit_seconds * r.unit_price) AS priced_unit_seconds,
        sum(%s) AS saved_unit_seconds"""
        .formatted(saved);
  }

  private static final NamedSql SUMS =
      NamedSql.of(
          """
          SELECT %1$s
          FROM billing_usage_records r
          WHERE r.user_id = :user_id AND r.slice_start >= :from AND r.slice_start < :to
          GROUP BY %2$s
          ORDER BY %2$s
          """
              .formatted(RECORDS_SUMMED, LINE));

  // per range of :bounds (k, 1-based) the record's slice starts in; the range is read from the
  // key (user_id, slice_start), so a month's days cost those days, not the account's history
  static final NamedSql RANGE_SUMS =
      NamedSql.of(
          """
          SELECT width_bucket(r.slice_start, :bounds::timestamptz[]) AS k, %1$s
          FROM billing_usage_records r
          WHERE r.user_id = :user_id AND r.slice_start >= :from AND r.slice_start < :to
          GROUP BY k, %2$s
          ORDER BY k, %2$s
          """
              .formatted(RECORDS_SUMMED, LINE));

  // a slice is never longer than an hour: only one starting in the hour before can span it
  private static final NamedSql SPANS =
      NamedSql.of(
          """
          SELECT EXISTS (SELECT 1 FROM billing_usage_records
                         WHERE user_id = :user_id
                           AND slice_start > :instant::timestamptz - interval '1 hour'
                           AND slice_start < :instant AND slice_end > :instant)
          """);

  // the same for every account's records (a report of all of them)
  private static final NamedSql ANY_SPANS =
      NamedSql.of(
          """
          SELECT EXISTS (SELECT 1 FROM billing_usage_records
                         WHERE slice_start > :instant::timestamptz - interval '1 hour'
                           AND slice_start < :instant AND slice_end > :instant)
          """);

  private final DataSource dataSource;

  public UsageRecordRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * The user's records whose slice starts in {@code [from, to)}, summed exactly per resource
   * type, unit price and activity.
   */
  public List<UsageSum> sums(String orgId, Instant from, Instant to) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            SUMS.bind("user_id", orgId).bind("from", from).bind("to", to).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<UsageSum> sums = new ArrayList<>();
      while (rs.next()) {
        sums.add(sum(rs));
      }
      return sums;
    }
  }

  /**
   * The user's records summed as {@link #sums} does, for each range between consecutive
   * {@code bounds} (ascending): a record counts in the range its slice starts in. One list per
   * range, in order, empty for a range without usage; in one statement.
   */
  public List<List<UsageSum>> sumsPerRange(String orgId, List<Instant> bounds) throws SQLException {
    List<List<UsageSum>> ranges = new ArrayList<>();
    for (int k = 1; k < bounds.size(); k++) {
      ranges.add(new ArrayList<>());
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            SqlArrays.ranges(RANGE_SUMS.bind("user_id", orgId), connection, bounds)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        ranges.get(rs.getInt("k") - 1).add(sum(rs));
      }
    }
    return ranges;
  }

  /** The sum in the current row's {@link #SUMMED} columns. */
  public static UsageSum sum(ResultSet rs) throws SQLException {
    return new UsageSum(
        UsageUnit.ofResourceType(rs.getString("resource_type")),
        rs.getBigDecimal("unit_price"),
        rs.getBigDecimal("unit_seconds"),
        rs.getBigDecimal("priced_unit_seconds"),
        rs.getString("activity"),
        rs.getBigDecimal("saved_unit_seconds"));
  }

  /** Whether one of the user's records starts before {@code instant} and ends after it. */
  public boolean sliceSpans(String orgId, Instant instant) throws SQLException {
    return exists(SPANS.bind("user_id", orgId).bind("instant", instant));
  }

  /** Whether any account's record starts before {@code instant} and ends after it. */
  public boolean anySliceSpans(Instant instant) throws SQLException {
    return exists(ANY_SPANS.bind("instant", instant));
  }

  private boolean exists(NamedSql.Binding query) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = query.prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getBoolean(1);
    }
  }
}

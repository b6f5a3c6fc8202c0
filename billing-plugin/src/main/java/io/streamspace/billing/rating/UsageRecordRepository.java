package io.streamspace.billing.rating;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import javax.sql.DataSource;

/** Reads rated usage records, as corrected. */
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

  /**
   * The account's usage whose slice starts in {@code [from, to)} as corrected: its usage records
   * (a correction made before the period's invoice among them, as records of its own) and the
   * usage that corrections made after the invoice keep beside it ({@code
   * billing_correction_usage}, V86, which the invoice's credit notes and correction lines bill).
   * Both read by their key (user_id, slice_start). A line the corrections took wholly off (its
   * unit-seconds add up to 0: only a correction's are not positive) is left out, as it would be
   * had they come first.
   */
  private static final String CORRECTED =
      """
      (SELECT correction_id, resource_type, unit_price, activity, slice_start, unit_seconds,
              full_price
       FROM billing_usage_records
       WHERE user_id = :user_id AND slice_start >= :from AND slice_start < :to
       UNION ALL
       SELECT correction_id, resource_type, unit_price, activity, slice_start, unit_seconds,
              full_price
       FROM billing_correction_usage
       WHERE user_id = :user_id AND slice_start >= :from AND slice_start < :to) r""";

  private static final NamedSql SUMS =
      NamedSql.of(
          """
          SELECT %1$s
          FROM %3$s
          GROUP BY %2$s
          HAVING sum(r.unit_seconds) <> 0
          ORDER BY %2$s
          """
              .formatted(RECORDS_SUMMED, LINE, CORRECTED));

  // per range of :bounds (k, 1-based) the usage's slice starts in, so a month's days cost those
  // days, not the account's history
  static final NamedSql RANGE_SUMS =
      NamedSql.of(
          """
          SELECT width_bucket(r.slice_start, :bounds::timestamptz[]) AS k, %1$s
          FROM %3$s
          GROUP BY k, %2$s
          HAVING sum(r.unit_seconds) <> 0
          ORDER BY k, %2$s
          """
              .formatted(RECORDS_SUMMED, LINE, CORRECTED));

  // what each correction changed of the range's usage, by resource
  private static final NamedSql CORRECTIONS =
      NamedSql.of(
          """
          SELECT r.correction_id, r.resource_type, sum(r.unit_seconds),
                 sum(r.unit_seconds * r.unit_price)
          FROM %s
          WHERE r.correction_id <> 0
          GROUP BY 1, 2
          HAVING sum(r.unit_seconds) <> 0
          ORDER BY 1, 2
          """
              .formatted(CORRECTED));

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
   * The user's usage whose slice starts in {@code [from, to)}, as corrected ({@link #CORRECTED}),
   * summed exactly per resource type, unit price and activity.
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

  /**
   * What each correction changed of the user's usage whose slice starts in {@code [from, to)},
   * by correction and resource: the quantity it added (negative: took off) and that quantity's
   * cost, rounded on its own (the usage's lines count it already, each rounded once).
   */
  public List<UsageCorrection> corrections(
      String orgId, Instant from, Instant to, Currency currency) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            CORRECTIONS
                .bind("user_id", orgId)
                .bind("from", from)
                .bind("to", to)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<UsageCorrection> corrections = new ArrayList<>();
      while (rs.next()) {
        UsageUnit unit = UsageUnit.ofResourceType(rs.getString(2));
        corrections.add(
            new UsageCorrection(
                rs.getLong(1),
                unit.resourceType(),
                unit.quantity(rs.getBigDecimal(3)),
                unit.label(),
                Money.lineTotal(rs.getBigDecimal(4), unit.unitSecondsPerUnit(), currency)));
      }
      return corrections;
    }
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

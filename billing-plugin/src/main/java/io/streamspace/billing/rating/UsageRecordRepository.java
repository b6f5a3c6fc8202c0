package io.streamspace.billing.rating;

import io.streamspace.billing.db.Sql;
import io.streamspace.billing.money.UsageUnit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Reads rated usage records. */
public final class UsageRecordRepository {

  // Sums and products of numerics are exact; the one division per line is left to the caller
  // (UsageSum), where it is also the one rounding.
  private static final String SUMS =
      """
      SELECT resource_type, unit_price, sum(unit_seconds), sum(unit_seconds * unit_price)
      FROM billing_usage_records
      WHERE user_id = ? AND slice_start >= ? AND slice_start < ?
      GROUP BY resource_type, unit_price
      ORDER BY resource_type, unit_price
      """;

  // a slice is never longer than an hour: only one starting in the hour before can span it
  private static final String SPANS =
      """
      SELECT EXISTS (SELECT 1 FROM billing_usage_records
                     WHERE user_id = ? AND slice_start > ?::timestamptz - interval '1 hour'
                       AND slice_start < ? AND slice_end > ?)
      """;

  private final DataSource dataSource;

  public UsageRecordRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * The user's records whose slice starts in {@code [from, to)}, summed exactly per resource
   * type and unit price.
   */
  public List<UsageSum> sums(String userId, Instant from, Instant to) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(SUMS)) {
      statement.setString(1, userId);
      statement.setTimestamp(2, Timestamp.from(from));
      statement.setTimestamp(3, Timestamp.from(to));
      List<UsageSum> sums = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          sums.add(
              new UsageSum(
                  UsageUnit.ofResourceType(rs.getString(1)),
                  rs.getBigDecimal(2),
                  rs.getBigDecimal(3),
                  rs.getBigDecimal(4)));
        }
      }
      return sums;
    }
  }

  /** Whether one of the user's records starts before {@code instant} and ends after it. */
  public boolean sliceSpans(String userId, Instant instant) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(connection, SPANS, userId, instant, instant, instant);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getBoolean(1);
    }
  }
}

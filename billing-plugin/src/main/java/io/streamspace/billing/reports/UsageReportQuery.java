package io.streamspace.billing.reports;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.rating.UsageRecordRepository;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Currency;
import javax.sql.DataSource;

/**
 * Reads a usage report row by row from a server-side cursor: PostgreSQL's driver fetches
 * {@value #FETCH_SIZE} rows at a time when autocommit is off, so a report of a year for every
 * account never sits in memory; each row goes to the sink as it is read.
 */
public final class UsageReportQuery {

  /** Where the rows go, one at a time. */
  @FunctionalInterface
  public interface RowSink {
    void accept(ReportRow row) throws Exception;
  }

  static final int FETCH_SIZE = 1_000;

  private final DataSource dataSource;

  public UsageReportQuery(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Every row of the records whose slice starts in {@code [from, to)}, in group order. The
   * connection is released when this returns or throws (a client gone away, say).
   *
   * @param zone the billing zone, whose dates {@link ReportGrouping#DAY} groups by
   */
  public void forEachRow(
      ReportGrouping grouping, Instant from, Instant to, ZoneId zone, RowSink sink)
      throws Exception {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false); // a fetch size streams rows only inside a transaction
      connection.setReadOnly(true);
      try (PreparedStatement statement = bind(grouping, from, to, zone).prepare(connection)) {
        statement.setFetchSize(FETCH_SIZE);
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            Currency currency = Currency.getInstance(rs.getString("currency"));
            sink.accept(
                new ReportRow(
                    rs.getString("group_key"),
                    currency.getCurrencyCode(),
                    UsageRecordRepository.sum(rs).line(currency)));
          }
        }
      } finally {
        connection.rollback();
        connection.setReadOnly(false);
        connection.setAutoCommit(true);
      }
    }
  }

  private static NamedSql.Binding bind(
      ReportGrouping grouping, Instant from, Instant to, ZoneId zone) {
    NamedSql.Binding binding = grouping.sql().bind("from", from).bind("to", to);
    return grouping == ReportGrouping.DAY ? binding.bind("zone", zone.getId()) : binding;
  }
}

package io.streamspace.billing.reports;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.rating.MemberSum;
import io.streamspace.billing.rating.UsageByMember;
import io.streamspace.billing.rating.UsageByMember.LinePart;
import io.streamspace.billing.rating.UsageLine;
import io.streamspace.billing.rating.UsageRecordRepository;
import io.streamspace.billing.rating.UsageSum;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.function.Function;
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

  // the accounts' primary key, in its order
  private static final NamedSql ACCOUNTS_AFTER =
      NamedSql.of(
          "SELECT user_id FROM billing_accounts WHERE user_id > :after ORDER BY user_id"
              + " LIMIT :count");

  private final DataSource dataSource;
  private final Function<ReportGrouping, NamedSql> statements;

  public UsageReportQuery(DataSource dataSource) {
    this(dataSource, ReportGrouping::sql);
  }

  /**
   * @param statements each grouping's statement (tests: one reading the records only, to compare
   *     the rollup's answers with)
   */
  UsageReportQuery(DataSource dataSource, Function<ReportGrouping, NamedSql> statements) {
    this.dataSource = dataSource;
    this.statements = statements;
  }

  /**
   * Every row of the records whose slice starts in {@code [from, to)}, in group order. The
   * connection is released when this returns or throws (a client gone away, say).
   *
   * @param zone the billing zone, whose dates {@link ReportGrouping#DAY} groups by and the daily
   *     rollup is of
   */
  public void forEachRow(
      ReportGrouping grouping, Instant from, Instant to, ZoneId zone, RowSink sink)
      throws Exception {
    forEachRow(bind(statements.apply(grouping), from, to, zone), grouping, sink);
  }

  /**
   * The rows of the accounts {@code accounts} only (a page of them, {@link #accountsAfter}), as
   * {@link #forEachRow(ReportGrouping, Instant, Instant, ZoneId, RowSink)} gives them: read
   * through each table's index by account, so a page costs what its accounts' usage does,
   * whatever the number of accounts.
   *
   * @throws IllegalArgumentException unless the grouping's rows are each an account's
   */
  public void forEachRowOf(
      List<String> accounts,
      ReportGrouping grouping,
      Instant from,
      Instant to,
      ZoneId zone,
      RowSink sink)
      throws Exception {
    if (!grouping.byAccount()) {
      throw new IllegalArgumentException(grouping + " is not grouped by account");
    }
    if (!accounts.isEmpty()) {
      NamedSql.Binding binding = bind(grouping.pageSql(), from, to, zone);
      forEachRow(binding.bind("user_ids", accounts.toArray(String[]::new)), grouping, sink);
    }
  }

  /**
   * Up to {@code count} account ids after {@code after} (from the first when empty), in the
   * order a report's groups come in (the ids' byte order: the columns are {@code COLLATE "C"}).
   */
  public List<String> accountsAfter(String after, int count) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            ACCOUNTS_AFTER.bind("after", after).bind("count", count).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<String> ids = new ArrayList<>();
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
      return ids;
    }
  }

  private void forEachRow(NamedSql.Binding binding, ReportGrouping grouping, RowSink sink)
      throws Exception {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false); // a fetch size streams rows only inside a transaction
      connection.setReadOnly(true);
      try (PreparedStatement statement = binding.prepare(connection)) {
        statement.setFetchSize(FETCH_SIZE);
        try (ResultSet rs = statement.executeQuery()) {
          MemberLine line = new MemberLine(sink);
          while (rs.next()) {
            Currency currency = Currency.getInstance(rs.getString("currency"));
            String group = rs.getString("group_key");
            UsageSum sum = UsageRecordRepository.sum(rs);
            if (grouping.byMember()) {
              line.add(group, currency, new MemberSum(rs.getString("member_key"), sum));
            } else {
              sink.accept(new ReportRow(group, currency.getCurrencyCode(), sum.line(currency)));
            }
          }
          line.flush();
        }
      } finally {
        connection.rollback();
        connection.setReadOnly(false);
        connection.setAutoCommit(true);
      }
    }
  }

  /**
   * The rows of one account's line (resource and unit price) per member, held until the line
   * ends (they come in line order, a handful at a time: one per member), then written with
   * their shares of the line's cost ({@link UsageByMember#lineParts}).
   */
  private static final class MemberLine {
    private final RowSink sink;
    private final List<MemberSum> parts = new ArrayList<>();
    private String group;
    private Currency currency;

    MemberLine(RowSink sink) {
      this.sink = sink;
    }

    void add(String group, Currency currency, MemberSum part) throws Exception {
      if (!parts.isEmpty() && !sameLine(group, currency, part.sum())) {
        flush();
      }
      this.group = group;
      this.currency = currency;
      parts.add(part);
    }

    private boolean sameLine(String group, Currency currency, UsageSum sum) {
      UsageSum first = parts.get(0).sum();
      return group.equals(this.group)
          && currency.equals(this.currency)
          && sum.unit() == first.unit()
          && sum.unitPrice().compareTo(first.unitPrice()) == 0;
    }

    void flush() throws Exception {
      if (parts.isEmpty()) {
        return; // not grouped by member, or no rows
      }
      for (LinePart part : UsageByMember.lineParts(parts, currency)) {
        UsageLine line = part.sum().line(currency);
        sink.accept(
            new ReportRow(
                group, part.memberId(), currency.getCurrencyCode(), line.costing(part.cost())));
      }
      parts.clear();
    }
  }

  private static NamedSql.Binding bind(NamedSql sql, Instant from, Instant to, ZoneId zone) {
    NamedSql.Binding binding = sql.bind("from", from).bind("to", to);
    return sql.names().contains("zone") ? binding.bind("zone", zone.getId()) : binding;
  }
}

package io.streamspace.billing.explain;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;

/**
 * The usage records an invoice bills of one resource (at one unit price, or at every price), by
 * the very rule invoicing claims them by ({@code UsageClaims}, schema V32): a record is the
 * invoice's when its account's claim for the invoice is the first claim with {@code slice_start <
 * period_end AND rating_run <= run_high}; a draft, which has no claim yet, is shown the records no
 * claim covers before its period end, as its preview bills them. In a stable order (slice start,
 * session), each with the exact running sum of {@code unit_seconds × unit_price} up to it, so a
 * page's subtotals are the line's rule applied to everything before and on it.
 */
final class LineRecords {

  /** One usage record, with the exact Σ unit-seconds × unit price up to and including it. */
  record Row(
      String sessionId,
      Instant from,
      Instant to,
      BigDecimal unitSeconds,
      BigDecimal unitPrice,
      BigDecimal runningPriced) {}

  /**
   * A usage record as explained: its own amount rounded, and as subtotal the line's rule applied
   * to {@code runningPriced}, the priced unit-seconds of the records up to and including it.
   */
  static ExplainedRecord explained(
      long n, Row row, BigDecimal runningPriced, UsageUnit unit, Currency currency) {
    return new ExplainedRecord(
        n,
        "usage_record",
        row.sessionId(),
        null,
        row.from(),
        row.to(),
        Figures.plain(row.unitSeconds()),
        unit.quantity(row.unitSeconds()),
        unit.label(),
        Figures.plain(row.unitPrice()),
        Money.lineTotal(
            row.unitSeconds().multiply(row.unitPrice()), unit.unitSecondsPerUnit(), currency),
        Figures.step(currency),
        Money.lineTotal(runningPriced, unit.unitSecondsPerUnit(), currency),
        null,
        null,
        List.of());
  }

  /** The whole line's figures: how many records, Σ priced unit-seconds, Σ each rounded. */
  record Totals(long count, BigDecimal priced) {}

  private static final String BILLED =
      """
      FROM billing_usage_records r
      LEFT JOIN billing_usage_claims c ON c.invoice_id = :invoice_id
      WHERE r.user_id = :user_id AND r.resource_type = :resource_type
        AND (CAST(:unit_price AS numeric) IS NULL OR r.unit_price = CAST(:unit_price AS numeric))
        AND (CAST(:activity AS text) IS NULL AND r.activity <> 'hibernated'
             OR r.activity = CAST(:activity AS text))
        AND r.slice_start < coalesce(c.period_end, CAST(:period_end AS timestamptz))
        AND (c.invoice_id IS NULL OR r.rating_run <= c.run_high)
        AND NOT EXISTS (SELECT 1 FROM billing_usage_claims p
                        WHERE p.user_id = r.user_id
                          AND (c.claim_no IS NULL OR p.claim_no < c.claim_no)
                          AND r.slice_start < p.period_end AND r.rating_run <= p.run_high)""";

  private static final NamedSql PAGE =
      NamedSql.of(
          """
          SELECT r.session_id, r.slice_start, r.slice_end, r.unit_seconds, r.unit_price,
                 sum(r.unit_seconds * r.unit_price)
                   OVER (ORDER BY r.slice_start, r.session_id ROWS UNBOUNDED PRECEDING)
          %s
          ORDER BY r.slice_start, r.session_id
          LIMIT :limit OFFSET :offset"""
              .formatted(BILLED));

  private static final NamedSql ALL =
      NamedSql.of(
          """
          SELECT r.session_id, r.slice_start, r.slice_end, r.unit_seconds, r.unit_price,
                 sum(r.unit_seconds * r.unit_price)
                   OVER (ORDER BY r.slice_start, r.session_id ROWS UNBOUNDED PRECEDING)
          %s
          ORDER BY r.slice_start, r.session_id"""
              .formatted(BILLED));

  /** Rows fetched at a time when every record of a line is read. */
  private static final int FETCH_SIZE = 1000;

  private static final NamedSql TOTALS =
      NamedSql.of(
          "SELECT count(*), coalesce(sum(r.unit_seconds * r.unit_price), 0) %s".formatted(BILLED));

  /**
   * What a line's records are: its invoice, account, resource, price (null: every price) and
   * activity (null: every activity but hibernated time, which holds nothing, as hybrid overage
   * counts; a usage line's own, {@code active} at the full price).
   */
  record Of(
      long invoiceId,
      String orgId,
      Instant periodEnd,
      String resourceType,
      BigDecimal unitPrice,
      String activity) {}

  private LineRecords() {}

  /** What is done with each row of a line read whole. */
  @FunctionalInterface
  interface RowSink {
    void accept(Row row) throws SQLException;
  }

  /** {@code limit} records of the line from {@code offset} on (a page of the answer). */
  static List<Row> page(Connection connection, Of line, long offset, int limit)
      throws SQLException {
    try (PreparedStatement statement =
            bind(PAGE, line).bind("limit", limit).bind("offset", offset).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<Row> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(row(rs));
      }
      return rows;
    }
  }

  /**
   * Every record of the line in order, from one cursor a chunk at a time (a large line is never
   * held, nor read again page by page), in a read-only transaction of its own on {@code
   * connection}, which it leaves in autocommit.
   */
  static void forEach(Connection connection, Of line, RowSink sink) throws SQLException {
    connection.setAutoCommit(false); // a fetch size streams rows only inside a transaction
    connection.setReadOnly(true);
    try (PreparedStatement statement = bind(ALL, line).prepare(connection)) {
      statement.setFetchSize(FETCH_SIZE);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          sink.accept(row(rs));
        }
      }
    } finally {
      connection.rollback();
      connection.setReadOnly(false);
      connection.setAutoCommit(true);
    }
  }

  private static Row row(ResultSet rs) throws SQLException {
    return new Row(
        rs.getString(1),
        Sql.instant(rs.getTimestamp(2)),
        Sql.instant(rs.getTimestamp(3)),
        rs.getBigDecimal(4),
        rs.getBigDecimal(5),
        rs.getBigDecimal(6));
  }

  static Totals totals(Connection connection, Of line) throws SQLException {
    try (PreparedStatement statement = bind(TOTALS.binding(), line).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return new Totals(rs.getLong(1), rs.getBigDecimal(2));
    }
  }

  private static NamedSql.Binding bind(NamedSql sql, Of line) {
    return bind(sql.binding(), line);
  }

  private static NamedSql.Binding bind(NamedSql.Binding binding, Of line) {
    return binding
        .bind("invoice_id", line.invoiceId())
        .bind("user_id", line.orgId())
        .bind("resource_type", line.resourceType())
        .bind("unit_price", line.unitPrice())
        .bind("activity", line.activity())
        .bind("period_end", line.periodEnd());
  }
}

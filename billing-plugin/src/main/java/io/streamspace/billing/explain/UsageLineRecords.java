package io.streamspace.billing.explain;

import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;

/**
 * A usage line's records: the usage records the invoice claims at the line's resource and price
 * ({@link LineRecords}), Σ unit-seconds × price, divided and rounded once as the line is; read a
 * page at a time, or whole from one cursor.
 */
final class UsageLineRecords implements Records {
  private final Connection connection;
  private final LineRecords.Of of;
  private final UsageUnit unit;
  private final BigDecimal price;
  private final Currency currency;
  private LineRecords.Totals totals;

  UsageLineRecords(
      Connection connection,
      LineRecords.Of of,
      UsageUnit unit,
      BigDecimal price,
      Currency currency) {
    this.connection = connection;
    this.of = of;
    this.unit = unit;
    this.price = price;
    this.currency = currency;
  }

  @Override
  public String computation() {
    return "Σ unit-seconds (size × seconds) of the usage records below × the unit price "
        + price.toPlainString()
        + " per "
        + unit.label()
        + ", divided once by "
        + unit.unitSecondsPerUnit().toPlainString()
        + " unit-seconds per "
        + unit.label()
        + " and rounded once.";
  }

  private LineRecords.Totals totals() throws SQLException {
    if (totals == null) {
      totals = LineRecords.totals(connection, of);
    }
    return totals;
  }

  @Override
  public long count() throws SQLException {
    return totals().count();
  }

  @Override
  public BigDecimal total() throws SQLException {
    return Money.lineTotal(totals().priced(), unit.unitSecondsPerUnit(), currency);
  }

  @Override
  public BigDecimal sumOfRounded() throws SQLException {
    // each record's own rounding, by the same rule, over every record of the line
    BigDecimal[] sum = {Money.zero(currency)};
    LineRecords.forEach(
        connection,
        of,
        row -> sum[0] = sum[0].add(priced(row.unitSeconds().multiply(row.unitPrice()))));
    return sum[0];
  }

  @Override
  public void forEach(RecordSink sink) throws SQLException {
    long[] n = {0};
    LineRecords.forEach(connection, of, row -> sink.accept(record(++n[0], row)));
  }

  private BigDecimal priced(BigDecimal pricedUnitSeconds) {
    return Money.lineTotal(pricedUnitSeconds, unit.unitSecondsPerUnit(), currency);
  }

  @Override
  public List<ExplainedRecord> page(long offset, int limit) throws SQLException {
    List<ExplainedRecord> page = new ArrayList<>();
    long n = offset;
    for (LineRecords.Row row : LineRecords.page(connection, of, offset, limit)) {
      page.add(record(++n, row));
    }
    return page;
  }

  private ExplainedRecord record(long n, LineRecords.Row row) {
    return LineRecords.explained(n, row, row.runningPriced(), unit, currency);
  }
}

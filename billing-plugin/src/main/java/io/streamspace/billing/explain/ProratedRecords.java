package io.streamspace.billing.explain;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.InvoiceView;
import io.streamspace.billing.invoicing.InvoiceView.Line;
import io.streamspace.billing.invoicing.PeriodCharges;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.Seconds;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;

/**
 * The records of a plan fee and of a pack: one part per billing period the line covers,
 * prorated to the second by {@link io.streamspace.billing.invoicing.PeriodCharges#prorated} as
 * invoicing prorates it (each subtotal the same rule over the parts so far); a one-time pack,
 * its price.
 */
final class ProratedRecords {

  private static final NamedSql PLAN_INTERVAL =
      NamedSql.of(
          """
          SELECT s.billing_interval FROM billing_subscriptions s
          WHERE s.user_id = :user_id AND s.plan_name = :plan_name
            AND s.started_at < :to AND (s.ended_at IS NULL OR s.ended_at > :from)
          ORDER BY s.started_at LIMIT 1""");

  private ProratedRecords() {}

  /** A plan fee: the plan's price per its interval, prorated per billing period. */
  static Records planFee(
      Connection connection,
      InvoiceView invoice,
      Line line,
      BillingPeriods periods,
      Currency currency)
      throws SQLException {
    String interval = interval(connection, invoice.userId(), line);
    return prorated(
        line,
        interval,
        periods,
        currency,
        "The plan's price per "
            + interval
            + ("year".equals(interval) ? " (a twelfth of it per billing period)" : "")
            + ", prorated to the second over each billing period the line covers (price ×"
            + " seconds covered / seconds of the period), summed exactly and rounded once.");
  }

  /** A plan fee or recurring pack: one part per billing period, prorated as invoicing does. */
  static Records prorated(
      Line line, String interval, BillingPeriods periods, Currency currency, String computation) {
    BigDecimal price = line.unitPrice();
    Instant from = line.periodStart();
    Instant to = line.periodEnd();
    ZoneId zone = periods.zone();
    List<ExplainedRecord> all = new ArrayList<>();
    BigDecimal step = Figures.step(currency);
    if (price == null || from == null || to == null) {
      // a line stored without its range (written by hand, or before lines had one): the line
      // itself is the one record there is to show
      all.add(
          new ExplainedRecord(
              1,
              "period_part",
              null,
              null,
              from,
              to,
              null,
              null,
              null,
              price,
              line.amount(),
              step,
              line.amount(),
              "the line as invoiced; its range was not stored",
              null,
              List.of()));
      return new Records.Listed(computation, all, line.amount());
    }
    for (Instant cursor = from; cursor.isBefore(to); ) {
      Instant periodStart = periods.periodStart(cursor);
      Instant periodEnd = periods.periodEnd(cursor);
      Instant partEnd = periodEnd.isBefore(to) ? periodEnd : to;
      BigDecimal covered = Seconds.between(cursor, partEnd);
      BigDecimal whole = Seconds.between(periodStart, periodEnd);
      all.add(
          new ExplainedRecord(
              all.size() + 1,
              "period_part",
              null,
              null,
              cursor,
              partEnd,
              null,
              covered
                  .divide(whole, UsageUnit.QUANTITY_SCALE, RoundingMode.HALF_UP)
                  .stripTrailingZeros(),
              "year".equals(interval) ? "periods (a twelfth of the yearly price each)" : "periods",
              price,
              PeriodCharges.prorated(price, interval, cursor, partEnd, periods, currency),
              step,
              PeriodCharges.prorated(price, interval, from, partEnd, periods, currency),
              covered.toPlainString()
                  + " s of the "
                  + whole.toPlainString()
                  + " s billing period "
                  + periodStart.atZone(zone).toLocalDate()
                  + " – "
                  + periodEnd.atZone(zone).toLocalDate(),
              null,
              List.of()));
      cursor = partEnd;
    }
    return new Records.Listed(
        computation, all, PeriodCharges.prorated(price, interval, from, to, periods, currency));
  }

  /**
   * A pack line: a recurring pack's period, prorated per month as a plan fee is; a one-time
   * purchase or renewal, its price. Told apart by the amount, which is the price for a one-time
   * charge and the prorated price for a recurring one (both, for a whole period: the same).
   */
  static Records pack(Line line, BillingPeriods periods, Currency currency) {
    BigDecimal price = line.unitPrice();
    if (line.periodStart() != null
        && line.periodEnd() != null
        && line.periodStart().isBefore(line.periodEnd())
        && PeriodCharges.prorated(
                    price, "month", line.periodStart(), line.periodEnd(), periods, currency)
                .compareTo(line.amount())
            == 0) {
      return prorated(
          line,
          "month",
          periods,
          currency,
          "A capacity pack's price per month, prorated to the second over each billing period"
              + " it covers on this invoice, summed exactly and rounded once.");
    }
    BigDecimal amount = Money.lineTotal(price, BigDecimal.ONE, currency);
    return new Records.Listed(
        "A one-time capacity pack (a purchase or a renewal): its price.",
        List.of(
            new ExplainedRecord(
                1,
                "pack_charge",
                null,
                null,
                line.periodStart(),
                line.periodEnd(),
                null,
                BigDecimal.ONE,
                "pack",
                price,
                amount,
                Figures.step(currency),
                amount,
                "valid from " + line.periodStart() + " until " + line.periodEnd(),
                null,
                List.of())),
        amount);
  }

  /** The interval of the plan a plan-fee line charges (its description starts with its name). */
  private static String interval(Connection connection, String orgId, Line line)
      throws SQLException {
    String description = line.description();
    int comma = description.lastIndexOf(", ");
    String planName = comma < 0 ? description : description.substring(0, comma);
    try (PreparedStatement statement =
            PLAN_INTERVAL
                .bind("user_id", orgId)
                .bind("plan_name", planName)
                .bind("from", line.periodStart())
                .bind("to", line.periodEnd())
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? rs.getString(1) : "month";
    }
  }
}

package io.streamspace.billing.explain;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.InvoiceView;
import io.streamspace.billing.invoicing.InvoiceView.Line;
import io.streamspace.billing.invoicing.PeriodCharges;
import io.streamspace.billing.invoicing.PlanTerm;
import io.streamspace.billing.invoicing.PlanTermRows;
import io.streamspace.billing.invoicing.UsageBucket;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An overage line's records: a resource's (hybrid) per clock hour with overage, its records at
 * the line's price and what the plans include of the hour, as {@link
 * io.streamspace.billing.invoicing.PeriodCharges#bucketOverage} counts it; a counter's or the
 * seats', the members' shares a team's invoice stores, else the line's quantity × price.
 */
final class OverageRecords {

  private static final NamedSql TERMS =
      NamedSql.of(
          """
          SELECT %s FROM billing_subscriptions s
          WHERE s.user_id = :user_id AND s.started_at < :to
          ORDER BY s.started_at"""
              .formatted(PlanTermRows.COLUMNS));

  private static final NamedSql MEMBER_SHARES =
      NamedSql.of(
          """
          SELECT user_id, quantity, amount FROM billing_invoice_member_amounts
          WHERE invoice_id = :invoice_id AND line_no = :line_no ORDER BY user_id NULLS LAST""");

  private OverageRecords() {}

  /**
   * A hybrid overage line: per hour with overage, the records at the line's price, then what the
   * plans include of the hour (dearest usage first: the part of the allowance left for this
   * price), so that each hour adds its overage, as {@link PeriodCharges#bucketOverage} counts it.
   */
  static Records ofResource(
      Connection connection,
      InvoiceView invoice,
      Line line,
      UsageUnit unit,
      BillingPeriods periods,
      Currency currency)
      throws SQLException {
    LineRecords.Of every =
        new LineRecords.Of(
            invoice.id(), invoice.userId(), invoice.periodEnd(), line.resourceType(), null, null);
    // the hours' allowance covers the dearest usage first, whatever its price: every record of
    // the resource is read, once (an invoice's records of one resource: its hybrid overage)
    List<LineRecords.Row> rows = new ArrayList<>();
    LineRecords.forEach(connection, every, rows::add);
    // the buckets as invoicing makes them: per UTC clock hour, resource and unit price
    // the buckets as invoicing makes them (UsageClaims.span): per resource, unit price and UTC
    // clock hour, cut by the billing period and by the invoice's start and end
    record Slot(Instant start, Instant end, BigDecimal unitPrice) {}
    Map<Slot, List<LineRecords.Row>> bySlot = new LinkedHashMap<>();
    for (LineRecords.Row row : rows) {
      Instant hour = row.from().truncatedTo(ChronoUnit.HOURS);
      Instant start =
          Figures.latest(
              Figures.latest(periods.periodStart(row.from()), hour), invoice.periodStart());
      Instant end = Figures.earliest(periods.periodEnd(row.from()), hour.plus(Duration.ofHours(1)));
      if (row.from().isBefore(invoice.periodStart())) {
        // a late record of an earlier period: its bucket ends where the invoice starts
        start = Figures.latest(periods.periodStart(row.from()), hour);
        end = Figures.earliest(end, invoice.periodStart());
      }
      end = Figures.earliest(end, invoice.periodEnd());
      bySlot
          .computeIfAbsent(
              new Slot(start, end, row.unitPrice().stripTrailingZeros()), s -> new ArrayList<>())
          .add(row);
    }
    Map<UsageBucket, List<LineRecords.Row>> byBucket = new LinkedHashMap<>();
    bySlot.forEach(
        (slot, ofSlot) ->
            byBucket.put(
                new UsageBucket(
                    unit,
                    slot.start(),
                    slot.end(),
                    ofSlot.stream()
                        .map(LineRecords.Row::unitSeconds)
                        .reduce(BigDecimal.ZERO, BigDecimal::add),
                    slot.unitPrice()),
                ofSlot));
    List<UsageBucket> buckets = List.copyOf(byBucket.keySet());
    List<PlanTerm> terms = terms(connection, invoice.userId(), invoice.periodEnd());
    List<ExplainedRecord> all = new ArrayList<>();
    BigDecimal running = BigDecimal.ZERO;
    BigDecimal step = Figures.step(currency);
    for (PeriodCharges.BucketOverage over : PeriodCharges.bucketOverage(terms, buckets)) {
      UsageBucket bucket = over.bucket();
      if (bucket.unitPrice().compareTo(line.unitPrice()) != 0) {
        continue;
      }
      for (LineRecords.Row row : byBucket.get(bucket)) {
        running = running.add(row.unitSeconds().multiply(row.unitPrice()));
        all.add(LineRecords.explained(all.size() + 1, row, running, unit, currency));
      }
      BigDecimal included = bucket.unitSeconds().subtract(over.unitSeconds()).negate();
      BigDecimal priced = included.multiply(bucket.unitPrice());
      running = running.add(priced);
      all.add(
          new ExplainedRecord(
              all.size() + 1,
              "plan_allowance",
              null,
              null,
              bucket.start(),
              bucket.end(),
              Figures.plain(included),
              unit.quantity(included),
              unit.label(),
              Figures.plain(bucket.unitPrice()),
              Money.lineTotal(priced, unit.unitSecondsPerUnit(), currency),
              step,
              Money.lineTotal(running, unit.unitSecondsPerUnit(), currency),
              "what the plans include of this hour, covering the dearest usage first",
              null,
              List.of()));
    }
    return new Records.Listed(
        "Per clock hour, the usage above what the plans include (Σ limit × seconds of each plan"
            + " in the hour, covering the dearest usage first) × the unit price, summed over the"
            + " hours, divided once by "
            + unit.unitSecondsPerUnit().toPlainString()
            + " unit-seconds per "
            + unit.label()
            + " and rounded once.",
        all,
        Money.lineTotal(running, unit.unitSecondsPerUnit(), currency));
  }

  /**
   * A counter's or the seats' overage: the members' shares a team's invoice stores (they add up
   * to the line by largest remainder), else the line itself as quantity × price.
   */
  static Records ofMeter(Connection connection, InvoiceView invoice, Line line, Currency currency)
      throws SQLException {
    BigDecimal step = Figures.step(currency);
    boolean seats = "members".equals(line.resourceType());
    String computation =
        seats
            ? "Each billed seat (a member beyond the plan's included seats) costs the seat price"
                + " × seconds held / seconds of the billing period, summed exactly over members"
                + " and periods and rounded once; the quantity is in seat-months."
            : "The counter's use above the plan's included amount (raised by packs) × the unit"
                + " price, rounded once.";
    List<ExplainedRecord> all = new ArrayList<>();
    BigDecimal running = BigDecimal.ZERO;
    try (PreparedStatement statement =
            MEMBER_SHARES
                .bind("invoice_id", invoice.id())
                .bind("line_no", line.lineNo())
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        BigDecimal amount = rs.getBigDecimal(3);
        running = running.add(amount);
        all.add(
            new ExplainedRecord(
                all.size() + 1,
                "member_share",
                null,
                rs.getString(1),
                line.periodStart(),
                line.periodEnd(),
                null,
                Figures.plain(rs.getBigDecimal(2)),
                line.unit(),
                line.unitPrice(),
                Money.shown(amount, currency),
                step,
                Money.shown(running, currency),
                "this member's share of the line (by largest remainder, to the minor unit)",
                null,
                List.of()));
      }
    }
    if (!all.isEmpty()) {
      return new Records.Listed(
          computation + " The members' shares below add up to it.",
          all,
          Money.shown(running, currency));
    }
    // the counter: quantity × price as MeterCharges rounds it; the seats: the invoiced amount,
    // whose exact seat-seconds the line's quantity shows rounded to seat-months
    BigDecimal amount =
        seats
            ? line.amount()
            : Money.lineTotal(line.quantity().multiply(line.unitPrice()), BigDecimal.ONE, currency);
    all.add(
        new ExplainedRecord(
            1,
            seats ? "seats" : "counter",
            null,
            null,
            line.periodStart(),
            line.periodEnd(),
            null,
            line.quantity(),
            line.unit(),
            line.unitPrice(),
            amount,
            step,
            amount,
            seats
                ? "the seats held beyond the plan's included ones during the line's range"
                : "the counter's use above what the plan includes",
            null,
            List.of()));
    return new Records.Listed(computation, all, amount);
  }

  private static List<PlanTerm> terms(Connection connection, String orgId, Instant to)
      throws SQLException {
    try (PreparedStatement statement =
            TERMS.bind("user_id", orgId).bind("to", to).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<PlanTerm> terms = new ArrayList<>();
      while (rs.next()) {
        terms.add(PlanTermRows.read(rs, 1));
      }
      return terms;
    }
  }
}

package io.streamspace.billing.explain;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.explain.ExplainedRecord.Event;
import io.streamspace.billing.explain.LineExplanation.Sums;
import io.streamspace.billing.invoicing.InvoiceView;
import io.streamspace.billing.invoicing.InvoiceView.Line;
import io.streamspace.billing.invoicing.PeriodCharges;
import io.streamspace.billing.invoicing.PlanTerm;
import io.streamspace.billing.invoicing.PlanTermRows;
import io.streamspace.billing.invoicing.UsageBucket;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.plugin.api.event.JournalEvents;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Explains one invoice line with the same computation that made it: the records behind it, each
 * priced and rounded by {@link Money}'s one rule, the running subtotal being the line's rule
 * applied to the exact sum so far (so the last one is the line), and a usage record's session
 * traced to the journaled events ({@link JournalEvents}). Every kind of line has one:
 *
 * <ul>
 *   <li>{@code usage}: the usage records the invoice claims at the line's resource and price
 *       ({@link LineRecords}), Σ unit-seconds × price, divided and rounded once;
 *   <li>{@code overage} of a resource (hybrid): per clock hour with overage, its records at the
 *       line's price and what the plans include of the hour ({@link
 *       PeriodCharges#bucketOverage}, the dearest usage covered first), negative;
 *   <li>{@code overage} of a counter or of seats: the members' shares stored with a team's
 *       invoice, else the line's quantity × price;
 *   <li>{@code plan_fee} and a recurring {@code pack}: one part per billing period the line
 *       covers, prorated to the second ({@link PeriodCharges#prorated}); a one-time pack, its
 *       price;
 *   <li>{@code credit}: the credit used, with who granted it, why and when it expires.
 * </ul>
 */
public final class LineExplainer {

  /** Records whose events are looked up at a time when a whole line is streamed (CSV). */
  static final int CHUNK = 1000;

  /** The most journaled events looked up for one page's sessions. */
  private static final int EVENTS_A_PAGE = 10_000;

  private static final NamedSql PLAN_INTERVAL =
      NamedSql.of(
          """
          SELECT s.billing_interval FROM billing_subscriptions s
          WHERE s.user_id = :user_id AND s.plan_name = :plan_name
            AND s.started_at < :to AND (s.ended_at IS NULL OR s.ended_at > :from)
          ORDER BY s.started_at LIMIT 1""");

  private static final NamedSql TERMS =
      NamedSql.of(
          """
          SELECT %s FROM billing_subscriptions s
          WHERE s.user_id = :user_id AND s.started_at < :to
          ORDER BY s.started_at"""
              .formatted(PlanTermRows.COLUMNS));

  private static final NamedSql CREDITS_USED =
      NamedSql.of(
          """
          SELECT a.credit_id, a.amount, c.reason, c.granted_by, c.granted_at, c.expires_at,
                 c.amount
          FROM billing_credit_applications a JOIN billing_credits c ON c.id = a.credit_id
          WHERE a.invoice_id = :invoice_id ORDER BY a.id""");

  private static final NamedSql MEMBER_SHARES =
      NamedSql.of(
          """
          SELECT user_id, quantity, amount FROM billing_invoice_member_amounts
          WHERE invoice_id = :invoice_id AND line_no = :line_no ORDER BY user_id NULLS LAST""");

  private final DataSource dataSource;
  private final Supplier<BillingConfig> config;
  private final Supplier<JournalEvents> journal;

  public LineExplainer(
      DataSource dataSource, Supplier<BillingConfig> config, Supplier<JournalEvents> journal) {
    this.dataSource = dataSource;
    this.config = config;
    this.journal = journal;
  }

  /** The explanation of line {@code n} of {@code invoice} with {@code limit} records from one. */
  public LineExplanation explain(InvoiceView.WithLines invoice, Line line, long offset, int limit)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      Records records = records(connection, invoice, line);
      List<ExplainedRecord> page = withEvents(records.page(offset, limit + 1));
      Long next = page.size() > limit ? offset + limit : null;
      page = page.subList(0, Math.min(limit, page.size()));
      Currency currency = Currency.getInstance(invoice.invoice().currency());
      BigDecimal total = records.total();
      BigDecimal sumOfRounded = records.sumOfRounded();
      boolean retained = page.stream().allMatch(r -> !Boolean.FALSE.equals(r.eventsRetained()));
      BigDecimal step = BigDecimal.ONE.movePointLeft(Money.minorDigits(currency));
      return new LineExplanation(
          invoice.invoice().id(),
          currency.getCurrencyCode(),
          line,
          records.computation(),
          records.count(),
          new Sums(
              total,
              total.compareTo(line.amount()) == 0,
              sumOfRounded,
              line.amount().subtract(sumOfRounded),
              step,
              "Each amount is rounded half up to "
                  + step.toPlainString()
                  + " "
                  + currency.getCurrencyCode()
                  + ", once: the line rounds the exact sum of its records, so the records each"
                  + " rounded on their own may add up to a little more or less than the line"
                  + " (rounding_difference), and each subtotal is that rule applied to the"
                  + " records so far."),
          retained,
          retained ? null : notRetained(),
          page,
          next);
    }
  }

  /** Every record of the line, in order, with its events: a chunk at a time (CSV). */
  public void forEachRecord(
      InvoiceView.WithLines invoice, Line line, Consumer<ExplainedRecord> each)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      Records records = records(connection, invoice, line);
      List<ExplainedRecord> chunk = new ArrayList<>(CHUNK);
      records.forEach(
          r -> {
            chunk.add(r);
            if (chunk.size() == CHUNK) {
              withEvents(chunk).forEach(each);
              chunk.clear();
            }
          });
      withEvents(chunk).forEach(each);
    }
  }

  /** What is done with each record of a line read whole. */
  @FunctionalInterface
  interface RecordSink {
    void accept(ExplainedRecord record) throws SQLException;
  }

  private String notRetained() {
    return journal.get().kept()
        ? "The journal no longer holds the events of some records' sessions (they are past its"
            + " retention): the explanation stops at those usage records."
        : "This host keeps no journal of events: the explanation stops at the usage records.";
  }

  /** What a line's records are and how they add up. */
  interface Records {
    String computation();

    long count() throws SQLException;

    /** The line's amount computed from every record by the invoice's rule. */
    BigDecimal total() throws SQLException;

    BigDecimal sumOfRounded() throws SQLException;

    List<ExplainedRecord> page(long offset, int limit) throws SQLException;

    /** Every record, in order, without their events. */
    void forEach(RecordSink sink) throws SQLException;
  }

  /** A line's few records, computed whole. */
  private record Listed(String computation, List<ExplainedRecord> all, BigDecimal total)
      implements Records {

    @Override
    public long count() {
      return all.size();
    }

    @Override
    public BigDecimal sumOfRounded() {
      return all.stream().map(ExplainedRecord::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    @Override
    public List<ExplainedRecord> page(long offset, int limit) {
      int from = (int) Math.min(offset, all.size());
      return all.subList(from, (int) Math.min(all.size(), from + (long) limit));
    }

    @Override
    public void forEach(RecordSink sink) throws SQLException {
      for (ExplainedRecord r : all) {
        sink.accept(r);
      }
    }
  }

  private Records records(Connection connection, InvoiceView.WithLines document, Line line)
      throws SQLException {
    InvoiceView invoice = document.invoice();
    Currency currency = Currency.getInstance(invoice.currency());
    BillingConfig current = config.get();
    BillingPeriods periods = new BillingPeriods(current.invoiceDay(), current.billingTimeZone());
    UsageUnit resource = resource(line.resourceType());
    return switch (line.kind()) {
      case "usage" ->
          new UsageRecords(
              connection,
              new LineRecords.Of(
                  invoice.id(),
                  invoice.userId(),
                  invoice.periodEnd(),
                  line.resourceType(),
                  line.unitPrice()),
              resource,
              line.unitPrice(),
              currency);
      case "overage" ->
          resource != null
              ? resourceOverage(connection, invoice, line, resource, periods, currency)
              : meterOverage(connection, invoice, line, currency);
      case "plan_fee" -> planFee(connection, invoice, line, periods, currency);
      case "pack" -> pack(line, periods, currency);
      case "credit" -> credit(connection, document, line, currency);
      default -> throw new IllegalStateException("a line of unknown kind " + line.kind());
    };
  }

  private static UsageUnit resource(String resourceType) {
    for (UsageUnit unit : UsageUnit.values()) {
      if (unit.resourceType().equals(resourceType)) {
        return unit;
      }
    }
    return null;
  }

  /** A usage line: its records, read a page at a time. */
  private static final class UsageRecords implements Records {
    private final Connection connection;
    private final LineRecords.Of of;
    private final UsageUnit unit;
    private final BigDecimal price;
    private final Currency currency;
    private LineRecords.Totals totals;

    UsageRecords(
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
      return new ExplainedRecord(
          n,
          "usage_record",
          row.sessionId(),
          null,
          row.from(),
          row.to(),
          plain(row.unitSeconds()),
          unit.quantity(row.unitSeconds()),
          unit.label(),
          plain(row.unitPrice()),
          priced(row.unitSeconds().multiply(row.unitPrice())),
          step(currency),
          priced(row.runningPriced()),
          null,
          null,
          List.of());
    }
  }

  /**
   * A hybrid overage line: per hour with overage, the records at the line's price, then what the
   * plans include of the hour (dearest usage first: the part of the allowance left for this
   * price), so that each hour adds its overage, as {@link PeriodCharges#bucketOverage} counts it.
   */
  private Records resourceOverage(
      Connection connection,
      InvoiceView invoice,
      Line line,
      UsageUnit unit,
      BillingPeriods periods,
      Currency currency)
      throws SQLException {
    LineRecords.Of every =
        new LineRecords.Of(
            invoice.id(), invoice.userId(), invoice.periodEnd(), line.resourceType(), null);
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
      Instant start = latest(latest(periods.periodStart(row.from()), hour), invoice.periodStart());
      Instant end = earliest(periods.periodEnd(row.from()), hour.plus(Duration.ofHours(1)));
      if (row.from().isBefore(invoice.periodStart())) {
        // a late record of an earlier period: its bucket ends where the invoice starts
        start = latest(periods.periodStart(row.from()), hour);
        end = earliest(end, invoice.periodStart());
      }
      end = earliest(end, invoice.periodEnd());
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
    BigDecimal step = step(currency);
    for (PeriodCharges.BucketOverage over : PeriodCharges.bucketOverage(terms, buckets)) {
      UsageBucket bucket = over.bucket();
      if (bucket.unitPrice().compareTo(line.unitPrice()) != 0) {
        continue;
      }
      for (LineRecords.Row row : byBucket.get(bucket)) {
        BigDecimal priced = row.unitSeconds().multiply(row.unitPrice());
        running = running.add(priced);
        all.add(
            new ExplainedRecord(
                all.size() + 1,
                "usage_record",
                row.sessionId(),
                null,
                row.from(),
                row.to(),
                plain(row.unitSeconds()),
                unit.quantity(row.unitSeconds()),
                unit.label(),
                plain(row.unitPrice()),
                Money.lineTotal(priced, unit.unitSecondsPerUnit(), currency),
                step,
                Money.lineTotal(running, unit.unitSecondsPerUnit(), currency),
                null,
                null,
                List.of()));
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
              plain(included),
              unit.quantity(included),
              unit.label(),
              plain(bucket.unitPrice()),
              Money.lineTotal(priced, unit.unitSecondsPerUnit(), currency),
              step,
              Money.lineTotal(running, unit.unitSecondsPerUnit(), currency),
              "what the plans include of this hour, covering the dearest usage first",
              null,
              List.of()));
    }
    return new Listed(
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
  private Records meterOverage(
      Connection connection, InvoiceView invoice, Line line, Currency currency)
      throws SQLException {
    BigDecimal step = step(currency);
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
                plain(rs.getBigDecimal(2)),
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
      return new Listed(
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
    return new Listed(computation, all, amount);
  }

  /** A plan fee or recurring pack: one part per billing period, prorated as invoicing does. */
  private static Records prorated(
      Line line, String interval, BillingPeriods periods, Currency currency, String computation) {
    BigDecimal price = line.unitPrice();
    Instant from = line.periodStart();
    Instant to = line.periodEnd();
    ZoneId zone = periods.zone();
    List<ExplainedRecord> all = new ArrayList<>();
    BigDecimal step = step(currency);
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
      return new Listed(computation, all, line.amount());
    }
    for (Instant cursor = from; cursor.isBefore(to); ) {
      Instant periodStart = periods.periodStart(cursor);
      Instant periodEnd = periods.periodEnd(cursor);
      Instant partEnd = periodEnd.isBefore(to) ? periodEnd : to;
      long covered = Duration.between(cursor, partEnd).getSeconds();
      long whole = Duration.between(periodStart, periodEnd).getSeconds();
      all.add(
          new ExplainedRecord(
              all.size() + 1,
              "period_part",
              null,
              null,
              cursor,
              partEnd,
              null,
              BigDecimal.valueOf(covered)
                  .divide(BigDecimal.valueOf(whole), UsageUnit.QUANTITY_SCALE, RoundingMode.HALF_UP)
                  .stripTrailingZeros(),
              "year".equals(interval) ? "periods (a twelfth of the yearly price each)" : "periods",
              price,
              PeriodCharges.prorated(price, interval, cursor, partEnd, periods, currency),
              step,
              PeriodCharges.prorated(price, interval, from, partEnd, periods, currency),
              covered
                  + " s of the "
                  + whole
                  + " s billing period "
                  + periodStart.atZone(zone).toLocalDate()
                  + " – "
                  + periodEnd.atZone(zone).toLocalDate(),
              null,
              List.of()));
      cursor = partEnd;
    }
    return new Listed(
        computation, all, PeriodCharges.prorated(price, interval, from, to, periods, currency));
  }

  /** A plan fee: the plan's price per its interval, prorated per billing period. */
  private static Records planFee(
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

  /**
   * A pack line: a recurring pack's period, prorated per month as a plan fee is; a one-time
   * purchase or renewal, its price. Told apart by the amount, which is the price for a one-time
   * charge and the prorated price for a recurring one (both, for a whole period: the same).
   */
  private static Records pack(Line line, BillingPeriods periods, Currency currency) {
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
    return new Listed(
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
                step(currency),
                amount,
                "valid from " + line.periodStart() + " until " + line.periodEnd(),
                null,
                List.of())),
        amount);
  }

  /**
   * A credit line: the k-th credit line of the invoice is its k-th credit use (finalization
   * stores them in the order it consumed the credits: earliest expiry, then oldest grant).
   */
  private static Records credit(
      Connection connection, InvoiceView.WithLines document, Line line, Currency currency)
      throws SQLException {
    int k = 0;
    for (Line other : document.lines()) {
      if (other.lineNo() == line.lineNo()) {
        break;
      }
      if ("credit".equals(other.kind())) {
        k++;
      }
    }
    List<ExplainedRecord> uses = new ArrayList<>();
    try (PreparedStatement statement =
            CREDITS_USED.bind("invoice_id", document.invoice().id()).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        BigDecimal applied = rs.getBigDecimal(2).negate();
        uses.add(
            new ExplainedRecord(
                1,
                "credit_application",
                null,
                null,
                rs.getTimestamp(5).toInstant(),
                rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant(),
                null,
                null,
                null,
                null,
                Money.shown(applied, currency),
                step(currency),
                Money.shown(applied, currency),
                "credit "
                    + rs.getLong(1)
                    + " of "
                    + Money.shown(rs.getBigDecimal(7), currency).toPlainString()
                    + " "
                    + currency.getCurrencyCode()
                    + " granted by "
                    + rs.getString(4)
                    + " ("
                    + rs.getString(3)
                    + "), used up to what was still due; from is when it was granted, to when"
                    + " it expires",
                null,
                List.of()));
      }
    }
    ExplainedRecord use =
        k < uses.size() && uses.get(k).amount().compareTo(line.amount()) == 0
            ? uses.get(k)
            : uses.stream()
                .filter(u -> u.amount().compareTo(line.amount()) == 0)
                .findFirst()
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            "no credit use of " + line.amount() + " on the invoice"));
    return new Listed(
        "A credit applied to what the invoice's charges come to (credits are used earliest"
            + " expiry first, then oldest grant): negative.",
        List.of(use),
        use.amount());
  }

  /** The interval of the plan a plan-fee line charges (its description starts with its name). */
  private static String interval(Connection connection, String userId, Line line)
      throws SQLException {
    String description = line.description();
    int comma = description.lastIndexOf(", ");
    String planName = comma < 0 ? description : description.substring(0, comma);
    try (PreparedStatement statement =
            PLAN_INTERVAL
                .bind("user_id", userId)
                .bind("plan_name", planName)
                .bind("from", line.periodStart())
                .bind("to", line.periodEnd())
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? rs.getString(1) : "month";
    }
  }

  private static List<PlanTerm> terms(Connection connection, String userId, Instant to)
      throws SQLException {
    try (PreparedStatement statement =
            TERMS.bind("user_id", userId).bind("to", to).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<PlanTerm> terms = new ArrayList<>();
      while (rs.next()) {
        terms.add(PlanTermRows.read(rs, 1));
      }
      return terms;
    }
  }

  /**
   * The page's records with the journaled events of their sessions: per record, the last event
   * at or before its start (what opened or last sized the session) and those during it (resizes,
   * the close).
   */
  private List<ExplainedRecord> withEvents(List<ExplainedRecord> page) {
    Set<String> sessions = new LinkedHashSet<>();
    Instant until = Instant.EPOCH;
    for (ExplainedRecord r : page) {
      if (r.sessionId() != null && !r.sessionId().isEmpty()) {
        sessions.add(r.sessionId());
        until = r.to().isAfter(until) ? r.to() : until;
      }
    }
    if (sessions.isEmpty()) {
      return page;
    }
    JournalEvents events = journal.get();
    Map<String, List<JournalEvents.Event>> bySession = new HashMap<>();
    for (JournalEvents.Event e :
        events.ofSessions(sessions, Instant.EPOCH, until.plusNanos(1000), EVENTS_A_PAGE)) {
      bySession.computeIfAbsent(e.sessionId(), s -> new ArrayList<>()).add(e);
    }
    List<ExplainedRecord> explained = new ArrayList<>(page.size());
    for (ExplainedRecord r : page) {
      if (r.sessionId() == null || r.sessionId().isEmpty()) {
        explained.add(r);
        continue;
      }
      List<JournalEvents.Event> ofSession = bySession.getOrDefault(r.sessionId(), List.of());
      List<Event> found = new ArrayList<>();
      JournalEvents.Event before = null;
      for (JournalEvents.Event e : ofSession) {
        if (!e.occurredAt().isAfter(r.from())) {
          before = e;
        } else if (!e.occurredAt().isAfter(r.to())) {
          found.add(new Event(e.id(), e.type(), e.occurredAt()));
        }
      }
      if (before != null) {
        found.add(0, new Event(before.id(), before.type(), before.occurredAt()));
      }
      explained.add(r.withEvents(!ofSession.isEmpty(), found));
    }
    return explained;
  }

  private static Instant latest(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant earliest(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static BigDecimal step(Currency currency) {
    return BigDecimal.ONE.movePointLeft(Money.minorDigits(currency));
  }

  private static BigDecimal plain(BigDecimal value) {
    return value == null ? null : value.stripTrailingZeros();
  }
}

package io.streamspace.billing.explain;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.explain.LineExplanation.Sums;
import io.streamspace.billing.invoicing.InvoiceView;
import io.streamspace.billing.invoicing.InvoiceView.Line;
import io.streamspace.billing.invoicing.PeriodCharges;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.MoneyText;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.UsageSum;
import io.streamspace.plugin.api.event.JournalEvents;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
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
 *       ({@link UsageLineRecords}), Σ unit-seconds × price, divided and rounded once;
 *   <li>{@code overage} ({@link OverageRecords}) of a resource (hybrid): per clock hour with
 *       overage, its records at the line's price and what the plans include of the hour ({@link
 *       PeriodCharges#bucketOverage}, the dearest usage covered first), negative; of a counter or
 *       of seats: the members' shares stored with a team's invoice, else the line's quantity ×
 *       price;
 *   <li>{@code plan_fee} and a recurring {@code pack} ({@link ProratedRecords}): one part per
 *       billing period the line covers, prorated to the second ({@link PeriodCharges#prorated});
 *       a one-time pack, its price;
 *   <li>{@code credit} ({@link CreditRecords}): the credit used, with who granted it, why and
 *       when it expires;
 *   <li>{@code correction} ({@link CorrectionRecords}): what a usage correction made a finalized
 *       invoice's line cost more, with the correction's records of it.
 *   <li>{@code discount} ({@link DiscountRecords}): the coupon, the lines it discounts and how
 *       this line's part was computed.
 * </ul>
 *
 * <p>A page's usage records are traced to their sessions' events by {@link JournalTrace}.
 */
public final class LineExplainer {

  /** Records whose events are looked up at a time when a whole line is streamed (CSV). */
  static final int CHUNK = 1000;

  private final DataSource dataSource;
  private final Supplier<BillingConfig> config;
  private final JournalTrace trace;

  public LineExplainer(
      DataSource dataSource, Supplier<BillingConfig> config, Supplier<JournalEvents> journal) {
    this.dataSource = dataSource;
    this.config = config;
    this.trace = new JournalTrace(journal);
  }

  /**
   * The explanation of {@code line} of {@code invoice}, with {@code limit} of its records from
   * {@code offset} on.
   */
  public LineExplanation explain(InvoiceView.WithLines invoice, Line line, long offset, int limit)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      Records records = records(connection, invoice, line);
      List<ExplainedRecord> page = trace.withEvents(records.page(offset, limit + 1));
      Long next = page.size() > limit ? offset + limit : null;
      page = page.subList(0, Math.min(limit, page.size()));
      Currency currency = Currency.getInstance(invoice.invoice().currency());
      BigDecimal total = records.total();
      BigDecimal sumOfRounded = records.sumOfRounded();
      boolean retained = page.stream().allMatch(r -> !Boolean.FALSE.equals(r.eventsRetained()));
      BigDecimal step = Figures.step(currency);
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
                  + MoneyText.of(step, currency)
                  + ", once: the line rounds the exact sum of its records, so the records each"
                  + " rounded on their own may add up to a little more or less than the line"
                  + " (rounding_difference), and each subtotal is that rule applied to the"
                  + " records so far."),
          retained,
          retained ? null : trace.notRetained(),
          page,
          next,
          invoice.creditedOn(line.lineNo()),
          "discount".equals(line.kind())
              ? DiscountRecords.of(connection, invoice, line).applied()
              : null);
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
              trace.withEvents(chunk).forEach(each);
              chunk.clear();
            }
          });
      trace.withEvents(chunk).forEach(each);
    }
  }

  private Records records(Connection connection, InvoiceView.WithLines document, Line line)
      throws SQLException {
    InvoiceView invoice = document.invoice();
    Currency currency = Currency.getInstance(invoice.currency());
    BillingConfig current = config.get();
    BillingPeriods periods = new BillingPeriods(current.invoiceDay(), current.billingTimeZone());
    UsageUnit resource = resource(line);
    return switch (line.kind()) {
      case "usage" ->
          new UsageLineRecords(
              connection,
              new LineRecords.Of(
                  invoice.id(),
                  invoice.userId(),
                  invoice.periodEnd(),
                  line.resourceType(),
                  line.unitPrice(),
                  // idle time is a line of its own: the full-price line is the active records
                  line.activity() == null ? UsageSum.ACTIVE : line.activity()),
              resource,
              line.unitPrice(),
              currency);
      case "overage" ->
          resource != null
              ? OverageRecords.ofResource(connection, invoice, line, resource, periods, currency)
              : OverageRecords.ofMeter(connection, invoice, line, currency);
      case "plan_fee" -> ProratedRecords.planFee(connection, invoice, line, periods, currency);
      case "pack" -> ProratedRecords.pack(line, periods, currency);
      case "credit" -> CreditRecords.of(connection, document, line, currency);
      case "prepaid" -> BalanceRecords.of(connection, document, line, currency);
      case "store" -> StoreRecords.of(connection, document, line, currency);
      case "correction" -> CorrectionRecords.of(connection, document, line, currency);
      case "discount" -> DiscountRecords.of(connection, document, line).records();
      default -> throw new IllegalStateException("a line of unknown kind " + line.kind());
    };
  }

  /**
   * The resource of a usage line or a resource's overage: a built-in one, or a held meter's
   * (counted in {@code <id>-hours}); null for a counter's overage.
   */
  private static UsageUnit resource(Line line) {
    UsageUnit builtIn = UsageUnit.builtIn(line.resourceType());
    if (builtIn != null || line.resourceType() == null) {
      return builtIn;
    }
    UsageUnit held = UsageUnit.held(line.resourceType());
    return "usage".equals(line.kind()) || held.label().equals(line.unit()) ? held : null;
  }
}

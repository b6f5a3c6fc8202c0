package io.streamspace.billing.invoicing;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.TaxFailedEvent;
import io.streamspace.billing.tax.LinesHash;
import io.streamspace.billing.tax.TaxBehavior;
import io.streamspace.billing.tax.TaxCalculator;
import io.streamspace.billing.tax.TaxCalculator.TaxFailure;
import io.streamspace.billing.tax.TaxDetails;
import io.streamspace.billing.tax.TaxDetailsRepository;
import io.streamspace.billing.tax.TaxQuote;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tax of drafts, calculated before they are finalized and outside the finalization's
 * transaction (a call to Stripe never waits while rows are locked): finalize-invoices first
 * {@link #calculate}s the due drafts, a chunk at a time (their lines computed as finalizing them
 * now would, one read for the chunk, nothing claimed), calling the {@link TaxCalculator} for each
 * draft whose lines changed since its last calculation, and stores each calculation with the
 * {@link LinesHash} of the lines it was made for ({@link InvoiceTaxRows}). Finalization then reads
 * them ({@link TaxAtFinalization}) and uses one only when the lines it finalizes hash the same.
 *
 * <p>A calculation that fails (no address, no key, Stripe's error) is stored failed with its
 * reason: the draft stays a draft, {@code billing.invoice.tax_failed} tells of it (once per
 * reason in a row), and the next run calculates it again.
 */
public final class InvoiceTaxes {

  /** What a pre-step did: the drafts ready to finalize and how many failed. */
  public record Prepared(Set<Long> ready, int failed) {}

  private static final Logger log = LoggerFactory.getLogger(InvoiceTaxes.class);

  private static final NamedSql DRAFTS =
      NamedSql.of(
          """
          SELECT %s FROM billing_invoices
          WHERE id = ANY(:id::text[]::bigint[]) AND status = 'draft' ORDER BY id"""
              .formatted(InvoiceRepository.COLUMNS));

  private static final NamedSql TEAMS =
      NamedSql.of(
          "SELECT user_id FROM billing_accounts WHERE user_id = ANY(:user_id::text[]) AND NOT"
              + " personal");

  private static final NamedSql FAILED =
      NamedSql.of(
          """
          SELECT count(*)
          FROM billing_invoice_taxes t JOIN billing_invoices i ON i.id = t.invoice_id
          WHERE t.status = 'failed' AND i.status = 'draft'""");

  private final DataSource dataSource;
  private final InvoiceCalculator calculator;
  private final TaxCalculator taxes;
  private final BillingEvents events;
  private final Supplier<BillingConfig> config;

  public InvoiceTaxes(
      DataSource dataSource,
      InvoiceCalculator calculator,
      TaxCalculator taxes,
      BillingEvents events,
      Supplier<BillingConfig> config) {
    this.dataSource = dataSource;
    this.calculator = calculator;
    this.taxes = taxes;
    this.events = events;
    this.config = config;
  }

  /**
   * Calculates the tax of the drafts of {@code ids} whose lines changed since their last
   * calculation (or that have none, or whose last one failed), {@code chunk} drafts read at a
   * time; answers those whose stored calculation fits their lines now, and how many failed.
   */
  public Prepared calculate(List<Long> ids, Instant now, int chunk) throws SQLException {
    Set<Long> ready = new HashSet<>();
    int failed = 0;
    TaxBehavior behavior = config.get().taxBehavior();
    for (int from = 0; from < ids.size(); from += chunk) {
      List<Long> part = ids.subList(from, Math.min(ids.size(), from + chunk));
      List<TaxCalculator.Request> requests;
      Map<Long, InvoiceTaxRows.Stored> stored;
      try (Connection connection = dataSource.getConnection()) {
        requests = requests(connection, part, behavior);
        stored = InvoiceTaxRows.stored(connection, part);
      }
      for (TaxCalculator.Request request : requests) {
        InvoiceTaxRows.Stored before = stored.get(request.invoiceId());
        if (before != null && before.calculated() && before.hash().equals(request.hash())) {
          ready.add(request.invoiceId());
          continue;
        }
        if (calculateOne(request, before, now)) {
          ready.add(request.invoiceId());
        } else {
          failed++;
        }
      }
    }
    return new Prepared(ready, failed);
  }

  /** Calls the calculator (no transaction open) and stores what it answered. */
  private boolean calculateOne(
      TaxCalculator.Request request, InvoiceTaxRows.Stored before, Instant now)
      throws SQLException {
    TaxQuote quote;
    try {
      quote = taxes.calculate(request);
    } catch (TaxFailure failure) {
      String reason = failure.getMessage();
      log.warn("the tax of draft {} could not be calculated: {}", request.invoiceId(), reason);
      boolean stored =
          Transactions.inTransaction(
              dataSource, c -> InvoiceTaxRows.store(c, request, null, reason, now));
      // told once per reason in a row, not at every run that fails the same way
      if (stored && (before == null || before.calculated() || !reason.equals(before.reason()))) {
        events.taxFailed(
            new TaxFailedEvent(
                request.invoiceId(),
                request.orgId(),
                request.currency().getCurrencyCode(),
                reason,
                now));
      }
      return false;
    }
    return Transactions.inTransaction(
        dataSource, c -> InvoiceTaxRows.store(c, request, quote, null, now));
  }

  /** The chunk's drafts as tax requests: their lines as finalizing them now would make them. */
  private List<TaxCalculator.Request> requests(
      Connection connection, List<Long> ids, TaxBehavior behavior) throws SQLException {
    List<Invoice> drafts = new ArrayList<>();
    try (PreparedStatement statement =
            DRAFTS.bind("id", SqlArrays.array(connection, ids, id -> id)).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        drafts.add(InvoiceRepository.read(rs));
      }
    }
    if (drafts.isEmpty()) {
      return List.of();
    }
    List<String> accounts = drafts.stream().map(Invoice::orgId).distinct().toList();
    Set<String> teams = new HashSet<>();
    try (PreparedStatement statement =
            TEAMS
                .bind("user_id", SqlArrays.array(connection, accounts, a -> a))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        teams.add(rs.getString(1));
      }
    }
    Map<String, TaxDetails> details = TaxDetailsRepository.of(connection, accounts);
    Map<String, String> stripeCustomers =
        TaxDetailsRepository.stripeCustomersOf(connection, accounts);
    List<InvoiceCalculator.Billed> billed =
        calculator.previews(connection, drafts, d -> teams.contains(d.orgId()));
    List<TaxCalculator.Request> requests = new ArrayList<>();
    for (int i = 0; i < drafts.size(); i++) {
      Invoice draft = drafts.get(i);
      List<TaxCalculator.Item> items = items(billed.get(i));
      requests.add(
          new TaxCalculator.Request(
              draft.id(),
              draft.orgId(),
              draft.currency(),
              behavior,
              items,
              LinesHash.of(draft.currency(), behavior, items),
              details.get(draft.orgId()),
              stripeCustomers.get(draft.orgId())));
    }
    return requests;
  }

  /**
   * The charge lines as tax items, numbered from 1 as the invoice numbers them, each at what is
   * left of it after the discounts taken off it: the tax is calculated on the discounted amounts,
   * and a discount line's own item is 0 (its amount is in the lines it discounts).
   */
  static List<TaxCalculator.Item> items(InvoiceCalculator.Billed billed) {
    BigDecimal[] taxed = billed.lines().stream().map(ChargeLine::amount).toArray(BigDecimal[]::new);
    for (Discounts.DiscountLine discount : billed.discounts()) {
      taxed[discount.discounted()] = taxed[discount.discounted()].add(discount.line().amount());
      taxed[discount.index()] = BigDecimal.ZERO.setScale(discount.line().amount().scale());
    }
    List<TaxCalculator.Item> items = new ArrayList<>(taxed.length);
    for (BigDecimal amount : taxed) {
      items.add(new TaxCalculator.Item(items.size() + 1, amount));
    }
    return items;
  }

  /**
   * How many drafts wait for a tax calculation that failed: finalize-invoices' backlog on {@code
   * GET /jobs/status}, the count an admin watches.
   */
  public static long failedDrafts(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = FAILED.prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}

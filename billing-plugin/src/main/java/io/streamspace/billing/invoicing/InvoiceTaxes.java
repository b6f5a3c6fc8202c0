package io.streamspace.billing.invoicing;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.TaxFailedEvent;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.tax.LinesHash;
import io.streamspace.billing.tax.TaxBehavior;
import io.streamspace.billing.tax.TaxCalculator;
import io.streamspace.billing.tax.TaxCalculator.TaxFailure;
import io.streamspace.billing.tax.TaxDetails;
import io.streamspace.billing.tax.TaxDetailsRepository;
import io.streamspace.billing.tax.TaxLine;
import io.streamspace.billing.tax.TaxQuote;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * {@link LinesHash} of the lines it was made for. Finalization then reads them ({@link
 * #calculated}) and uses one only when the lines it finalizes hash the same.
 *
 * <p>A calculation that fails (no address, no key, Stripe's error) is stored failed with its
 * reason: the draft stays a draft, {@code billing.invoice.tax_failed} tells of it (once per
 * reason in a row), and the next run calculates it again.
 */
public final class InvoiceTaxes {

  /** Where finalization stands on a draft's tax: its stored calculation. */
  record Calculated(long invoiceId, String linesHash, BigDecimal tax, TaxBehavior behavior) {}

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

  private static final NamedSql STORED =
      NamedSql.of(
          """
          SELECT invoice_id, status, lines_hash, tax, tax_behavior, reason
          FROM billing_invoice_taxes WHERE invoice_id = ANY(:id::text[]::bigint[])""");

  // a draft's row only: the row of an invoice finalized meanwhile is what it was finalized with
  private static final NamedSql STORE =
      NamedSql.of(
          """
          INSERT INTO billing_invoice_taxes (invoice_id, status, lines_hash, tax_behavior,
              calculation_id, tax, reason, failures, calculated_at)
          SELECT :id, :status, :hash, :behavior, :calculation::text, :tax, :reason::text,
                 :failures, :now
          FROM billing_invoices WHERE id = :id AND status = 'draft'
          ON CONFLICT (invoice_id) DO UPDATE
          SET status = EXCLUDED.status, lines_hash = EXCLUDED.lines_hash,
              tax_behavior = EXCLUDED.tax_behavior, calculation_id = EXCLUDED.calculation_id,
              tax = EXCLUDED.tax, reason = EXCLUDED.reason,
              failures = CASE WHEN EXCLUDED.status = 'failed'
                              THEN billing_invoice_taxes.failures + 1 ELSE 0 END,
              calculated_at = EXCLUDED.calculated_at""");

  // the draft's row lock: a finalization of it goes first, or waits for this short write
  private static final NamedSql LOCK_DRAFT =
      NamedSql.of("SELECT 1 FROM billing_invoices WHERE id = :id AND status = 'draft' FOR UPDATE");

  private static final NamedSql FORGET_LINES =
      NamedSql.of(
          "DELETE FROM billing_invoice_tax_lines WHERE invoice_id = ANY(:id::text[]::bigint[])");

  // a chunk's rows in one statement: finalization's cost stays one statement a step
  private static final NamedSql FORGET =
      NamedSql.of(
          """
          WITH lines AS (
              DELETE FROM billing_invoice_tax_lines WHERE invoice_id = ANY(:id::text[]::bigint[]))
          DELETE FROM billing_invoice_taxes WHERE invoice_id = ANY(:id::text[]::bigint[])""");

  private static final NamedSql LINES =
      NamedSql.of(
          """
          INSERT INTO billing_invoice_tax_lines (invoice_id, n, line_no, amount, taxable_amount,
              percentage, country, state, jurisdiction, level, tax_type, taxability_reason,
              reverse_charge)
          SELECT :id, * FROM unnest(:n::text[]::int[], :line_no::text[]::int[],
              :amount::text[]::numeric[], :taxable::text[]::numeric[],
              :percentage::text[]::numeric[], :country::text[], :state::text[],
              :jurisdiction::text[], :level::text[], :tax_type::text[], :reason::text[],
              :reverse::text[]::boolean[])""");

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
      Map<Long, Stored> stored;
      try (Connection connection = dataSource.getConnection()) {
        requests = requests(connection, part, behavior);
        stored = stored(connection, part);
      }
      for (TaxCalculator.Request request : requests) {
        Stored before = stored.get(request.invoiceId());
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
  private boolean calculateOne(TaxCalculator.Request request, Stored before, Instant now)
      throws SQLException {
    TaxQuote quote;
    try {
      quote = taxes.calculate(request);
    } catch (TaxFailure failure) {
      String reason = failure.getMessage();
      log.warn("the tax of draft {} could not be calculated: {}", request.invoiceId(), reason);
      boolean stored =
          Transactions.inTransaction(dataSource, c -> store(c, request, null, reason, now));
      // told once per reason in a row, not at every run that fails the same way
      if (stored && (before == null || before.calculated() || !reason.equals(before.reason()))) {
        events.taxFailed(
            new TaxFailedEvent(
                request.invoiceId(),
                request.accountId(),
                request.currency().getCurrencyCode(),
                reason,
                now));
      }
      return false;
    }
    return Transactions.inTransaction(dataSource, c -> store(c, request, quote, null, now));
  }

  /** Stores a calculation or its failure for a draft; false when it is no longer a draft. */
  private static boolean store(
      Connection c, TaxCalculator.Request request, TaxQuote quote, String reason, Instant now)
      throws SQLException {
    long id = request.invoiceId();
    try (PreparedStatement lock = LOCK_DRAFT.bind("id", id).prepare(c);
        ResultSet rs = lock.executeQuery()) {
      if (!rs.next()) {
        return false;
      }
    }
    List<Long> one = List.of(id);
    FORGET_LINES.bind("id", SqlArrays.array(c, one, i -> i)).update(c);
    STORE
        .bind("id", id)
        .bind("status", quote == null ? "failed" : "calculated")
        .bind("hash", request.hash())
        .bind("behavior", request.behavior().configName())
        .bind("calculation", quote == null ? null : quote.calculationId())
        .bind("tax", quote == null ? Money.zero(request.currency()) : quote.tax())
        .bind("reason", reason)
        .bind("failures", quote == null ? 1 : 0)
        .bind("now", now)
        .update(c);
    if (quote != null && !quote.lines().isEmpty()) {
      List<TaxLine> lines = quote.lines();
      List<Integer> ns = new ArrayList<>();
      for (int n = 1; n <= lines.size(); n++) {
        ns.add(n);
      }
      LINES
          .bind("id", id)
          .bind("n", SqlArrays.array(c, ns, n -> n))
          .bind("line_no", SqlArrays.array(c, lines, TaxLine::lineNo))
          .bind("amount", SqlArrays.array(c, lines, TaxLine::amount))
          .bind("taxable", SqlArrays.array(c, lines, TaxLine::taxableAmount))
          .bind("percentage", SqlArrays.array(c, lines, TaxLine::percentage))
          .bind("country", SqlArrays.array(c, lines, TaxLine::country))
          .bind("state", SqlArrays.array(c, lines, TaxLine::state))
          .bind("jurisdiction", SqlArrays.array(c, lines, TaxLine::jurisdiction))
          .bind("level", SqlArrays.array(c, lines, TaxLine::level))
          .bind("tax_type", SqlArrays.array(c, lines, TaxLine::taxType))
          .bind("reason", SqlArrays.array(c, lines, TaxLine::taxabilityReason))
          .bind("reverse", SqlArrays.array(c, lines, TaxLine::reverseCharge))
          .update(c);
    }
    return true;
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
    List<String> accounts = drafts.stream().map(Invoice::userId).distinct().toList();
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
        calculator.previews(connection, drafts, d -> teams.contains(d.userId()));
    List<TaxCalculator.Request> requests = new ArrayList<>();
    for (int i = 0; i < drafts.size(); i++) {
      Invoice draft = drafts.get(i);
      List<TaxCalculator.Item> items = items(billed.get(i).lines());
      requests.add(
          new TaxCalculator.Request(
              draft.id(),
              draft.userId(),
              draft.currency(),
              behavior,
              items,
              LinesHash.of(draft.currency(), behavior, items),
              details.get(draft.userId()),
              stripeCustomers.get(draft.userId())));
    }
    return requests;
  }

  /** The charge lines as tax items, numbered from 1 as the invoice numbers them. */
  static List<TaxCalculator.Item> items(List<ChargeLine> lines) {
    List<TaxCalculator.Item> items = new ArrayList<>(lines.size());
    for (ChargeLine line : lines) {
      items.add(new TaxCalculator.Item(items.size() + 1, line.amount()));
    }
    return items;
  }

  /** A stored row: calculated or failed, for which lines, and why it failed. */
  private record Stored(boolean calculated, String hash, String reason) {}

  private static Map<Long, Stored> stored(Connection connection, List<Long> ids)
      throws SQLException {
    Map<Long, Stored> stored = new HashMap<>();
    try (PreparedStatement statement =
            STORED.bind("id", SqlArrays.array(connection, ids, id -> id)).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        stored.put(
            rs.getLong(1),
            new Stored("calculated".equals(rs.getString(2)), rs.getString(3), rs.getString(6)));
      }
    }
    return stored;
  }

  /**
   * The stored calculations of the drafts of {@code ids} (failed ones left out), in the
   * finalization's transaction: one statement for the chunk.
   */
  static Map<Long, Calculated> calculated(Connection connection, List<Long> ids)
      throws SQLException {
    Map<Long, Calculated> calculated = new HashMap<>();
    try (PreparedStatement statement =
            STORED.bind("id", SqlArrays.array(connection, ids, id -> id)).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        if ("calculated".equals(rs.getString(2))) {
          calculated.put(
              rs.getLong(1),
              new Calculated(
                  rs.getLong(1),
                  rs.getString(3),
                  rs.getBigDecimal(4),
                  TaxBehavior.valueOf(rs.getString(5).toUpperCase(java.util.Locale.ROOT))));
        }
      }
    }
    return calculated;
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

  /**
   * Forgets the tax rows of drafts finalized without tax (stripeTax turned off since they were
   * calculated), in the finalization's transaction, so that they read as not calculated.
   */
  static void forget(Connection connection, List<Long> ids) throws SQLException {
    FORGET.bind("id", SqlArrays.array(connection, ids, id -> id)).update(connection);
  }
}

package io.streamspace.billing.creditnotes;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.creditnotes.CreditNoteRequest.Refund;
import io.streamspace.billing.db.GaplessNumbers;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.invoicing.CreditNote;
import io.streamspace.billing.invoicing.CreditNoteRows;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.invoicing.InvoiceRepository;
import io.streamspace.billing.invoicing.InvoiceStatus;
import io.streamspace.billing.invoicing.InvoiceStatusChanges;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.tax.TaxBehavior;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues credit notes: money given back on a finalized invoice without changing it, under a
 * gapless number of its own ({@link GaplessNumbers#CREDIT_NOTES}). {@link #issue(Connection,
 * CreditNoteRequest)} does it all in the caller's transaction, under the invoice's row lock (so
 * two notes on one invoice take turns, and neither can credit what the other took):
 *
 * <ol>
 *   <li>what to credit of each line ({@link CreditSplit}), never more than a line still holds
 *       after the invoice's earlier notes, with the share of the line's tax;
 *   <li>on an unpaid invoice (sent or overdue), the note lowers what is due, by its total or
 *       what was due if less; the invoice is paid by it when nothing is left due;
 *   <li>what lowers no amount due (all of a paid invoice's note; beyond what was due) is given
 *       back as the request says: onto the prepaid balance (a {@code credit_note} entry, now),
 *       through the payment at Stripe, or not at all ({@code none});
 *   <li>its audit entry ({@code credit_note.issued}), in the same transaction.
 * </ol>
 *
 * <p>What is left to do at Stripe (a refund; the Stripe Credit Note on the invoice's mirror) is
 * never done with rows locked: the note is stored {@code pending} there, and {@link #announce},
 * after the commit, hands it to be sent; the collect-payments job sends what is still pending.
 */
public final class CreditNotes {

  /**
   * A note issued, or answered again for its key.
   *
   * @param fresh false when the request's key had issued it before: nothing was done now
   * @param paid its invoice, paid by this note (nothing left due); null otherwise
   */
  public record Issued(CreditNote note, boolean fresh, Invoice paid) {}

  private static final Logger log = LoggerFactory.getLogger(CreditNotes.class);

  // unique_violation: another transaction stored a note under the same key meanwhile
  private static final String UNIQUE_VIOLATION = "23505";

  private final DataSource dataSource;
  private final InvoiceStatusChanges invoices;
  private final BillingEvents events;
  private final Supplier<BillingConfig> config;
  private final LongConsumer toStripe;

  /**
   * @param toStripe told, after the commit, of a note with work left at Stripe (its id): sends
   *     it now if it can; what it leaves is sent by the collect-payments job
   */
  public CreditNotes(
      DataSource dataSource,
      InvoiceStatusChanges invoices,
      BillingEvents events,
      Supplier<BillingConfig> config,
      LongConsumer toStripe) {
    this.dataSource = dataSource;
    this.invoices = invoices;
    this.events = events;
    this.config = config;
    this.toStripe = toStripe;
  }

  /**
   * Issues the note in a transaction of its own and {@linkplain #announce announces} it once
   * committed; answers it as its work at Stripe, sent then, left it.
   *
   * @throws CreditNoteRefused as {@link #issue(Connection, CreditNoteRequest)}, nothing changed
   */
  public Issued issue(CreditNoteRequest request) throws SQLException, CreditNoteRefused {
    Issued issued;
    try {
      issued = Transactions.inTransaction(dataSource, c -> issue(c, request));
    } catch (SQLException e) {
      if (UNIQUE_VIOLATION.equals(e.getSQLState()) && request.key() != null) {
        throw keyReused();
      }
      throw e;
    }
    announce(issued);
    if (!"pending".equals(issued.note().stripeStatus())) {
      return issued;
    }
    // as its work at Stripe left it, when that could be done at once
    return new Issued(find(issued.note().id()).orElseThrow(), issued.fresh(), issued.paid());
  }

  /**
   * Issues the note in the caller's transaction: the invoice's row locked, its lines checked
   * and credited, what is due lowered or the money given back, the number taken and the audit
   * entry written. The caller commits, then calls {@link #announce} with the answer; a rollback
   * undoes all of it, the number included. A request whose key issued a note before answers
   * that note ({@code fresh} false) and does nothing.
   *
   * @throws CreditNoteRefused nothing changed: 404 no such invoice; 400 naming the field (a line
   *     not on the invoice or not a charge, an amount not above zero or with too many decimals,
   *     a reason that says nothing); 409 {@code invoice_not_creditable} (a draft or void
   *     invoice), {@code over_credit} (more than a line, or the invoice, still holds: the line
   *     and what it holds in the details), {@code payment_in_progress} (a collection attempt is
   *     under way at Stripe for the amount due as it was), {@code refund_unavailable} (no
   *     payment at Stripe to refund that much through: {@code refundable} in the details); 422
   *     for a key that issued a note on another invoice, or of other amounts or another refund
   */
  public Issued issue(Connection c, CreditNoteRequest request)
      throws SQLException, CreditNoteRefused {
    Invoice invoice =
        InvoiceRepository.find(c, request.invoiceId(), true)
            .orElseThrow(
                () ->
                    new CreditNoteRefused(
                        CreditNoteRefused.Kind.NOT_FOUND,
                        "not_found",
                        null,
                        "no invoice " + request.invoiceId(),
                        Map.of()));
    if (request.key() != null) {
      Optional<CreditNote> earlier = CreditNoteRows.byKey(c, request.key());
      if (earlier.isPresent()) {
        if (earlier.get().invoiceId() != invoice.id() || !request.asks(earlier.get())) {
          throw keyReused();
        }
        return new Issued(earlier.get(), false, null);
      }
    }
    if (Cause.saysNothing(request.reason())
        || request.reason().length() > Cause.MAX_REASON_LENGTH) {
      throw CreditNoteRefused.invalid(
          "reason", "reason is required (at most " + Cause.MAX_REASON_LENGTH + " characters)");
    }
    if (invoice.status() == InvoiceStatus.DRAFT || invoice.status() == InvoiceStatus.VOID) {
      throw CreditNoteRefused.conflict(
          "invoice_not_creditable",
          "a "
              + invoice.status().value()
              + " invoice has no credit notes: only a finalized one (sent, overdue or paid)",
          Map.of("status", invoice.status().value()));
    }
    Currency currency = invoice.currency();
    Creditable held = Creditable.read(c, invoice.id());
    List<CreditSplit.Part> parts =
        CreditSplit.of(held.lines(), request.lines(), request.amount(), currency);
    BigDecimal amount = sum(parts, CreditSplit.Part::amount, currency);
    BigDecimal tax = sum(parts, CreditSplit.Part::tax, currency);
    BigDecimal total = held.taxBehavior() == TaxBehavior.INCLUSIVE ? amount : amount.add(tax);
    BigDecimal due = invoice.amountDue();
    if (due.signum() > 0 && held.collecting()) {
      throw CreditNoteRefused.conflict(
          "payment_in_progress",
          "a payment of the invoice's amount due is under way at Stripe: issue the note once it"
              + " has succeeded or failed",
          Map.of());
    }
    BigDecimal lowered = total.min(due);
    BigDecimal givenBack = total.subtract(lowered);
    GivenBack.check(held, givenBack, request.refund(), currency);
    boolean refunds = givenBack.signum() > 0 && request.refund() == Refund.PAYMENT_METHOD;
    String number =
        GaplessNumbers.CREDIT_NOTES
            .take(c, request.at().atZone(config.get().billingTimeZone()).getYear(), 1)
            .get(0);
    long id =
        CreditNoteRepository.insert(
            c,
            new CreditNoteRepository.NewNote(
                number,
                invoice.id(),
                invoice.orgId(),
                currency.getCurrencyCode(),
                amount,
                tax,
                total,
                lowered,
                request.refund(),
                request.reason().strip(),
                request.key(),
                request.cause(),
                request.at(),
                refunds || held.mirrored(),
                parts));
    GivenBack.onBalance(c, invoice, id, number, givenBack, request);
    CreditNote note = CreditNoteRows.find(c, id).orElseThrow();
    AuditTrail.record(
        c,
        new AuditEntry(
            request.at(),
            request.cause(),
            invoice.orgId(),
            AuditKinds.CREDIT_NOTE_ISSUED,
            invoice.subject(),
            invoice.audited(),
            note));
    Invoice paid =
        lowered.signum() > 0 && lowered.compareTo(due) == 0
            ? invoices
                .payInTransaction(
                    c,
                    invoice.id(),
                    "settled by credit note " + number,
                    request.at(),
                    request.cause())
                .orElse(null)
            : null;
    return new Issued(note, true, paid);
  }

  /**
   * After the commit of a fresh note: {@code billing.credit_note.issued}, its invoice's {@code
   * billing.invoice.paid} when the note paid it, and its work at Stripe handed on. Nothing for a
   * note answered again for its key.
   */
  public void announce(Issued issued) {
    if (!issued.fresh()) {
      return;
    }
    events.publish(BillingEvents.CREDIT_NOTE_ISSUED, issued.note());
    if (issued.paid() != null) {
      invoices.announce(issued.paid());
    }
    if ("pending".equals(issued.note().stripeStatus())) {
      try {
        toStripe.accept(issued.note().id());
      } catch (RuntimeException e) {
        log.warn(
            "credit note {}: its work at Stripe is left to collect-payments",
            issued.note().creditNoteNumber(),
            e);
      }
    }
  }

  /** The credit note of that id, if there is one. */
  public Optional<CreditNote> find(long id) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return CreditNoteRows.find(c, id);
    }
  }

  private static BigDecimal sum(
      List<CreditSplit.Part> parts,
      Function<CreditSplit.Part, BigDecimal> amount,
      Currency currency) {
    return parts.stream().map(amount).reduce(Money.zero(currency), BigDecimal::add);
  }

  private static CreditNoteRefused keyReused() {
    return new CreditNoteRefused(
        CreditNoteRefused.Kind.KEY_REUSED,
        "idempotency_key_reused",
        null,
        "this key issued another credit note: on another invoice, or of other amounts or refund",
        Map.of());
  }
}

package io.streamspace.billing.creditnotes;

import io.streamspace.billing.audit.Actor;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.corrections.CreditNoteIssuer;
import io.streamspace.billing.creditnotes.CreditNoteRequest.LineCredit;
import io.streamspace.billing.creditnotes.CreditNoteRequest.Refund;
import io.streamspace.billing.credits.Credit;
import io.streamspace.billing.credits.CreditRepository;
import io.streamspace.billing.credits.NewCredit;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.invoicing.InvoiceRepository;
import io.streamspace.billing.invoicing.InvoiceStatus;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The credits a usage correction owes finalized invoices ({@link CreditNoteIssuer}): a note of
 * {@link CreditNotes} for what the invoice still holds of it, keyed by the correction and invoice
 * so that a retry answers the same note, and an account credit (kind {@code correction}) for what
 * it cannot hold, which the organization's next invoices consume. What a note gives back of money
 * already paid goes onto the organization's prepaid balance: a correction is billing's own
 * mistake set right, not a card refund an admin chose. A credit on line 0 (the invoice as a whole)
 * makes the note one amount spread over the invoice's lines. A draft or void invoice, or a payment
 * under way at Stripe, is {@link CreditNoteIssuer.Refused}: the correction's step rolls back, and
 * the credit waits, recorded, for the next resume.
 */
public final class CorrectionCreditNotes implements CreditNoteIssuer {

  private static final String ACTOR = "usage-correction";

  private final CreditNotes notes;
  private final Consumer<Credit> onGranted;
  private final Clock clock;

  // the notes and credits given but not yet committed, for committed() to announce: a
  // rolled-back one is never asked for, and is dropped with its key's next issue
  private final Map<Long, CreditNotes.Issued> uncommitted = new ConcurrentHashMap<>();
  private final Map<Long, Credit> ungranted = new ConcurrentHashMap<>();

  /** @param onGranted told of an account credit once it has committed */
  public CorrectionCreditNotes(CreditNotes notes, Consumer<Credit> onGranted, Clock clock) {
    this.notes = notes;
    this.onGranted = onGranted;
    this.clock = clock;
  }

  @Override
  public Given issue(
      Connection connection,
      long invoiceId,
      Map<Integer, BigDecimal> amountByLine,
      String reason,
      String correctionRef)
      throws SQLException, Refused {
    Cause cause = new Cause(Actor.job(ACTOR), correctionRef, null);
    Invoice invoice = InvoiceRepository.find(connection, invoiceId, true).orElse(null);
    if (invoice == null
        || invoice.status() == InvoiceStatus.DRAFT
        || invoice.status() == InvoiceStatus.VOID) {
      // a void invoice gave everything back: what it owes waits for an admin, pending
      throw new Refused("invoice " + invoiceId + " is not finalized", null);
    }
    Held held = held(Creditable.read(connection, invoiceId), amountByLine);
    Long noteId = null;
    if (held.amount().signum() > 0) {
      noteId = note(connection, invoiceId, held, reason, correctionRef, cause);
    }
    if (held.carried().signum() == 0) {
      return new Given(noteId, BigDecimal.ZERO, null);
    }
    Credit credit =
        CreditRepository.grant(
            connection,
            new NewCredit(
                invoice.orgId(),
                held.carried(),
                invoice.currency(),
                "what "
                    + invoice.invoiceNumber()
                    + " could not hold of "
                    + correctionRef
                    + ": "
                    + reason,
                ACTOR,
                clock.instant(),
                null),
            Credit.CORRECTION,
            cause);
    ungranted.put(credit.id(), credit);
    return new Given(noteId, held.carried(), credit.id());
  }

  /**
   * What of the credit the invoice holds: each line up to what it still holds, or line 0's
   * whole amount up to what all its lines hold; the rest is carried.
   */
  private record Held(List<LineCredit> lines, BigDecimal amount, BigDecimal carried) {}

  private static Held held(Creditable creditable, Map<Integer, BigDecimal> amountByLine) {
    BigDecimal asked = amountByLine.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    if (amountByLine.containsKey(0)) {
      BigDecimal holds =
          creditable.lines().stream()
              .map(Creditable.Line::holds)
              .reduce(BigDecimal.ZERO, BigDecimal::add);
      BigDecimal amount = asked.min(holds);
      return new Held(null, amount, asked.subtract(amount));
    }
    List<LineCredit> lines = new ArrayList<>();
    BigDecimal amount = BigDecimal.ZERO;
    for (Map.Entry<Integer, BigDecimal> e : amountByLine.entrySet()) {
      BigDecimal holds =
          creditable.lines().stream()
              .filter(l -> l.lineNo() == e.getKey())
              .map(Creditable.Line::holds)
              .findFirst()
              .orElse(BigDecimal.ZERO);
      BigDecimal credited = e.getValue().min(holds);
      if (credited.signum() > 0) {
        lines.add(new LineCredit(e.getKey(), credited));
        amount = amount.add(credited);
      }
    }
    return new Held(lines, amount, asked.subtract(amount));
  }

  private long note(
      Connection connection,
      long invoiceId,
      Held held,
      String reason,
      String correctionRef,
      Cause cause)
      throws SQLException, Refused {
    try {
      CreditNotes.Issued issued =
          notes.issue(
              connection,
              new CreditNoteRequest(
                  invoiceId,
                  held.lines(),
                  held.lines() == null ? held.amount() : null,
                  reason,
                  Refund.BALANCE,
                  correctionRef,
                  cause,
                  clock.instant()));
      uncommitted.put(issued.note().id(), issued);
      return issued.note().id();
    } catch (CreditNoteRefused refused) {
      throw new Refused(
          "the credit note " + correctionRef + " was refused: " + refused.getMessage(), refused);
    }
  }

  @Override
  public void committed(Given given) {
    CreditNotes.Issued issued =
        given.creditNoteId() == null ? null : uncommitted.remove(given.creditNoteId());
    if (issued != null) {
      notes.announce(issued);
    }
    Credit credit = given.creditId() == null ? null : ungranted.remove(given.creditId());
    if (credit != null) {
      onGranted.accept(credit);
    }
  }
}

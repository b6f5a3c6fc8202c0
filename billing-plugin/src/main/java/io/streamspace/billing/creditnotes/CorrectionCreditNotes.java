package io.streamspace.billing.creditnotes;

import io.streamspace.billing.audit.Actor;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.corrections.CreditNoteIssuer;
import io.streamspace.billing.creditnotes.CreditNoteRequest.LineCredit;
import io.streamspace.billing.creditnotes.CreditNoteRequest.Refund;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The credit notes a usage correction owes finalized invoices ({@link CreditNoteIssuer}): each a
 * note of {@link CreditNotes}, keyed by the correction and invoice so that a retry answers the
 * same note. What a note gives back of money already paid goes onto the organization's prepaid
 * balance: a correction is billing's own mistake set right, not a card refund an admin chose. A
 * credit on line 0 (the invoice as a whole) makes the note one amount spread over the invoice's
 * lines. A refusal (a line that no longer holds what the correction takes off) is {@link
 * CreditNoteIssuer.Refused}: the correction's step rolls it back, and the credit waits, recorded,
 * for the next resume.
 */
public final class CorrectionCreditNotes implements CreditNoteIssuer {

  private static final String ACTOR = "usage-correction";

  private final CreditNotes notes;
  private final Clock clock;

  // the notes issued but not yet committed, for committed() to announce: a rolled-back one is
  // never asked for, and is dropped with its key's next issue
  private final Map<Long, CreditNotes.Issued> uncommitted = new ConcurrentHashMap<>();

  public CorrectionCreditNotes(CreditNotes notes, Clock clock) {
    this.notes = notes;
    this.clock = clock;
  }

  @Override
  public long issue(
      Connection connection,
      long invoiceId,
      Map<Integer, BigDecimal> amountByLine,
      String reason,
      String correctionRef)
      throws SQLException, Refused {
    boolean whole = amountByLine.containsKey(0);
    List<LineCredit> lines =
        whole
            ? null
            : amountByLine.entrySet().stream()
                .map(e -> new LineCredit(e.getKey(), e.getValue()))
                .toList();
    BigDecimal amount =
        whole ? amountByLine.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add) : null;
    try {
      CreditNotes.Issued issued =
          notes.issue(
              connection,
              new CreditNoteRequest(
                  invoiceId,
                  lines,
                  amount,
                  reason,
                  Refund.BALANCE,
                  correctionRef,
                  new Cause(Actor.job(ACTOR), correctionRef, null),
                  clock.instant()));
      uncommitted.put(issued.note().id(), issued);
      return issued.note().id();
    } catch (CreditNoteRefused refused) {
      throw new Refused(
          "the credit note " + correctionRef + " was refused: " + refused.getMessage(), refused);
    }
  }

  @Override
  public void committed(long creditNoteId) {
    CreditNotes.Issued issued = uncommitted.remove(creditNoteId);
    if (issued != null) {
      notes.announce(issued);
    }
  }
}

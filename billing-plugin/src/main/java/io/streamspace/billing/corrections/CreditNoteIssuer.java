package io.streamspace.billing.corrections;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/**
 * Issues the credit note a correction owes a finalized invoice whose period it made cost less:
 * the port through which corrections use the credit notes (issue 54's other half, {@code
 * io.streamspace.billing.creditnotes}, which implements it). Corrections call it once per
 * correction and invoice, in a transaction of their own that also records the note's id, so it is
 * issued once whatever the retries; where no issuer is wired, what is owed waits, recorded, and
 * is issued by the first resume after one is.
 */
@FunctionalInterface
public interface CreditNoteIssuer {

  /**
   * The credit notes refused the note (a line no longer holds what it credits): nothing was
   * issued, and what is owed waits, pending, for the next resume.
   */
  final class Refused extends Exception {
    public Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Issues a credit note on the finalized invoice, in the caller's transaction (which rolls it
   * back with everything else on a failure), and answers its id.
   *
   * @param amountByLine what is credited, by the invoice's line number, each positive and in the
   *     invoice's currency; line 0 stands for the invoice as a whole (what the correction changed
   *     on no line of it: a line an earlier correction added)
   * @param reason the correction's reason, for the note
   * @param correctionRef names the correction and the invoice ({@code correction:7:invoice:42}):
   *     the same on every call for them, for the issuer's own idempotency (a Stripe refund's key)
   *     should a call be rolled back after it reached out
   * @throws Refused when the credit notes refuse it (the caller rolls its transaction back)
   */
  long issue(
      Connection connection,
      long invoiceId,
      Map<Integer, BigDecimal> amountByLine,
      String reason,
      String correctionRef)
      throws SQLException, Refused;

  /**
   * Told once the transaction that issued note {@code creditNoteId} (and recorded it for the
   * correction) committed: where the issuer tells of it and starts its work outside the database
   * (its event, a Stripe refund). Not told of a note a rollback undid.
   */
  default void committed(long creditNoteId) {}
}

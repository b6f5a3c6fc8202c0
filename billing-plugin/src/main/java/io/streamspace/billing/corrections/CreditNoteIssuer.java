package io.streamspace.billing.corrections;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/**
 * Gives the credit a correction owes a finalized invoice whose period it made cost less: the port
 * through which corrections use the credit notes (issue 54's other half, {@code
 * io.streamspace.billing.creditnotes}, which implements it). A credit note credits what the
 * invoice still holds of it; what it cannot hold (a line an admin's note credited meanwhile, or
 * what earlier corrections charged for a line on later invoices) is carried to an account credit
 * naming the correction, which the organization's next invoices consume. Corrections call it once
 * per correction and invoice, in a transaction of their own that also records what was given, so
 * it is given once whatever the retries; where no issuer is wired, what is owed waits, recorded,
 * and is given by the first resume after one is.
 */
public interface CreditNoteIssuer {

  /**
   * The credit notes refused the note for the invoice as it is (a draft or void one, a payment
   * under way at Stripe): nothing was given, and what is owed waits, pending, for the next resume.
   */
  final class Refused extends Exception {
    public Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * What a credit came to.
   *
   * @param creditNoteId the note for what the invoice held; null when it held none of it
   * @param carried what the invoice could not hold, in the invoice's currency; 0 for none
   * @param creditId the account credit of {@code carried}; null when nothing was carried
   */
  record Given(Long creditNoteId, BigDecimal carried, Long creditId) {}

  /**
   * Gives the credit in the caller's transaction (which rolls it back with everything else on a
   * failure), on the finalized invoice.
   *
   * @param amountByLine what is credited, by the invoice's line number, each positive and in the
   *     invoice's currency; line 0 stands for the invoice as a whole (what the correction changed
   *     on no line of it: a line an earlier correction added)
   * @param reason the correction's reason, for the note and the account credit
   * @param correctionRef names the correction and the invoice ({@code correction:7:invoice:42}):
   *     the same on every call for them, for the issuer's own idempotency (a Stripe refund's key)
   *     should a call be rolled back after it reached out
   * @throws Refused when the credit notes refuse it (the caller rolls its transaction back)
   */
  Given issue(
      Connection connection,
      long invoiceId,
      Map<Integer, BigDecimal> amountByLine,
      String reason,
      String correctionRef)
      throws SQLException, Refused;

  /**
   * Told once the transaction that gave {@code given} (and recorded it for the correction)
   * committed: where the issuer tells of it and starts its work outside the database (its events,
   * a Stripe refund). Not told of what a rollback undid.
   */
  default void committed(Given given) {}
}

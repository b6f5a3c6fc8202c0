package io.streamspace.billing.creditnotes;

import io.streamspace.billing.creditnotes.CreditNoteRequest.Refund;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.MoneyText;
import io.streamspace.billing.prepaid.EntryKind;
import io.streamspace.billing.prepaid.NewEntry;
import io.streamspace.billing.prepaid.PrepaidLedger;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Currency;
import java.util.List;
import java.util.Map;

/**
 * What a note gives back of money already paid (what lowers no amount due), as its request's
 * {@link Refund} says: checked before anything is stored, then given.
 */
final class GivenBack {

  private GivenBack() {}

  /**
   * Refuses a refund through the payment at Stripe of more than it can still give back ({@link
   * Creditable.Payment#refundable}), or of an invoice paid through none.
   */
  static void check(Creditable held, BigDecimal givenBack, Refund refund, Currency currency)
      throws CreditNoteRefused {
    if (givenBack.signum() == 0 || refund != Refund.PAYMENT_METHOD) {
      return;
    }
    BigDecimal refundable =
        held.payment().map(Creditable.Payment::refundable).orElse(BigDecimal.ZERO);
    if (refundable.compareTo(givenBack) < 0) {
      throw CreditNoteRefused.conflict(
          "refund_unavailable",
          (held.payment().isEmpty()
                  ? "the invoice was paid through no payment at Stripe"
                  : "its payment at Stripe can give back " + MoneyText.of(refundable, currency))
              + ": "
              + MoneyText.of(givenBack, currency)
              + " cannot be refunded through it (refund to the balance, or none)",
          Map.of("refundable", Money.shown(refundable.max(BigDecimal.ZERO), currency)));
    }
  }

  /**
   * Gives {@code givenBack} onto the organization's prepaid balance now (a {@code credit_note}
   * entry, source {@code credit_note:<id>}), when the refund says so; a refund through Stripe is
   * sent after the commit, and {@code none} gives nothing.
   */
  static void onBalance(
      Connection c,
      Invoice invoice,
      long noteId,
      String number,
      BigDecimal givenBack,
      CreditNoteRequest request)
      throws SQLException {
    if (givenBack.signum() == 0 || request.refund() != Refund.BALANCE) {
      return;
    }
    PrepaidLedger.post(
        c,
        List.of(
            new NewEntry(
                invoice.orgId(),
                invoice.currency(),
                EntryKind.CREDIT_NOTE,
                givenBack,
                "credit note " + number + " of invoice " + invoice.invoiceNumber(),
                "credit_note:" + noteId,
                invoice.id(),
                request.at(),
                request.cause())));
  }
}

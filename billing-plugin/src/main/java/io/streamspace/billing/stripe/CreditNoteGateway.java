package io.streamspace.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.CreditNote;
import com.stripe.model.Refund;
import com.stripe.net.RequestOptions;
import com.stripe.param.CreditNoteCreateParams;
import com.stripe.param.CreditNoteListParams;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.RefundListParams;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.Optional;

/**
 * The Stripe calls of one of our credit notes: a Refund of the invoice's PaymentIntent (key
 * {@code credit-note-<id>}, metadata {@code credit_note_id}) and the Stripe Credit Note on the
 * Stripe invoice that mirrors ours (key {@code credit-note-<id>-stripe}, metadata {@code
 * credit_note_id}, {@code credit_note_number}, {@code invoice_id}; the reason as its memo). On an
 * open Stripe invoice the Stripe Credit Note lowers what Stripe collects; on a paid one it says
 * how the money went back: {@code refund_amount} (Stripe refunds the invoice's payment) or {@code
 * out_of_band_amount} (our prepaid balance, our own Refund, or none). A retry under the keys
 * never refunds or credits twice; Stripe forgets a key after 24 hours, so a try {@link
 * StripeCustomers#IDEMPOTENCY_WINDOW} or more after the first looks for what an earlier one made
 * by its metadata first. No connection is held here.
 */
public final class CreditNoteGateway {

  /** How a Stripe Credit Note on the mirrored invoice settles its amount. */
  public enum Settlement {
    /** The Stripe invoice is open: the note lowers its amount due. */
    LOWERS_DUE,
    /** It is paid: Stripe refunds the amount through the invoice's payment. */
    REFUND,
    /** It is paid: the money went back outside Stripe's invoice (or not at all). */
    OUT_OF_BAND
  }

  /**
   * What to send for a note, as it is now.
   *
   * @param refundIntent the PaymentIntent to refund {@code refund} through; null for none
   * @param refunded     whether an earlier try's refund is known done
   * @param stripeInvoice the Stripe invoice mirroring ours, for a Stripe Credit Note of {@code
   *     creditNoteAmount}; null for none
   */
  public record Send(
      long creditNoteId,
      String number,
      long invoiceId,
      String reason,
      Currency currency,
      String refundIntent,
      BigDecimal refund,
      boolean refunded,
      String stripeInvoice,
      BigDecimal creditNoteAmount,
      Settlement settlement,
      Instant firstSentAt) {

    String refundKey() {
      return "credit-note-" + creditNoteId;
    }

    String creditNoteKey() {
      return "credit-note-" + creditNoteId + "-stripe";
    }
  }

  /**
   * How a try ended: {@code sent} (all done), {@code failed} (Stripe refused: for an admin) or
   * {@code pending} again when {@code deferred} (Stripe unreachable, no key); whether the refund
   * is done, and the Stripe Credit Note made.
   */
  public record Outcome(
      String state, boolean refunded, String stripeCreditNote, String error, boolean deferred) {}

  private final StripeClients clients;

  public CreditNoteGateway(StripeClients clients) {
    this.clients = clients;
  }

  /**
   * Sends what is left of the note through the job's client, or the interactive one (a person
   * waits on it); never throws for what Stripe answers.
   */
  public Outcome send(Send send, Instant now, boolean interactive) {
    Optional<StripeClient> client = interactive ? clients.interactive() : clients.client();
    if (client.isEmpty()) {
      return new Outcome("pending", send.refunded(), null, "no STRIPE_SECRET_KEY", true);
    }
    StripeClient stripe = client.get();
    boolean forgotten =
        send.firstSentAt() != null
            && !now.isBefore(send.firstSentAt().plus(StripeCustomers.IDEMPOTENCY_WINDOW));
    boolean refunded = send.refunded();
    String made = null;
    try {
      if (send.refundIntent() != null && !refunded) {
        if (!forgotten || !refundedEarlier(stripe, send)) {
          RefundCreateParams refund =
              RefundCreateParams.builder()
                  .setPaymentIntent(send.refundIntent())
                  .setAmount(StripeAmounts.toMinorUnits(send.refund(), send.currency()))
                  .putMetadata("credit_note_id", Long.toString(send.creditNoteId()))
                  .putMetadata("invoice_id", Long.toString(send.invoiceId()))
                  .build();
          StripeRefunds.refundedOnce(stripe, refund, send.refundKey());
        }
        refunded = true;
      }
      if (send.stripeInvoice() != null) {
        Optional<String> earlier = forgotten ? creditedEarlier(stripe, send) : Optional.empty();
        made = earlier.isPresent() ? earlier.get() : creditNote(stripe, send);
      }
      return new Outcome("sent", refunded, made, null, false);
    } catch (InvalidRequestException e) {
      var error = e.getStripeError();
      return new Outcome(
          "failed",
          refunded,
          made,
          error == null ? e.getMessage() : error.getCode() + ": " + error.getMessage(),
          false);
    } catch (IdempotencyException e) {
      return new Outcome("pending", refunded, made, "idempotency_error: " + e.getMessage(), true);
    } catch (StripeException e) {
      return new Outcome(
          "pending",
          refunded,
          made,
          "Stripe unreachable: " + e.getClass().getSimpleName() + " " + e.getMessage(),
          true);
    }
  }

  private static String creditNote(StripeClient stripe, Send send) throws StripeException {
    long amount = StripeAmounts.toMinorUnits(send.creditNoteAmount(), send.currency());
    CreditNoteCreateParams.Builder params =
        CreditNoteCreateParams.builder()
            .setInvoice(send.stripeInvoice())
            .setAmount(amount)
            .setMemo(send.number() + ": " + send.reason())
            .putMetadata("credit_note_id", Long.toString(send.creditNoteId()))
            .putMetadata("credit_note_number", send.number())
            .putMetadata("invoice_id", Long.toString(send.invoiceId()));
    switch (send.settlement()) {
      case REFUND -> params.setRefundAmount(amount);
      case OUT_OF_BAND -> params.setOutOfBandAmount(amount);
      case LOWERS_DUE -> {
        // an open invoice: the note lowers what Stripe collects, nothing to settle
      }
    }
    return stripe
        .v1()
        .creditNotes()
        .create(
            params.build(),
            RequestOptions.builder().setIdempotencyKey(send.creditNoteKey()).build())
        .getId();
  }

  /** Whether an earlier try refunded the note already (a refund carrying its metadata). */
  private static boolean refundedEarlier(StripeClient stripe, Send send) throws StripeException {
    for (Refund refund :
        stripe
            .v1()
            .refunds()
            .list(RefundListParams.builder().setPaymentIntent(send.refundIntent()).build())
            .autoPagingIterable()) {
      if (refund.getMetadata() != null
          && Long.toString(send.creditNoteId())
              .equals(refund.getMetadata().get("credit_note_id"))) {
        return true;
      }
    }
    return false;
  }

  /** The Stripe Credit Note an earlier try made on the invoice, by its metadata. */
  private static Optional<String> creditedEarlier(StripeClient stripe, Send send)
      throws StripeException {
    for (CreditNote note :
        stripe
            .v1()
            .creditNotes()
            .list(CreditNoteListParams.builder().setInvoice(send.stripeInvoice()).build())
            .autoPagingIterable()) {
      if (note.getMetadata() != null
          && Long.toString(send.creditNoteId()).equals(note.getMetadata().get("credit_note_id"))) {
        return Optional.of(note.getId());
      }
    }
    return Optional.empty();
  }
}

package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.payments.Payment;
import io.streamspace.billing.payments.PaymentSuccesses;
import io.streamspace.billing.payments.mirror.StripeInvoiceMirror;
import io.streamspace.billing.payments.webhook.InvoicePayments.Paying;
import io.streamspace.billing.stripe.StripeAmounts;
import io.streamspace.billing.stripe.StripeEvent;
import io.streamspace.common.text.SafeText;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code invoice.paid} and {@code invoice.payment_failed} of a Stripe invoice that mirrors one of
 * ours (metadata {@code invoice_id} naming our invoice of metadata {@code account_id}; any other
 * is logged and changes nothing), in the event's transaction. The payment is kept in {@code
 * billing_payments} under the Stripe invoice's id (in {@code payment_intent_id}: one row per
 * Stripe invoice, as one per PaymentIntent). Paid: recorded as a PaymentIntent's success is
 * ({@link PaymentSuccesses}: the invoice paid, a lock lifted, {@code billing.invoice.paid} once;
 * another amount or currency recorded {@code amount_mismatch}, the invoice left open). Failed:
 * recorded, {@code billing.payment.failed} published, the invoice left to our dunning (overdue at
 * its due date, locked after paymentGraceDays) while Stripe retries. A success is final: a
 * failure after it changes nothing; of two failures the later at Stripe is kept.
 */
final class StripeInvoiceEvents {

  static final String PAID = "invoice.paid";
  static final String PAYMENT_FAILED = "invoice.payment_failed";

  private static final Logger log = LoggerFactory.getLogger(StripeInvoiceEvents.class);

  private final PaymentSuccesses successes;
  private final Consumer<Payment> paymentFailed;
  private final StripeInvoiceMirror mirror;

  StripeInvoiceEvents(
      PaymentSuccesses successes, Consumer<Payment> paymentFailed, StripeInvoiceMirror mirror) {
    this.successes = successes;
    this.paymentFailed = paymentFailed;
    this.mirror = mirror;
  }

  void paid(Connection c, StripeEvent event, Instant now, List<Runnable> after)
      throws SQLException {
    Optional<Paying> paying = InvoicePayments.paying(c, event, "amount_paid");
    if (paying.isEmpty()) {
      return;
    }
    // what the Stripe invoice was to collect: our total, or less when a Stripe Subscription
    // collects the plan fee (and a credit beyond the rest stays with Stripe as a balance); less
    // what Stripe Credit Notes took off it before the payment, as Stripe says: a note's Stripe
    // Credit Note that reached it after Stripe collected (or that Stripe refused) took nothing
    // off what the customer was asked. Our own figure when the event does not say
    InvoicePayments.Payable ours = paying.get().invoice();
    Long creditedAtStripe = event.number("pre_payment_credit_notes_amount");
    BigDecimal creditedBefore =
        creditedAtStripe == null
            ? ours.creditedDue()
            : StripeAmounts.fromMinorUnits(creditedAtStripe, ours.currency());
    BigDecimal collected =
        mirror
            .amountOf(c, ours.invoiceId())
            .map(asked -> asked.subtract(creditedBefore).max(BigDecimal.ZERO))
            .orElse(ours.total());
    Paying expected =
        new Paying(
            new InvoicePayments.Payable(
                ours.invoiceId(), ours.orgId(), ours.currency(), collected, ours.creditedDue()),
            received(event, paying.get()),
            paying.get().currency());
    // the charge is on the Stripe invoice's payment, not in the event
    InvoicePayments.recordSuccess(successes, c, event, expected, null, now, after);
    mirror.paid(c, paying.get().invoice().invoiceId(), event.text("id"), event.created(), now);
  }

  /**
   * What paid the Stripe invoice: {@code amount_paid} (the card's part) and the customer balance
   * Stripe applied first ({@code ending_balance − starting_balance}: a mirror whose credits
   * exceeded the rest left a negative balance, which the next invoice takes), at least 0 (an
   * invoice of a negative total, which only fed that balance, was paid 0).
   */
  private static BigDecimal received(StripeEvent event, Paying paying) {
    Long starting = event.number("starting_balance");
    Long ending = event.number("ending_balance");
    BigDecimal fromBalance =
        starting == null || ending == null
            ? BigDecimal.ZERO
            : StripeAmounts.fromMinorUnits(ending - starting, paying.currency());
    return paying.amount().add(fromBalance).max(BigDecimal.ZERO);
  }

  void failed(Connection c, StripeEvent event, Instant now, List<Runnable> after)
      throws SQLException {
    Optional<Paying> paying = InvoicePayments.paying(c, event, "amount_due");
    if (paying.isEmpty()) {
      return;
    }
    long invoice = paying.get().invoice().invoiceId();
    String code = failureCode(event);
    String reason = failureReason(event);
    Optional<Payment> recorded =
        InvoicePayments.recordFailure(c, event, paying.get(), code, reason, now);
    if (recorded.isEmpty()) {
      log.info(
          "Stripe event {}: invoice {} of ours paid already, or a later failure is kept",
          SafeText.forLog(event.id()),
          invoice);
      return;
    }
    mirror.failed(c, invoice, event.text("id"), code + ": " + reason, event.created(), now);
    after.add(() -> paymentFailed.accept(recorded.get()));
  }

  /**
   * Stripe's code: the finalization error's when Stripe could not finalize it, else the charge
   * failure Stripe tells of in the invoice (none in the invoice object since 2025-03-31: the
   * payment is a separate object), else {@code invoice_payment_failed}.
   */
  private static String failureCode(StripeEvent event) {
    String finalization = event.text("last_finalization_error/code");
    return finalization != null ? finalization : "invoice_payment_failed";
  }

  /** Stripe's message of the failure, or what the invoice says of its attempts. */
  private static String failureReason(StripeEvent event) {
    String finalization = event.text("last_finalization_error/message");
    if (finalization != null) {
      return finalization;
    }
    Long attempts = event.number("attempt_count");
    Long next = event.number("next_payment_attempt");
    return "Stripe could not collect %s (attempt %s)%s"
        .formatted(
            event.text("id"),
            attempts == null ? "?" : attempts,
            next == null ? "; no further attempt" : "; next " + Instant.ofEpochSecond(next));
  }
}

package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.payments.Payment;
import io.streamspace.billing.payments.PaymentSuccesses;
import io.streamspace.billing.payments.collection.StripeCollections;
import io.streamspace.billing.payments.topup.AutoTopUps;
import io.streamspace.billing.payments.webhook.InvoicePayments.Paying;
import io.streamspace.billing.stripe.StripeEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A PaymentIntent of one of our invoices (metadata {@code invoice_id}) that succeeded or failed,
 * in the event's transaction: its payment recorded ({@link InvoicePayments}), the invoice paid
 * or the failure published after the commit. A failure of a PaymentIntent the collection queue
 * sent queues the invoice's next attempt ({@link StripeCollections}). An auto top-up's
 * PaymentIntent (metadata {@code top_up_id}) is its own: {@link AutoTopUps}.
 */
final class PaymentIntentEvents {

  static final String SUCCEEDED = "payment_intent.succeeded";
  static final String FAILED = "payment_intent.payment_failed";

  private final PaymentSuccesses successes;
  private final Consumer<Payment> paymentFailed;
  private final StripeCollections collections;
  private final AutoTopUps autoTopUps;

  PaymentIntentEvents(
      PaymentSuccesses successes,
      Consumer<Payment> paymentFailed,
      StripeCollections collections,
      AutoTopUps autoTopUps) {
    this.successes = successes;
    this.paymentFailed = paymentFailed;
    this.collections = collections;
    this.autoTopUps = autoTopUps;
  }

  void succeeded(Connection c, StripeEvent event, Instant now, List<Runnable> after)
      throws SQLException {
    if (AutoTopUps.isTopUp(event)) {
      autoTopUps.succeededAtStripe(c, event, now, after);
      return;
    }
    Optional<Paying> paying = InvoicePayments.paying(c, event, "amount_received");
    if (paying.isPresent()) {
      InvoicePayments.recordSuccess(
          successes, c, event, paying.get(), event.text("latest_charge"), now, after);
    }
  }

  void failed(Connection c, StripeEvent event, Instant now, List<Runnable> after)
      throws SQLException {
    if (AutoTopUps.isTopUp(event)) {
      autoTopUps.failedAtStripe(c, event, now, after);
      return;
    }
    Optional<Paying> paying = InvoicePayments.paying(c, event, "amount");
    if (paying.isEmpty()) {
      return;
    }
    Optional<Payment> recorded =
        InvoicePayments.recordFailure(
            c,
            event,
            paying.get(),
            failureCode(event),
            event.text("last_payment_error/message"),
            now);
    if (recorded.isPresent()) {
      after.add(() -> paymentFailed.accept(recorded.get()));
      retryLater(c, event, paying.get().invoice().invoiceId(), now);
    }
  }

  /** A PaymentIntent the collection queue sent (metadata {@code attempt}): its next attempt. */
  private void retryLater(Connection c, StripeEvent event, long invoiceId, Instant now)
      throws SQLException {
    String attempt = event.text("metadata/attempt");
    if (attempt == null || !attempt.matches("[1-9][0-9]{0,8}")) {
      return;
    }
    String message = event.text("last_payment_error/message");
    String code = event.text("last_payment_error/code");
    String why =
        (code == null ? "" : code + ": ") + (message == null ? "payment declined" : message);
    collections.declinedLater(c, invoiceId, Integer.parseInt(attempt), event.text("id"), why, now);
  }

  private static String failureCode(StripeEvent event) {
    String decline = event.text("last_payment_error/decline_code");
    return decline != null ? decline : event.text("last_payment_error/code");
  }
}

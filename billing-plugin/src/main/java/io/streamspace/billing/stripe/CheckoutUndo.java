package io.streamspace.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Subscription;
import com.stripe.net.RequestOptions;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.SubscriptionCancelParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Gives back at Stripe what a refused Checkout took. A Subscription a refused plan Checkout
 * started is cancelled at once, with no proration (nothing is owed either way), then the payment
 * of its first invoice, the one the Checkout took, refunded in full; a pack's or store item's
 * payment that could not be granted is refunded in full. Each call carries an idempotency key
 * derived from the session, so a retry (the webhook redelivered after a failure) cancels and
 * refunds once; a subscription cancelled or a payment refunded already (in the Dashboard, or by a
 * try whose commit failed) counts as done.
 */
public final class CheckoutUndo {

  private final StripeClients clients;

  public CheckoutUndo(StripeClients clients) {
    this.clients = clients;
  }

  /**
   * Cancels the subscription and refunds its first invoice.
   *
   * @param invoiceId the invoice the Checkout Session paid, or null to take the subscription's
   *     latest
   * @return what was done, in words an admin reads
   * @throws StripeFailure when Stripe refused or could not be reached
   * @throws IllegalStateException when the host holds no Stripe secret key
   */
  public String cancelAndRefund(String subscriptionId, String invoiceId, String sessionId)
      throws StripeFailure {
    StripeClient stripe = stripe();
    return StripeFailure.calling(
        () -> cancelAndRefund(stripe, subscriptionId, invoiceId, sessionId));
  }

  private static String cancelAndRefund(
      StripeClient stripe, String subscriptionId, String invoiceId, String sessionId)
      throws StripeException {
    String invoice = invoiceId;
    List<String> done = new ArrayList<>();
    try {
      Subscription cancelled =
          stripe
              .v1()
              .subscriptions()
              .cancel(
                  subscriptionId,
                  SubscriptionCancelParams.builder().setProrate(false).build(),
                  key("ss-refused-" + sessionId + "-cancel"));
      invoice = invoice == null ? cancelled.getLatestInvoice() : invoice;
      done.add("subscription " + subscriptionId + " cancelled");
    } catch (StripeException e) {
      if (!"resource_missing".equals(e.getCode())) {
        throw e;
      }
      done.add("subscription " + subscriptionId + " cancelled already");
    }
    done.add(refunded(stripe, invoice, sessionId));
    return String.join("; ", done);
  }

  /**
   * Refunds in full the payment a payment-mode session took.
   *
   * @param paymentIntent the session's PaymentIntent; null when it took nothing
   * @param amount what it took, in minor units of {@code currency} (as the session says), for
   *     the words only: the refund is of what the payment has not had refunded yet
   * @return what was done, in words an admin reads
   * @throws StripeFailure when Stripe refused or could not be reached
   * @throws IllegalStateException when the host holds no Stripe secret key
   */
  public String refundPayment(String paymentIntent, Long amount, String currency, String sessionId)
      throws StripeFailure {
    if (paymentIntent == null) {
      return "no payment: nothing to refund";
    }
    StripeClient stripe = stripe();
    return StripeFailure.calling(
        () -> {
          refund(stripe, paymentIntent, sessionId);
          return "payment %s refunded in full (it took %d %s)"
              .formatted(paymentIntent, amount, currency);
        });
  }

  private StripeClient stripe() {
    return clients
        .client()
        .orElseThrow(() -> new IllegalStateException("no Stripe secret key: cannot refund"));
  }

  /** Refunds the whole payment under the session's key; refunded already counts as done. */
  private static void refund(StripeClient stripe, String paymentIntent, String sessionId)
      throws StripeException {
    StripeRefunds.refundedOnce(
        stripe,
        RefundCreateParams.builder().setPaymentIntent(paymentIntent).build(),
        "ss-refused-" + sessionId + "-refund");
  }

  private static String refunded(StripeClient stripe, String invoiceId, String sessionId)
      throws StripeException {
    if (invoiceId == null) {
      return "no invoice: nothing to refund";
    }
    Optional<PaidInvoice> paid = PaidInvoice.of(stripe, invoiceId);
    if (paid.isEmpty()) {
      return "invoice " + invoiceId + " took nothing: nothing to refund";
    }
    refund(stripe, paid.get().paymentIntent(), sessionId);
    return "payment %s of invoice %s refunded in full (%d %s)"
        .formatted(
            paid.get().paymentIntent(), invoiceId, paid.get().amountPaid(), paid.get().currency());
  }

  private static RequestOptions key(String idempotencyKey) {
    return RequestOptions.builder().setIdempotencyKey(idempotencyKey).build();
  }
}

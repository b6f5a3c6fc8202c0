package io.streamspace.billing.payments.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Invoice;
import com.stripe.model.InvoicePayment;
import com.stripe.model.Subscription;
import com.stripe.net.RequestOptions;
import com.stripe.param.InvoiceRetrieveParams;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.SubscriptionCancelParams;
import java.util.ArrayList;
import java.util.List;

/**
 * Undoes at Stripe a Subscription a refused plan Checkout started: cancels it at once, with no
 * proration (nothing is owed either way), then refunds in full the payment of its first invoice,
 * the one the Checkout took. Each call carries an idempotency key derived from the session, so a
 * retry (the webhook redelivered after a failure) cancels and refunds once; a subscription
 * cancelled or a payment refunded already (in the Dashboard, or by a try whose commit failed)
 * counts as done.
 */
public final class SubscriptionUndo {

  private final StripeClients clients;

  public SubscriptionUndo(StripeClients clients) {
    this.clients = clients;
  }

  /**
   * Cancels the subscription and refunds its first invoice.
   *
   * @param invoiceId the invoice the Checkout Session paid, or null to take the subscription's
   *     latest
   * @return what was done, in words an admin reads
   * @throws StripeException when Stripe refused or could not be reached
   * @throws IllegalStateException when the host holds no Stripe secret key
   */
  public String cancelAndRefund(String subscriptionId, String invoiceId, String sessionId)
      throws StripeException {
    StripeClient stripe =
        clients
            .client()
            .orElseThrow(() -> new IllegalStateException("no Stripe secret key: cannot refund"));
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

  private static String refunded(StripeClient stripe, String invoiceId, String sessionId)
      throws StripeException {
    if (invoiceId == null) {
      return "no invoice: nothing to refund";
    }
    Invoice invoice =
        stripe
            .v1()
            .invoices()
            .retrieve(invoiceId, InvoiceRetrieveParams.builder().addExpand("payments").build());
    String intent = null;
    if (invoice.getPayments() != null) {
      for (InvoicePayment payment : invoice.getPayments().getData()) {
        if ("paid".equals(payment.getStatus()) && payment.getPayment() != null) {
          intent = payment.getPayment().getPaymentIntent();
        }
      }
    }
    if (intent == null || invoice.getAmountPaid() == null || invoice.getAmountPaid() == 0) {
      return "invoice " + invoiceId + " took nothing: nothing to refund";
    }
    try {
      stripe
          .v1()
          .refunds()
          .create(
              RefundCreateParams.builder().setPaymentIntent(intent).build(),
              key("ss-refused-" + sessionId + "-refund"));
    } catch (StripeException e) {
      if (!StripeRefunds.ALREADY_REFUNDED.equals(e.getCode())) {
        throw e;
      }
    }
    return "payment %s of invoice %s refunded in full (%d %s)"
        .formatted(intent, invoiceId, invoice.getAmountPaid(), invoice.getCurrency());
  }

  private static RequestOptions key(String idempotencyKey) {
    return RequestOptions.builder().setIdempotencyKey(idempotencyKey).build();
  }
}

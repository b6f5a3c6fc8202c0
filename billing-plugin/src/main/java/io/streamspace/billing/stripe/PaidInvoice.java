package io.streamspace.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Invoice;
import com.stripe.model.InvoicePayment;
import com.stripe.param.InvoiceRetrieveParams;
import java.util.Optional;

/**
 * The payment that paid a Stripe invoice, as Stripe's 2025+ API shows it: the invoice's {@code
 * payments}, the paid one's PaymentIntent, and what the invoice took in Stripe's minor units.
 */
record PaidInvoice(String invoiceId, String paymentIntent, long amountPaid, String currency) {

  /** The invoice's paid payment; empty when it took nothing (an invoice of 0, a trial's). */
  static Optional<PaidInvoice> of(StripeClient stripe, String invoiceId) throws StripeException {
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
      return Optional.empty();
    }
    return Optional.of(
        new PaidInvoice(invoiceId, intent, invoice.getAmountPaid(), invoice.getCurrency()));
  }
}

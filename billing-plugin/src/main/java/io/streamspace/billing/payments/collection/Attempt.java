package io.streamspace.billing.payments.collection;

import io.streamspace.billing.invoicing.InvoiceStatus;
import io.streamspace.billing.stripe.CollectionGateway;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;

/**
 * A claimed collection attempt (its lease: {@code tries}, as the claim left it), what it charges
 * and whom: the invoice as it is now, the method and amount its first try chose and when that was
 * sent (null before), the account's Stripe customer and the default the webhook keeps for it.
 */
record Attempt(
    long invoiceId,
    int number,
    int tries,
    String orgId,
    InvoiceStatus invoiceStatus,
    BigDecimal total,
    Currency currency,
    Instant finalizedAt,
    String chosenMethod,
    Long chosenAmount,
    Instant firstSentAt,
    String customer,
    String customerDefault) {

  /** The try the gateway sends Stripe. */
  CollectionGateway.Charge charge() {
    return new CollectionGateway.Charge(
        CollectionGateway.Purpose.invoice(invoiceId, number),
        orgId,
        total,
        currency,
        customer,
        customerDefault,
        chosenMethod,
        chosenAmount,
        firstSentAt);
  }
}

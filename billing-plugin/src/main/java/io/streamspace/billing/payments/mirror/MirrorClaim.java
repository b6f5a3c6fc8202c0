package io.streamspace.billing.payments.mirror;

import io.streamspace.billing.invoicing.InvoiceStatus;
import io.streamspace.billing.payments.stripe.InvoiceMirrorGateway;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;

/**
 * A claimed mirror row (its lease: {@code attempts}, as the claim left it) and our invoice as it
 * is now: its number, status, total and lines (credits among them, negative), and the account's
 * Stripe customer (null when it has none yet).
 */
record MirrorClaim(
    long invoiceId,
    int attempts,
    Instant firstSentAt,
    String accountId,
    String invoiceNumber,
    InvoiceStatus invoiceStatus,
    Currency currency,
    BigDecimal total,
    String customer,
    List<MirroredLines.Line> lines) {

  /** What the gateway sends, for {@code customer}. */
  InvoiceMirrorGateway.Mirror mirror(String customer) {
    return new InvoiceMirrorGateway.Mirror(
        invoiceId,
        invoiceNumber,
        accountId,
        currency,
        total,
        customer,
        MirroredLines.of(lines),
        firstSentAt);
  }
}

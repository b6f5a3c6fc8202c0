package io.streamspace.billing.payments.mirror;

import io.streamspace.billing.invoicing.InvoiceStatus;
import io.streamspace.billing.stripe.InvoiceMirrorGateway;
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
    String orgId,
    String invoiceNumber,
    InvoiceStatus invoiceStatus,
    Currency currency,
    BigDecimal total,
    String customer,
    String subscriptionId,
    Instant subscribedFrom,
    List<MirroredLines.Line> lines) {

  /** The items of the Stripe invoice ({@link MirroredLines}). */
  List<InvoiceMirrorGateway.Item> items() {
    return MirroredLines.of(lines, subscriptionId, subscribedFrom);
  }

  /**
   * Whether its Stripe invoice hands credit back: a Stripe Subscription charges the plan fee and
   * the credits applied exceed the rest (the items' sum is negative), so Stripe keeps the
   * difference as the customer's balance, which its next invoice (the subscription's) uses.
   * Such an invoice is mirrored even once paid: by those credits, its total 0.
   */
  boolean handsCreditBack() {
    return subscriptionId != null && MirroredLines.total(items()).signum() < 0;
  }

  /** What Stripe is to collect: the items' sum, at least 0. */
  BigDecimal collected() {
    return MirroredLines.total(items()).max(BigDecimal.ZERO);
  }

  /** What the gateway sends, for {@code customer}: the items, checked against their sum. */
  InvoiceMirrorGateway.Mirror mirror(String customer) {
    List<InvoiceMirrorGateway.Item> items = items();
    return new InvoiceMirrorGateway.Mirror(
        invoiceId,
        invoiceNumber,
        orgId,
        currency,
        MirroredLines.total(items),
        customer,
        items,
        firstSentAt);
  }
}

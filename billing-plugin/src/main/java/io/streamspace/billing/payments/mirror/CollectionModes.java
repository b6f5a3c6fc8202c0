package io.streamspace.billing.payments.mirror;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.StripeCollection;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.invoicing.InvoiceFinalizer.OnFinalized;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Hands a just-finalized invoice to the collection config {@code stripeCollection} names at the
 * moment it is finalized: the PaymentIntent queue or the Stripe invoice mirror. Only new
 * invoices follow a change of the key: what either queue holds already finishes the way it
 * started (the collect-payments job works off both queues in either mode).
 */
public final class CollectionModes implements OnFinalized {

  private final OnFinalized paymentIntents;
  private final OnFinalized stripeInvoices;
  private final Supplier<BillingConfig> config;

  public CollectionModes(
      OnFinalized paymentIntents, OnFinalized stripeInvoices, Supplier<BillingConfig> config) {
    this.paymentIntents = paymentIntents;
    this.stripeInvoices = stripeInvoices;
    this.config = config;
  }

  @Override
  public void finalized(Connection connection, Invoice invoice) throws SQLException {
    finalizedAll(connection, List.of(invoice));
  }

  @Override
  public void finalizedAll(Connection connection, List<Invoice> invoices) throws SQLException {
    if (config.get().stripeCollection() == StripeCollection.STRIPE_INVOICES) {
      stripeInvoices.finalizedAll(connection, invoices);
      return;
    }
    // back on payment_intents, a Stripe Subscription started before still charges its plan fee
    // (until cancelled): a PaymentIntent for the whole invoice would charge that fee twice, so its
    // organization's invoices stay mirrored, which leaves the fee to the subscription
    Set<Long> subscribed = MirrorRepository.subscribed(connection, invoices);
    if (!subscribed.isEmpty()) {
      stripeInvoices.finalizedAll(
          connection, invoices.stream().filter(i -> subscribed.contains(i.id())).toList());
    }
    paymentIntents.finalizedAll(
        connection, invoices.stream().filter(i -> !subscribed.contains(i.id())).toList());
  }
}

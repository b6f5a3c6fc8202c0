package io.streamspace.billing.payments.collection;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.invoicing.InvoiceFinalizer.OnFinalized;
import io.streamspace.billing.invoicing.InvoiceStatus;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.stripe.StripeAmounts;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes on to Stripe collection only the invoices in a currency Stripe charges every amount of
 * ({@link StripeAmounts#chargesEveryAmount}). The config refuses the others while stripeEnabled,
 * but an account may have opened in one before (its {@code user.created} asked for BHD while BHD
 * was supported): its invoices are left {@code sent} for the admin to collect otherwise, each
 * said in one warning, rather than be charged a rounded amount or fail attempt after attempt.
 */
public final class CollectableCurrencies implements OnFinalized {

  private static final Logger log = LoggerFactory.getLogger(CollectableCurrencies.class);

  private final OnFinalized collection;
  private final Supplier<BillingConfig> config;

  public CollectableCurrencies(OnFinalized collection, Supplier<BillingConfig> config) {
    this.collection = collection;
    this.config = config;
  }

  @Override
  public void finalized(Connection connection, Invoice invoice) throws SQLException {
    finalizedAll(connection, List.of(invoice));
  }

  /** The chunk's invoices in a collectable currency passed on together; the others warned of. */
  @Override
  public void finalizedAll(Connection connection, List<Invoice> invoices) throws SQLException {
    collection.finalizedAll(
        connection,
        invoices.stream().filter(i -> StripeAmounts.chargesEveryAmount(i.currency())).toList());
    for (Invoice invoice : invoices) {
      if (!StripeAmounts.chargesEveryAmount(invoice.currency())) {
        warnUncollectable(invoice);
      }
    }
  }

  private void warnUncollectable(Invoice invoice) {
    if (config.get().stripeEnabled() && invoice.status() == InvoiceStatus.SENT) {
      log.warn(
          "invoice {} of {} not queued for collection through Stripe: its currency {} has {}"
              + " decimals, Stripe takes {}; collect it otherwise",
          invoice.id(),
          invoice.orgId(),
          invoice.currency().getCurrencyCode(),
          Money.minorDigits(invoice.currency()),
          StripeAmounts.decimals(invoice.currency()));
    }
  }
}

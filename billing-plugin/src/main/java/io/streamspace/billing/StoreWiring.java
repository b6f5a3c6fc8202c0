package io.streamspace.billing;

import io.streamspace.billing.account.Memberships;
import io.streamspace.billing.http.CreatorStatementRoutes;
import io.streamspace.billing.http.ReadOnlyLock;
import io.streamspace.billing.http.StorePurchaseRoutes;
import io.streamspace.billing.http.StoreRoutes;
import io.streamspace.billing.payments.stripe.StripeClients;
import io.streamspace.billing.payments.stripe.StripeRefunds;
import io.streamspace.billing.store.StoreItems;
import io.streamspace.billing.store.bundle.BundleInspector;
import io.streamspace.billing.store.bundle.BundleLimits;
import io.streamspace.billing.store.purchase.StorePurchases;
import io.streamspace.billing.store.sales.CreatorStatements;
import io.streamspace.billing.store.sales.StoreRevenue;
import io.streamspace.billing.store.sales.StoreSales;

/**
 * The add-on store: creators' theme bundles, checked, reviewed and listed; organizations buy
 * them, paid on their invoices or through Stripe Checkout (refunded there), each sale shared with
 * its creator on the creators' ledger; creators' statements and the admin's revenue of the store.
 */
final class StoreWiring {

  private StoreWiring() {}

  /** Returns the purchases, which Stripe Checkout's webhook completes for items paid there. */
  static StorePurchases wire(Wiring wiring, ReadOnlyLock readOnlyLock, StripeClients stripe) {
    StorePurchases purchases =
        new StorePurchases(
            wiring.dataSource(),
            new StoreSales(wiring.config(), wiring.clock()),
            new StripeRefunds(stripe),
            wiring.events());
    new StoreRoutes(
            new StoreItems(wiring.dataSource()),
            new BundleInspector(BundleLimits.defaults()),
            wiring.clock())
        .register(wiring.routes());
    new StorePurchaseRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            new Memberships(wiring.dataSource()),
            purchases,
            readOnlyLock,
            wiring.clock())
        .register(wiring.routes());
    new CreatorStatementRoutes(
            wiring.dataSource(),
            new CreatorStatements(wiring.config(), wiring.clock()),
            new StoreRevenue(),
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
    return purchases;
  }
}

package io.streamspace.billing;

import io.streamspace.billing.account.Memberships;
import io.streamspace.billing.http.ReadOnlyLock;
import io.streamspace.billing.http.StorePurchaseRoutes;
import io.streamspace.billing.http.StoreRoutes;
import io.streamspace.billing.store.StoreItems;
import io.streamspace.billing.store.bundle.BundleInspector;
import io.streamspace.billing.store.bundle.BundleLimits;
import io.streamspace.billing.store.purchase.CreatorLedger;
import io.streamspace.billing.store.purchase.StorePurchases;

/**
 * The add-on store: creators' theme bundles, checked, reviewed and listed; organizations buy
 * them, paid on their invoices.
 */
final class StoreWiring {

  private StoreWiring() {}

  static void wire(Wiring wiring, ReadOnlyLock readOnlyLock) {
    new StoreRoutes(
            new StoreItems(wiring.dataSource()),
            new BundleInspector(BundleLimits.defaults()),
            wiring.clock())
        .register(wiring.routes());
    new StorePurchaseRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            new Memberships(wiring.dataSource()),
            new StorePurchases(wiring.dataSource(), CreatorLedger.NONE, wiring.events()),
            readOnlyLock,
            wiring.clock())
        .register(wiring.routes());
  }
}

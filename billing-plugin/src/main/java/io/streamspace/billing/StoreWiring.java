package io.streamspace.billing;

import io.streamspace.billing.http.CreatorStatementRoutes;
import io.streamspace.billing.http.StoreRoutes;
import io.streamspace.billing.store.StoreItems;
import io.streamspace.billing.store.bundle.BundleInspector;
import io.streamspace.billing.store.bundle.BundleLimits;
import io.streamspace.billing.store.sales.CreatorStatements;
import io.streamspace.billing.store.sales.StoreRevenue;

/**
 * The add-on store: creators' theme bundles, checked, reviewed and listed; creators' statements
 * and the admin's revenue of the store.
 */
final class StoreWiring {

  private StoreWiring() {}

  static void wire(Wiring wiring) {
    new StoreRoutes(
            new StoreItems(wiring.dataSource()),
            new BundleInspector(BundleLimits.defaults()),
            wiring.clock())
        .register(wiring.routes());
    new CreatorStatementRoutes(
            wiring.dataSource(),
            new CreatorStatements(wiring.config(), wiring.clock()),
            new StoreRevenue(),
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
  }
}

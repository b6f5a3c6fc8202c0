package io.streamspace.billing;

import io.streamspace.billing.http.StorePreviewRoutes;
import io.streamspace.billing.http.StoreRoutes;
import io.streamspace.billing.store.StoreItems;
import io.streamspace.billing.store.StorePreviews;
import io.streamspace.billing.store.bundle.BundleInspector;
import io.streamspace.billing.store.bundle.BundleLimits;

/** The add-on store: creators' theme bundles, checked, reviewed and listed, with previews. */
final class StoreWiring {

  private StoreWiring() {}

  static void wire(Wiring wiring) {
    new StoreRoutes(
            new StoreItems(wiring.dataSource()),
            new BundleInspector(BundleLimits.defaults()),
            wiring.clock())
        .register(wiring.routes());
    new StorePreviewRoutes(new StorePreviews(wiring.dataSource())).register(wiring.routes());
  }
}

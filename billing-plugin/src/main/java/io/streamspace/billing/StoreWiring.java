package io.streamspace.billing;

import io.streamspace.billing.http.PayoutRoutes;
import io.streamspace.billing.http.StoreRoutes;
import io.streamspace.billing.jobs.PayCreatorsJob;
import io.streamspace.billing.payments.stripe.StripeClients;
import io.streamspace.billing.store.StoreItems;
import io.streamspace.billing.store.bundle.BundleInspector;
import io.streamspace.billing.store.bundle.BundleLimits;
import io.streamspace.billing.store.payout.CreatorPayouts;
import io.streamspace.billing.store.payout.PayoutsDue;

/**
 * The add-on store: creators' theme bundles, checked, reviewed and listed; creators' payouts
 * through Stripe Connect transfers (the pay-creators job, scheduled), what is due read from
 * {@code payoutsDue}.
 */
final class StoreWiring {

  private StoreWiring() {}

  static void wire(Wiring wiring, PayoutsDue payoutsDue, StripeClients clients) {
    new StoreRoutes(
            new StoreItems(wiring.dataSource()),
            new BundleInspector(BundleLimits.defaults()),
            wiring.clock())
        .register(wiring.routes());
    CreatorPayouts payouts =
        new CreatorPayouts(
            wiring.dataSource(), payoutsDue, clients, wiring.config(), wiring.clock());
    new PayoutRoutes(payouts).register(wiring.routes());
    new PayCreatorsJob(payouts, wiring.config()).scheduleOn(wiring.scheduler());
  }
}

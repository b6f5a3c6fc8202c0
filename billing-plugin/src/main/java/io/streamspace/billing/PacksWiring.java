package io.streamspace.billing;

import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.http.PackRoutes;
import io.streamspace.billing.http.ReadOnlyLock;
import io.streamspace.billing.packs.PackPurchases;
import io.streamspace.billing.packs.Purchase;
import java.util.function.Consumer;

/** Capacity packs bought, renewed and cancelled, each purchase announced once committed. */
final class PacksWiring {

  private PacksWiring() {}

  /** Returns the purchases, which the Stripe webhook completes for packs bought at checkout. */
  static PackPurchases wire(
      Wiring wiring, ReadOnlyLock readOnlyLock, Consumer<Purchase> changedHere) {
    PackPurchases packs =
        new PackPurchases(
            wiring.dataSource(),
            purchase -> wiring.events().publish(BillingEvents.PACK_PURCHASED, purchase),
            changedHere);
    new PackRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            packs,
            readOnlyLock,
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
    return packs;
  }
}

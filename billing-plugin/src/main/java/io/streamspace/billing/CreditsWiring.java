package io.streamspace.billing;

import io.streamspace.billing.credits.CreditGrants;
import io.streamspace.billing.credits.CreditRepository;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.http.CreditRoutes;

/** Credits granted by admins and their balance, each grant announced once it has committed. */
final class CreditsWiring {

  private CreditsWiring() {}

  static void wire(Wiring wiring) {
    CreditRepository credits = new CreditRepository(wiring.dataSource());
    new CreditRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            credits,
            new CreditGrants(
                credits, credit -> wiring.events().publish(BillingEvents.CREDIT_GRANTED, credit)),
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
  }
}

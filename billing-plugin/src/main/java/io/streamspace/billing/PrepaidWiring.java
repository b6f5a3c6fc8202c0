package io.streamspace.billing;

import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.http.BalanceRoutes;
import io.streamspace.billing.prepaid.BalanceGrants;
import io.streamspace.billing.prepaid.PrepaidLedger;

/**
 * Prepaid balances: an admin's grants, each announced once it has committed, and the balance's
 * statement. (Invoices pay from the balance as they are finalized: the invoicing's own step.)
 */
final class PrepaidWiring {

  private PrepaidWiring() {}

  /** Serves the balance's routes; answers the ledger, which live cost reads the balance from. */
  static PrepaidLedger wire(Wiring wiring) {
    PrepaidLedger ledger = new PrepaidLedger(wiring.dataSource());
    new BalanceRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            ledger,
            new BalanceGrants(
                ledger, change -> wiring.events().publish(BillingEvents.BALANCE_TOPPED_UP, change)),
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
    return ledger;
  }
}

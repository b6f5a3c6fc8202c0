package io.streamspace.billing;

import io.streamspace.billing.http.BalanceRoutes;
import io.streamspace.billing.http.ReadOnlyLock;
import io.streamspace.billing.http.TopUpRuleRoutes;
import io.streamspace.billing.prepaid.BalanceGrants;
import io.streamspace.billing.prepaid.PrepaidLedger;
import io.streamspace.billing.prepaid.TopUpRules;

/**
 * Prepaid balances: an admin's grants, each announced once it has committed, the balance's
 * statement, and the auto top-up rule an Owner sets. (Invoices pay from the balance as they are
 * finalized: the invoicing's own step; top-ups through Stripe are wired with the payments.)
 */
final class PrepaidWiring {

  private PrepaidWiring() {}

  /** Serves the balance's routes; answers the ledger, which live cost reads the balance from. */
  static PrepaidLedger wire(Wiring wiring, ReadOnlyLock readOnlyLock) {
    PrepaidLedger ledger = new PrepaidLedger(wiring.dataSource());
    new BalanceRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            ledger,
            new BalanceGrants(ledger, wiring.toppedUp()),
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
    new TopUpRuleRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            new TopUpRules(wiring.dataSource()),
            readOnlyLock,
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
    return ledger;
  }
}

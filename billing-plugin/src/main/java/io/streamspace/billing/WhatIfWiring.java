package io.streamspace.billing;

import io.streamspace.billing.advice.Advisor;
import io.streamspace.billing.advice.RightSizing;
import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.http.AdviceRoutes;
import io.streamspace.billing.http.WhatIfRoutes;
import io.streamspace.billing.invoicing.InvoiceCalculator;
import io.streamspace.billing.plans.SubscriptionRepository;
import io.streamspace.billing.whatif.WhatIfRun;
import java.util.function.Supplier;

/**
 * The platform admin's what-if: a period's usage re-rated by invoicing's calculator; and the
 * customer's advisor, the same what-if run for one organization on each plan it could choose
 * ({@code GET /advice}). Answers the advisor, whose notices check-budgets sends.
 */
final class WhatIfWiring {

  private WhatIfWiring() {}

  static Advisor wire(
      Wiring wiring, InvoiceCalculator calculator, Supplier<BillingConfigParser> parser) {
    WhatIfRun run = new WhatIfRun(wiring.dataSource(), calculator);
    new WhatIfRoutes(run, wiring.config(), parser, wiring.clock()).register(wiring.routes());
    Advisor advisor =
        new Advisor(
            run,
            new SubscriptionRepository(wiring.dataSource()),
            new RightSizing(wiring.dataSource(), wiring.clock()),
            wiring.config(),
            wiring.clock());
    new AdviceRoutes(wiring.orgAccess(), wiring.accounts(), advisor).register(wiring.routes());
    return advisor;
  }
}

package io.streamspace.billing;

import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.http.WhatIfRoutes;
import io.streamspace.billing.invoicing.InvoiceCalculator;
import io.streamspace.billing.whatif.WhatIfRun;
import java.util.function.Supplier;

/** The platform admin's what-if: a period's usage re-rated by invoicing's calculator. */
final class WhatIfWiring {

  private WhatIfWiring() {}

  static void wire(
      Wiring wiring, InvoiceCalculator calculator, Supplier<BillingConfigParser> parser) {
    new WhatIfRoutes(
            new WhatIfRun(wiring.dataSource(), calculator), wiring.config(), parser, wiring.clock())
        .register(wiring.routes());
  }
}

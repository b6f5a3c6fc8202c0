package io.streamspace.billing;

import io.streamspace.billing.corrections.Corrections;
import io.streamspace.billing.creditnotes.CorrectionCreditNotes;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.http.CorrectionRoutes;
import io.streamspace.billing.invoicing.InvoiceCalculator;
import io.streamspace.billing.metering.MeteringStore;

/**
 * Usage corrections: the admin's {@code POST /admin/corrections} and the organization's {@code
 * GET /corrections}. Their credit notes are issued through {@code corrections.CreditNoteIssuer},
 * which the credit notes implement ({@link CorrectionCreditNotes}). calculate-usage finishes the
 * corrections a crash left part way.
 */
final class CorrectionsWiring {

  private CorrectionsWiring() {}

  static void wire(Wiring wiring, UsageWiring usage, PaymentsWiring payments) {
    InvoiceCalculator calculator = usage.calculator();
    Corrections corrections =
        new Corrections(
            wiring.dataSource(),
            wiring.config(),
            calculator,
            new MeteringStore(wiring.dataSource(), wiring.config()),
            wiring.events(),
            new CorrectionCreditNotes(
                InvoicingWiring.creditNotes(wiring, payments),
                credit -> wiring.events().publish(BillingEvents.CREDIT_GRANTED, credit),
                wiring.clock()),
            wiring.clock(),
            Corrections.StepListener.NONE);
    // a correction a killed node left part way: no retry of its request reaches the plugin
    usage.calculateUsage().finishing(corrections::finishUnfinished);
    new CorrectionRoutes(wiring.orgAccess(), wiring.accounts(), corrections, wiring.config())
        .register(wiring.routes());
  }
}

package io.streamspace.billing;

import io.streamspace.billing.creditnotes.CreditNotes;
import io.streamspace.billing.explain.LineExplainer;
import io.streamspace.billing.http.CostRoutes;
import io.streamspace.billing.http.CreditNoteRoutes;
import io.streamspace.billing.http.ExplainRoutes;
import io.streamspace.billing.http.InvoiceAdminRoutes;
import io.streamspace.billing.http.InvoiceRoutes;
import io.streamspace.billing.http.PaymentRoutes;
import io.streamspace.billing.invoicing.InvoiceDrafts;
import io.streamspace.billing.invoicing.InvoiceFinalizer;
import io.streamspace.billing.invoicing.InvoiceQueries;
import io.streamspace.billing.invoicing.InvoiceTaxes;
import io.streamspace.billing.jobs.FinalizeInvoicesJob;
import io.streamspace.billing.jobs.GenerateInvoicesJob;
import io.streamspace.billing.payments.PaymentQueries;
import io.streamspace.billing.payments.collection.CollectableCurrencies;
import io.streamspace.billing.payments.mirror.CollectionModes;
import io.streamspace.billing.stripe.StripeTax;

/**
 * Invoices: generate-invoices drafts them on the invoice day and finalize-invoices numbers them
 * (both scheduled), a finalized invoice in a collectable currency queued for collection; the
 * user's invoice, cost and payment routes (an invoice line's explanation among them), the
 * admin's invoice routes and the credit notes'.
 */
final class InvoicingWiring {

  private InvoicingWiring() {}

  /** Returns generate-invoices, rescheduled when the config changes its day or zone. */
  static GenerateInvoicesJob wire(Wiring wiring, UsageWiring usage, PaymentsWiring payments) {
    InvoiceQueries queries = new InvoiceQueries(wiring.dataSource(), usage.calculator());
    InvoiceTaxes taxes =
        new InvoiceTaxes(
            wiring.dataSource(),
            usage.calculator(),
            new StripeTax(payments.clients()),
            wiring.events(),
            wiring.config());
    InvoiceFinalizer finalizer =
        new InvoiceFinalizer(
            wiring.dataSource(),
            usage.calculator(),
            wiring.events(),
            wiring.config(),
            new CollectableCurrencies(
                new CollectionModes(payments.collections(), payments.mirror(), wiring.config()),
                wiring.config()),
            wiring.context().metrics(),
            taxes,
            InvoiceFinalizer.Chunking.DEFAULT);
    InvoiceDrafts drafts = new InvoiceDrafts(wiring.dataSource());
    FinalizeInvoicesJob finalizeInvoices =
        new FinalizeInvoicesJob(
            drafts, finalizer, payments.statusChanges(), wiring.config(), wiring.clock());
    finalizeInvoices.scheduleOn(wiring.scheduler());
    GenerateInvoicesJob generateInvoices =
        new GenerateInvoicesJob(drafts, finalizeInvoices, wiring.config(), wiring.clock());
    generateInvoices.scheduleOn(wiring.scheduler());
    InvoiceRoutes invoiceRoutes =
        new InvoiceRoutes(wiring.orgAccess(), wiring.accounts(), queries, wiring.config());
    invoiceRoutes.register(wiring.routes());
    new ExplainRoutes(
            invoiceRoutes,
            new LineExplainer(wiring.dataSource(), wiring.config(), wiring.context()::journal))
        .register(wiring.routes());
    new CostRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            queries,
            usage.spendingLimits(),
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
    new PaymentRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            new PaymentQueries(wiring.dataSource()),
            wiring.config())
        .register(wiring.routes());
    new CreditNoteRoutes(
            invoiceRoutes,
            wiring.accounts(),
            creditNotes(wiring, payments),
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
    new InvoiceAdminRoutes(
            wiring.accounts(),
            queries,
            finalizer,
            payments.statusChanges(),
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
    return generateInvoices;
  }

  /** The credit notes, issued by the admin's route and by usage corrections alike. */
  static CreditNotes creditNotes(Wiring wiring, PaymentsWiring payments) {
    return new CreditNotes(
        wiring.dataSource(),
        payments.statusChanges(),
        wiring.events(),
        wiring.config(),
        payments.mirror().creditNotes()::sendNow);
  }
}

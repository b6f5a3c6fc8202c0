package io.streamspace.billing;

import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.hold.PaymentLock;
import io.streamspace.billing.http.JobRoutes;
import io.streamspace.billing.http.PlanCheckouts;
import io.streamspace.billing.http.ReadOnlyLock;
import io.streamspace.billing.http.StripeCatalogRoutes;
import io.streamspace.billing.http.StripeRoutes;
import io.streamspace.billing.http.StripeWebhookRoutes;
import io.streamspace.billing.invoicing.InvoiceStatusChanges;
import io.streamspace.billing.invoicing.InvoiceTaxes;
import io.streamspace.billing.jobs.CollectPaymentsJob;
import io.streamspace.billing.jobs.FinalizeInvoicesJob;
import io.streamspace.billing.packs.PackPurchases;
import io.streamspace.billing.payments.PaymentSuccesses;
import io.streamspace.billing.payments.collection.StripeCollections;
import io.streamspace.billing.payments.mirror.StripeInvoiceMirror;
import io.streamspace.billing.payments.subscription.CheckoutSessions;
import io.streamspace.billing.payments.subscription.StripeSubscriptions;
import io.streamspace.billing.payments.subscription.SubscriptionsOfClosedOrganizations;
import io.streamspace.billing.payments.topup.AutoTopUps;
import io.streamspace.billing.payments.webhook.CheckoutsPaidAfterClosing;
import io.streamspace.billing.payments.webhook.StripePayments;
import io.streamspace.billing.store.purchase.StorePurchases;
import io.streamspace.billing.stripe.CheckoutUndo;
import io.streamspace.billing.stripe.ClosingCancellation;
import io.streamspace.billing.stripe.StripeClients;
import io.streamspace.billing.stripe.StripeCustomers;
import io.streamspace.billing.stripe.StripeEndpoint;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Payments through Stripe: the client (its key from the host's secrets, its endpoint read at each
 * call so tests can point it at a local server), one customer per account, invoice status
 * changes (a payment settles the read-only lock), the collection queue, the Stripe invoice mirror
 * (and the credit notes' work at Stripe) and the auto top-ups of prepaid balances with
 * collect-payments (scheduled) and their backlog on {@code /jobs}; then, once plans and packs
 * exist, the verified webhook and the checkout and portal routes.
 */
record PaymentsWiring(
    StripeClients clients,
    StripeCustomers customers,
    InvoiceStatusChanges statusChanges,
    StripeCollections collections,
    StripeInvoiceMirror mirror,
    AutoTopUps autoTopUps) {

  static PaymentsWiring wire(
      Wiring wiring, PaymentLock paymentLock, Supplier<StripeEndpoint> endpoint) {
    StripeCustomers customers = new StripeCustomers(wiring.dataSource(), wiring.clock());
    StripeClients clients =
        new StripeClients(
            () -> wiring.context().config().secret("STRIPE_SECRET_KEY"),
            endpoint,
            wiring.context().metrics());
    InvoiceStatusChanges statusChanges =
        new InvoiceStatusChanges(wiring.dataSource(), wiring.events(), paymentLock::settled);
    StripeCollections collections =
        new StripeCollections(
            wiring.dataSource(), clients, new PaymentSuccesses(statusChanges), wiring.config());
    StripeInvoiceMirror mirror =
        new StripeInvoiceMirror(
            wiring.dataSource(),
            clients,
            customers,
            statusChanges,
            wiring.config(),
            wiring.clock());
    AutoTopUps autoTopUps =
        new AutoTopUps(
            wiring.dataSource(),
            clients,
            wiring.toppedUp(),
            failed -> wiring.events().publish(BillingEvents.TOP_UP_FAILED, failed),
            wiring.config());
    new JobRoutes(
            wiring.scheduler(),
            Map.of(
                CollectPaymentsJob.NAME,
                () ->
                    collections.backlog()
                        + mirror.backlog()
                        + mirror.creditNotes().backlog()
                        + autoTopUps.backlog(),
                // the drafts whose tax Stripe Tax could not calculate (stripeTax)
                FinalizeInvoicesJob.NAME,
                () -> InvoiceTaxes.failedDrafts(wiring.dataSource())))
        .register(wiring.routes());
    return new PaymentsWiring(clients, customers, statusChanges, collections, mirror, autoTopUps);
  }

  /**
   * The Stripe webhook (its events change plans, packs, store purchases and payments, and redeem
   * a plan Checkout's promotion code) and the checkout routes.
   */
  void serveStripe(
      Wiring wiring,
      PlansWiring plans,
      PackPurchases packs,
      StorePurchases store,
      ReadOnlyLock readOnlyLock,
      CouponsWiring coupons) {
    CheckoutUndo undo = new CheckoutUndo(clients);
    // scheduled here, where the packs and store purchases a closed organization's Checkouts
    // may have to end exist
    new CollectPaymentsJob(
            collections,
            mirror,
            mirror.creditNotes(),
            autoTopUps,
            new CheckoutsPaidAfterClosing(wiring.dataSource(), undo, wiring.events(), packs, store),
            new SubscriptionsOfClosedOrganizations(
                wiring.dataSource(), new ClosingCancellation(clients)),
            wiring.config(),
            wiring.clock())
        .scheduleOn(wiring.scheduler());
    StripePayments stripePayments =
        new StripePayments(
            wiring.dataSource(),
            statusChanges,
            payment -> wiring.events().publish(BillingEvents.PAYMENT_FAILED, payment),
            plans.planChanges(),
            plans.dueChangesInTransaction(),
            packs,
            store,
            collections,
            mirror,
            autoTopUps,
            wiring.config(),
            undo,
            wiring.events(),
            coupons.checkoutCodes(),
            coupons.heldDiscounts(),
            wiring.clock());
    new StripeWebhookRoutes(
            stripePayments, wiring.context()::config, wiring.config(), wiring.clock())
        .register(wiring.routes());
    new StripeRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            plans.subscriptions(),
            customers,
            clients,
            readOnlyLock,
            store,
            new PlanCheckouts.Parts(
                new CheckoutSessions(wiring.dataSource()),
                new StripeSubscriptions(wiring.dataSource()),
                wiring.dataSource(),
                coupons.coupons(),
                coupons.atStripe(),
                wiring.clock()),
            wiring.config())
        .register(wiring.routes());
    new StripeCatalogRoutes(clients, wiring.config()).register(wiring.routes());
  }
}

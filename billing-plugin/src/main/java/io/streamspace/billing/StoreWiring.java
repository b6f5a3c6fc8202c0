package io.streamspace.billing;

import io.streamspace.billing.account.Memberships;
import io.streamspace.billing.http.CreatorStatementRoutes;
import io.streamspace.billing.http.PayoutRoutes;
import io.streamspace.billing.http.ReadOnlyLock;
import io.streamspace.billing.http.StorePreviewRoutes;
import io.streamspace.billing.http.StorePurchaseRoutes;
import io.streamspace.billing.http.StoreRoutes;
import io.streamspace.billing.jobs.PayCreatorsJob;
import io.streamspace.billing.store.StoreItems;
import io.streamspace.billing.store.StorePreviews;
import io.streamspace.billing.store.bundle.BundleInspector;
import io.streamspace.billing.store.bundle.BundleLimits;
import io.streamspace.billing.store.payout.CreatorPayouts;
import io.streamspace.billing.store.payout.PayoutsDue;
import io.streamspace.billing.store.purchase.CheckoutRefunds;
import io.streamspace.billing.store.purchase.StorePurchases;
import io.streamspace.billing.store.purchase.StoreRefused;
import io.streamspace.billing.store.sales.CreatorStatements;
import io.streamspace.billing.store.sales.StoreRevenue;
import io.streamspace.billing.store.sales.StoreSales;
import io.streamspace.billing.stripe.StripeClients;
import io.streamspace.billing.stripe.StripeFailure;
import io.streamspace.billing.stripe.StripeRefunds;

/**
 * The add-on store: creators' theme bundles, checked, reviewed and listed, with previews;
 * organizations buy them, paid on their invoices or through Stripe Checkout (refunded there),
 * each sale shared with its creator on the creators' ledger; creators' statements and the admin's
 * revenue of the store; creators' payouts through Stripe Connect transfers (the pay-creators job,
 * scheduled), what is due read from {@code payoutsDue}.
 */
final class StoreWiring {

  private StoreWiring() {}

  /** What creators are owed for a closed month: their statements' payouts, per currency. */
  static PayoutsDue payoutsOfStatements(Wiring wiring) {
    CreatorStatements statements = new CreatorStatements(wiring.config(), wiring.clock());
    return (c, period) ->
        statements.payoutsDue(c, period).stream()
            .map(d -> new PayoutsDue.Due(d.creatorId(), d.period(), d.currency(), d.amount()))
            .toList();
  }

  /** A store purchase paid through Checkout is refunded at Stripe; a failure refuses the refund. */
  private static CheckoutRefunds refundsAt(StripeRefunds stripe) {
    return (paymentIntent, amount, currency, idempotencyKey) -> {
      try {
        stripe.refund(paymentIntent, amount, currency, idempotencyKey);
      } catch (StripeRefunds.NotConfigured e) {
        throw new StoreRefused("stripe_not_configured", e.getMessage());
      } catch (StripeFailure e) {
        // Stripe's own message, which names no secret
        throw new StoreRefused("stripe_error", "Stripe did not refund: " + e.getMessage());
      }
    };
  }

  /** Returns the purchases, which Stripe Checkout's webhook completes for items paid there. */
  static StorePurchases wire(
      Wiring wiring, ReadOnlyLock readOnlyLock, PayoutsDue payoutsDue, StripeClients clients) {
    StorePurchases purchases =
        new StorePurchases(
            wiring.dataSource(),
            new StoreSales(wiring.config(), wiring.clock()),
            refundsAt(new StripeRefunds(clients)),
            wiring.events());
    new StoreRoutes(
            new StoreItems(wiring.dataSource()),
            new BundleInspector(BundleLimits.defaults()),
            wiring.clock())
        .register(wiring.routes());
    new StorePurchaseRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            new Memberships(wiring.dataSource()),
            purchases,
            readOnlyLock,
            wiring.clock())
        .register(wiring.routes());
    new CreatorStatementRoutes(
            wiring.dataSource(),
            new CreatorStatements(wiring.config(), wiring.clock()),
            new StoreRevenue(),
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
    CreatorPayouts payouts =
        new CreatorPayouts(
            wiring.dataSource(), payoutsDue, clients, wiring.config(), wiring.clock());
    new PayoutRoutes(payouts).register(wiring.routes());
    new PayCreatorsJob(payouts, wiring.config()).scheduleOn(wiring.scheduler());
    new StorePreviewRoutes(new StorePreviews(wiring.dataSource())).register(wiring.routes());
    return purchases;
  }
}

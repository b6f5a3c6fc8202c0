package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.invoicing.InvoiceStatusChanges;
import io.streamspace.billing.packs.PackPurchases;
import io.streamspace.billing.payments.Payment;
import io.streamspace.billing.payments.PaymentSuccesses;
import io.streamspace.billing.payments.collection.StripeCollections;
import io.streamspace.billing.payments.mirror.StripeInvoiceMirror;
import io.streamspace.billing.payments.topup.AutoTopUps;
import io.streamspace.billing.plans.PlanChanges;
import io.streamspace.billing.store.purchase.StorePurchases;
import io.streamspace.billing.stripe.CheckoutUndo;
import io.streamspace.billing.stripe.StripeEvent;
import io.streamspace.common.db.Transactions;
import io.streamspace.common.text.SafeText;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies verified Stripe events to our payments and invoices. Each event id is applied once:
 * its row in {@code billing_stripe_events} is inserted in the transaction of its effect, so a
 * redelivery (or a concurrent one, which waits on the key) finds it and changes nothing.
 *
 * <p>The types acted on are the keys of one map from type to {@link EventHandler} ({@link
 * #handledTypes}): a type is handled exactly when it has a handler, and any other is answered 200
 * and ignored, with nothing recorded.
 *
 * <p>Order does not matter: a payment's row follows the PaymentIntent's own status, and the
 * creation time of the events applied to it. A success is final (a failure delivered after it
 * changes nothing); of two failures the later one at Stripe is kept; refunded amounts only grow.
 * Events and the read-only lock's release follow the commit. PaymentIntents that succeeded or
 * failed are recorded by {@link PaymentIntentEvents} (a failure of one the collection queue sent
 * queues the invoice's next attempt; an auto top-up's credits the balance or fails the attempt:
 * {@link AutoTopUps}), refunds by {@link ChargeRefunds}. Completed Checkout Sessions change
 * plans, grant paid packs and credit top-ups ({@link CompletedCheckouts}); a dispute closed lost
 * charges back the store purchase its payment paid ({@link LostDisputes}); a Stripe
 * Subscription's updates and deletion change the plan ({@link UpdatedSubscriptions}, {@link
 * DeletedSubscriptions}); payment method, customer and plan SetupIntent events keep each
 * customer's default payment method ({@link DefaultPaymentMethods}); a Stripe invoice mirroring
 * ours, paid or failed, pays ours or records the failure ({@link StripeInvoiceEvents}); a failed
 * refund of a closing gives back again ({@link FailedClosingRefunds}).
 */
public final class StripePayments {

  private static final Logger log = LoggerFactory.getLogger(StripePayments.class);

  private static final NamedSql APPLIED =
      NamedSql.of(
          """
          INSERT INTO billing_stripe_events (event_id, event_type, created_at, applied_at)
          VALUES (:id, :type, :created, :now) ON CONFLICT DO NOTHING""");

  /**
   * Makes what the next runs of trials and plan-migrations would make of an organization before
   * they do (plans' TrialRuns and MigrationRuns: a trial's end, a migration's move), in an
   * event's transaction, before the plan change the event makes.
   */
  @FunctionalInterface
  public interface DueChanges {
    /** What to run once the transaction is committed (their events). */
    List<Runnable> makeDue(java.sql.Connection connection, String orgId) throws SQLException;
  }

  /**
   * Carries the discount an organization held at {@code at} to its Stripe Subscription, which
   * the Customer Portal moved onto {@code planId} without one then, in the event's transaction
   * on {@code connection}: discounted at Stripe when the discount's coupon applies to that plan
   * (idempotency key {@code key}); nothing otherwise.
   */
  @FunctionalInterface
  public interface HeldDiscounts {
    void carry(
        java.sql.Connection connection,
        String subscriptionId,
        String orgId,
        String planId,
        String key,
        Instant at)
        throws SQLException;
  }

  private final DataSource dataSource;
  private final Map<String, EventHandler> handlers;
  private final Clock clock;
  private final Set<String> typesLogged = ConcurrentHashMap.newKeySet();

  public StripePayments(
      DataSource dataSource,
      InvoiceStatusChanges invoices,
      Consumer<Payment> paymentFailed,
      PlanChanges plans,
      DueChanges dueChanges,
      PackPurchases packs,
      StorePurchases store,
      StripeCollections collections,
      StripeInvoiceMirror mirror,
      AutoTopUps autoTopUps,
      Supplier<BillingConfig> config,
      CheckoutUndo undo,
      BillingEvents events,
      CheckoutCodes codes,
      HeldDiscounts heldDiscounts,
      Clock clock) {
    this.dataSource = dataSource;
    PaymentSuccesses successes = new PaymentSuccesses(invoices);
    SubscriptionPlanMoves moves = new SubscriptionPlanMoves(plans, dueChanges, config);
    PaymentIntentEvents intents =
        new PaymentIntentEvents(successes, paymentFailed, collections, autoTopUps);
    ChargeRefunds refunds = new ChargeRefunds(store, packs, autoTopUps);
    CompletedCheckouts checkouts =
        new CompletedCheckouts(
            moves,
            packs,
            store,
            new CompletedTopUps(autoTopUps),
            config,
            new CheckoutStateCheck(undo, events),
            codes);
    LostDisputes disputes = new LostDisputes(store);
    StripeInvoiceEvents stripeInvoices = new StripeInvoiceEvents(successes, paymentFailed, mirror);
    UpdatedSubscriptions updated = new UpdatedSubscriptions(moves, heldDiscounts);
    DeletedSubscriptions deleted = new DeletedSubscriptions(moves, config);
    EventHandler defaultMethod =
        (c, event, now, after) -> {
          Optional<String> account = DefaultPaymentMethods.apply(c, event);
          if (account.isPresent()) {
            collections.newPaymentMethod(c, account.get(), now);
            autoTopUps.newPaymentMethod(c, account.get(), now);
          }
        };
    this.handlers =
        Map.ofEntries(
            Map.entry(PaymentIntentEvents.SUCCEEDED, intents::succeeded),
            Map.entry(PaymentIntentEvents.FAILED, intents::failed),
            Map.entry(ChargeRefunds.REFUNDED, refunds::refunded),
            Map.entry(
                FailedClosingRefunds.FAILED,
                (c, event, now, after) -> FailedClosingRefunds.failed(c, event)),
            Map.entry(CompletedCheckouts.COMPLETED, checkouts::completed),
            Map.entry(CompletedCheckouts.ASYNC_PAYMENT_SUCCEEDED, checkouts::completed),
            Map.entry(LostDisputes.CLOSED, disputes::closed),
            Map.entry(DefaultPaymentMethods.ATTACHED, defaultMethod),
            Map.entry(DefaultPaymentMethods.DETACHED, defaultMethod),
            Map.entry(DefaultPaymentMethods.CUSTOMER_UPDATED, defaultMethod),
            Map.entry(DefaultPaymentMethods.SETUP_SUCCEEDED, defaultMethod),
            Map.entry(StripeInvoiceEvents.PAID, stripeInvoices::paid),
            Map.entry(StripeInvoiceEvents.PAYMENT_FAILED, stripeInvoices::failed),
            Map.entry(UpdatedSubscriptions.UPDATED, updated::updated),
            Map.entry(DeletedSubscriptions.DELETED, deleted::deleted));
    this.clock = clock;
  }

  /** The event types acted on: those with a handler. */
  Set<String> handledTypes() {
    return handlers.keySet();
  }

  /** Applies the event once; a replay or an unknown type changes nothing. */
  public void apply(StripeEvent event) throws SQLException {
    EventHandler handler = handlers.get(event.type());
    if (handler == null) {
      if (typesLogged.add(event.type())) {
        log.info(
            "Stripe events of type {} are unknown: answered 200 and ignored",
            SafeText.forLog(event.type()));
      }
      return;
    }
    List<Runnable> afterCommit = new ArrayList<>();
    Transactions.inTransaction(
        dataSource,
        c -> {
          Instant now = clock.instant();
          int inserted =
              APPLIED
                  .bind("id", event.id())
                  .bind("type", event.type())
                  .bind("created", event.created())
                  .bind("now", now)
                  .update(c);
          if (inserted == 1) {
            handler.apply(c, event, now, afterCommit);
          }
          return null;
        });
    afterCommit.forEach(Runnable::run);
  }
}

package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.invoicing.InvoiceStatusChanges;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.packs.PackPurchases;
import io.streamspace.billing.payments.Payment;
import io.streamspace.billing.payments.PaymentQueries;
import io.streamspace.billing.payments.PaymentSuccesses;
import io.streamspace.billing.payments.collection.StripeCollections;
import io.streamspace.billing.payments.mirror.StripeInvoiceMirror;
import io.streamspace.billing.plans.PlanChanges;
import io.streamspace.billing.store.purchase.StorePurchases;
import io.streamspace.billing.stripe.CheckoutUndo;
import io.streamspace.billing.stripe.StripeAmounts;
import io.streamspace.billing.stripe.StripeEvent;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
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
 * <p>Order does not matter: a payment's row follows the PaymentIntent's own status, and the
 * creation time of the events applied to it. A success is final (a failure delivered after it
 * changes nothing); of two failures the later one at Stripe is kept; refunded amounts only grow.
 * Events and the read-only lock's release follow the commit. A failure of a PaymentIntent the
 * collection queue sent queues the invoice's next attempt ({@link StripeCollections}). A refund
 * is kept by its PaymentIntent ({@code billing_stripe_refunds}) and applied to the payment when
 * both are known, whichever came first. Completed Checkout Sessions change plans and grant paid
 * packs ({@link CompletedCheckouts}); a dispute closed lost charges back the store purchase its
 * payment paid ({@link LostDisputes}); a Stripe Subscription's updates and deletion change the
 * plan ({@link UpdatedSubscriptions}, {@link DeletedSubscriptions}); payment method, customer and
 * plan SetupIntent events keep each customer's default payment method ({@link
 * DefaultPaymentMethods}); a Stripe invoice mirroring ours, paid or failed, pays ours or records
 * the failure ({@link StripeInvoiceEvents}).
 */
public final class StripePayments {

  public static final String PAYMENT_SUCCEEDED = "payment_intent.succeeded";
  public static final String PAYMENT_FAILED = "payment_intent.payment_failed";
  public static final String CHARGE_REFUNDED = "charge.refunded";

  /** The types acted on; any other is answered 200 and ignored. */
  private static final Set<String> HANDLED =
      Set.of(
          PAYMENT_SUCCEEDED,
          PAYMENT_FAILED,
          CHARGE_REFUNDED,
          FailedClosingRefunds.FAILED,
          CompletedCheckouts.COMPLETED,
          CompletedCheckouts.ASYNC_PAYMENT_SUCCEEDED,
          LostDisputes.CLOSED,
          DefaultPaymentMethods.ATTACHED,
          DefaultPaymentMethods.DETACHED,
          DefaultPaymentMethods.CUSTOMER_UPDATED,
          DefaultPaymentMethods.SETUP_SUCCEEDED,
          StripeInvoiceEvents.PAID,
          StripeInvoiceEvents.PAYMENT_FAILED,
          UpdatedSubscriptions.UPDATED,
          DeletedSubscriptions.DELETED);

  private static final Logger log = LoggerFactory.getLogger(StripePayments.class);

  private static final NamedSql APPLIED =
      NamedSql.of(
          """
          INSERT INTO billing_stripe_events (event_id, event_type, created_at, applied_at)
          VALUES (:id, :type, :created, :now) ON CONFLICT DO NOTHING""");

  // a failure replaces an earlier failure only: after a success it is out of order
  private static final NamedSql FAILED =
      NamedSql.of(
          """
          INSERT INTO billing_payments (invoice_id, user_id, amount, currency, status,
              payment_intent_id, failure_code, failure_reason, created_at, event_at, updated_at)
          VALUES (:invoice_id, :user_id, :amount, :currency, 'failed', :intent, :code, :reason,
              :created, :event_at, :now)
          ON CONFLICT (payment_intent_id) DO UPDATE SET failure_code = EXCLUDED.failure_code,
              failure_reason = EXCLUDED.failure_reason, event_at = EXCLUDED.event_at,
              updated_at = EXCLUDED.updated_at
          WHERE billing_payments.status = 'failed'
            AND billing_payments.event_at <= EXCLUDED.event_at
          RETURNING id""");

  // Stripe's amount_refunded is the charge's running total: the greatest one seen is the truth
  private static final NamedSql REFUND_SEEN =
      NamedSql.of(
          """
          INSERT INTO billing_stripe_refunds AS r (payment_intent_id, charge_id, currency,
              amount_refunded, event_at)
          VALUES (:intent, :charge, :currency, :refunded, :event_at)
          ON CONFLICT (payment_intent_id) DO UPDATE SET
              amount_refunded = greatest(r.amount_refunded, EXCLUDED.amount_refunded),
              event_at = greatest(r.event_at, EXCLUDED.event_at)""");

  private static final NamedSql INVOICE =
      NamedSql.of("SELECT user_id, currency, total FROM billing_invoices WHERE id = :id");

  private final DataSource dataSource;
  private final PaymentSuccesses successes;
  private final Consumer<Payment> paymentFailed;
  private final CompletedCheckouts checkouts;
  private final LostDisputes disputes;
  private final StorePurchases store;
  private final PackPurchases packs;
  private final UpdatedSubscriptions updatedSubscriptions;
  private final DeletedSubscriptions deletedSubscriptions;
  private final StripeCollections collections;
  private final StripeInvoiceEvents stripeInvoices;
  private final Clock clock;
  private final Set<String> typesLogged = ConcurrentHashMap.newKeySet();

  public StripePayments(
      DataSource dataSource,
      InvoiceStatusChanges invoices,
      Consumer<Payment> paymentFailed,
      PlanChanges plans,
      PackPurchases packs,
      StorePurchases store,
      StripeCollections collections,
      StripeInvoiceMirror mirror,
      Supplier<BillingConfig> config,
      CheckoutUndo undo,
      BillingEvents events,
      Clock clock) {
    this.dataSource = dataSource;
    this.successes = new PaymentSuccesses(invoices);
    this.paymentFailed = paymentFailed;
    SubscriptionPlanMoves moves = new SubscriptionPlanMoves(plans, config);
    this.checkouts =
        new CompletedCheckouts(moves, packs, store, config, new CheckoutStateCheck(undo, events));
    this.updatedSubscriptions = new UpdatedSubscriptions(moves);
    this.deletedSubscriptions = new DeletedSubscriptions(moves, config);
    this.disputes = new LostDisputes(store);
    this.store = store;
    this.packs = packs;
    this.collections = collections;
    this.stripeInvoices = new StripeInvoiceEvents(successes, paymentFailed, mirror);
    this.clock = clock;
  }

  /** Applies the event once; a replay or an unknown type changes nothing. */
  public void apply(StripeEvent event) throws SQLException {
    if (!HANDLED.contains(event.type())) {
      if (typesLogged.add(event.type())) {
        log.info("Stripe events of type {} are unknown: answered 200 and ignored", event.type());
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
            switch (event.type()) {
              case PAYMENT_SUCCEEDED -> succeeded(c, event, now, afterCommit);
              case PAYMENT_FAILED -> failed(c, event, now, afterCommit);
              case CHARGE_REFUNDED -> refunded(c, event, now, afterCommit);
              case FailedClosingRefunds.FAILED -> FailedClosingRefunds.failed(c, event);
              case CompletedCheckouts.COMPLETED, CompletedCheckouts.ASYNC_PAYMENT_SUCCEEDED ->
                  checkouts.completed(c, event, now, afterCommit);
              case LostDisputes.CLOSED -> disputes.closed(c, event, now, afterCommit);
              case StripeInvoiceEvents.PAID -> stripeInvoices.paid(c, event, now, afterCommit);
              case StripeInvoiceEvents.PAYMENT_FAILED ->
                  stripeInvoices.failed(c, event, now, afterCommit);
              case UpdatedSubscriptions.UPDATED ->
                  updatedSubscriptions.updated(c, event, now, afterCommit);
              case DeletedSubscriptions.DELETED ->
                  deletedSubscriptions.deleted(c, event, now, afterCommit);
              default -> {
                Optional<String> account = DefaultPaymentMethods.apply(c, event);
                if (account.isPresent()) {
                  collections.newPaymentMethod(c, account.get(), now);
                }
              }
            }
          }
          return null;
        });
    afterCommit.forEach(Runnable::run);
  }

  /**
   * Our invoice of the metadata of the event's PaymentIntent (or Stripe invoice), as it is to be
   * paid; empty when not ours: no such invoice, or the metadata's {@code account_id} is not the
   * invoice's account.
   */
  record Payable(long invoiceId, String userId, Currency currency, BigDecimal total) {}

  private static Optional<Payable> payable(Connection c, StripeEvent event) throws SQLException {
    String invoiceId = event.text("metadata/invoice_id");
    if (invoiceId == null || !invoiceId.matches("[0-9]{1,18}")) {
      log.info("Stripe event {}: its {} pays no invoice of ours", event.id(), event.text("object"));
      return Optional.empty();
    }
    try (PreparedStatement s = INVOICE.bind("id", Long.parseLong(invoiceId)).prepare(c);
        ResultSet rs = s.executeQuery()) {
      if (!rs.next()) {
        log.warn("Stripe event {}: no invoice {}", event.id(), invoiceId);
        return Optional.empty();
      }
      String account = event.text("metadata/account_id");
      if (!rs.getString(1).equals(account)) {
        // another account's PaymentIntent (or one not made by us) pays nothing of ours
        log.warn(
            "Stripe event {}: {} {} of account {} names invoice {} of {}: ignored",
            event.id(),
            event.text("object"),
            event.text("id"),
            account,
            invoiceId,
            rs.getString(1));
        return Optional.empty();
      }
      return Optional.of(
          new Payable(
              Long.parseLong(invoiceId),
              rs.getString(1),
              Currency.getInstance(rs.getString(2)),
              rs.getBigDecimal(3)));
    }
  }

  /** The amount Stripe received (or asked for) in the PaymentIntent's currency; empty if odd. */
  private static Optional<BigDecimal> amount(StripeEvent event, String member, Currency in) {
    Long minor = event.number(member);
    return minor == null ? Optional.empty() : Optional.of(StripeAmounts.fromMinorUnits(minor, in));
  }

  private static Optional<Currency> currency(StripeEvent event) {
    String code = event.text("currency");
    return Money.currency(code == null ? null : code.toUpperCase(Locale.ROOT));
  }

  /**
   * What the event's object pays: our invoice ({@link #payable}), and the amount of its member
   * {@code amountMember} in its currency; empty when not ours or the amount is odd.
   */
  record Paying(Payable invoice, BigDecimal amount, Currency currency) {}

  static Optional<Paying> paying(Connection c, StripeEvent event, String amountMember)
      throws SQLException {
    Optional<Payable> payable = payable(c, event);
    Optional<Currency> currency = currency(event);
    Optional<BigDecimal> amount = currency.flatMap(in -> amount(event, amountMember, in));
    if (payable.isEmpty() || amount.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Paying(payable.get(), amount.get(), currency.get()));
  }

  /**
   * The success of the event's object (its id the payment's key) recorded and our invoice paid
   * ({@link PaymentSuccesses#record}), announced after the commit.
   */
  static void recordSuccess(
      PaymentSuccesses successes,
      Connection c,
      StripeEvent event,
      Paying paying,
      String chargeId,
      Instant now,
      List<Runnable> after)
      throws SQLException {
    Payable invoice = paying.invoice();
    Optional<Invoice> paid =
        successes.record(
            c,
            new PaymentSuccesses.Collected(
                invoice.invoiceId(), invoice.userId(), invoice.currency(), invoice.total()),
            new PaymentSuccesses.Received(
                event.text("id"), chargeId, paying.amount(), paying.currency(), createdAt(event)),
            event.created(),
            now,
            Cause.stripe(event.id()));
    if (paid.isPresent()) {
      after.add(() -> successes.announce(paid.get()));
    }
  }

  /**
   * The failure of the event's object (its id the payment's key) recorded, unless a success or a
   * later failure is; the payment recorded now, to publish after the commit.
   */
  static Optional<Payment> recordFailure(
      Connection c, StripeEvent event, Paying paying, String code, String reason, Instant now)
      throws SQLException {
    Optional<Long> recorded =
        recordedId(
            FAILED
                .bind("invoice_id", paying.invoice().invoiceId())
                .bind("user_id", paying.invoice().userId())
                .bind("amount", paying.amount())
                .bind("currency", paying.currency().getCurrencyCode())
                .bind("intent", event.text("id"))
                .bind("code", code)
                .bind("reason", reason)
                .bind("created", createdAt(event))
                .bind("event_at", event.created())
                .bind("now", now),
            c);
    return recorded.isEmpty()
        ? Optional.empty()
        : Optional.of(PaymentQueries.find(c, recorded.get()).orElseThrow());
  }

  private void succeeded(Connection c, StripeEvent event, Instant now, List<Runnable> after)
      throws SQLException {
    Optional<Paying> paying = paying(c, event, "amount_received");
    if (paying.isPresent()) {
      recordSuccess(successes, c, event, paying.get(), event.text("latest_charge"), now, after);
    }
  }

  private void failed(Connection c, StripeEvent event, Instant now, List<Runnable> after)
      throws SQLException {
    Optional<Paying> paying = paying(c, event, "amount");
    if (paying.isEmpty()) {
      return;
    }
    Optional<Payment> recorded =
        recordFailure(
            c,
            event,
            paying.get(),
            failureCode(event),
            event.text("last_payment_error/message"),
            now);
    if (recorded.isPresent()) {
      after.add(() -> paymentFailed.accept(recorded.get()));
      retryLater(c, event, paying.get().invoice().invoiceId(), now);
    }
  }

  /** A PaymentIntent the collection queue sent (metadata {@code attempt}): its next attempt. */
  private void retryLater(Connection c, StripeEvent event, long invoiceId, Instant now)
      throws SQLException {
    String attempt = event.text("metadata/attempt");
    if (attempt == null || !attempt.matches("[1-9][0-9]{0,8}")) {
      return;
    }
    String message = event.text("last_payment_error/message");
    String code = event.text("last_payment_error/code");
    String why =
        (code == null ? "" : code + ": ") + (message == null ? "payment declined" : message);
    collections.declinedLater(c, invoiceId, Integer.parseInt(attempt), event.text("id"), why, now);
  }

  private static String failureCode(StripeEvent event) {
    String decline = event.text("last_payment_error/decline_code");
    return decline != null ? decline : event.text("last_payment_error/code");
  }

  private void refunded(Connection c, StripeEvent event, Instant now, List<Runnable> afterCommit)
      throws SQLException {
    Optional<Currency> currency = currency(event);
    Optional<BigDecimal> refunded = currency.flatMap(in -> amount(event, "amount_refunded", in));
    String intent = event.text("payment_intent");
    if (intent == null || refunded.isEmpty()) {
      return;
    }
    PaymentIntentLock.hold(c, intent); // the session's completion at once waits, or is seen
    REFUND_SEEN
        .bind("intent", intent)
        .bind("charge", event.text("id"))
        .bind("currency", currency.get().getCurrencyCode())
        .bind("refunded", refunded.get())
        .bind("event_at", event.created())
        .update(c);
    // a store item paid through Checkout and refunded in Stripe's Dashboard: its access ends
    Optional<Runnable> ended =
        store.refundedAtStripe(c, intent, refunded.get(), now, Cause.stripe(event.id()));
    if (ended.isPresent()) {
      afterCommit.add(ended.get());
      return;
    }
    // a pack paid through Checkout and refunded in full there: it ends, as a store item does
    Optional<Runnable> packEnded =
        packs.refundedAtStripe(c, intent, refunded.get(), now, Cause.stripe(event.id()));
    if (packEnded.isPresent()) {
      afterCommit.add(packEnded.get());
      return;
    }
    if (PaymentSuccesses.applyRefunds(c, intent, now, Cause.stripe(event.id())) == 0) {
      log.info(
          "Stripe charge {} refunded before its payment {} is recorded: applied when it is",
          event.text("id"),
          intent);
    }
  }

  private static Instant createdAt(StripeEvent event) {
    Long created = event.number("created");
    return created == null ? event.created() : Instant.ofEpochSecond(created);
  }

  private static Optional<Long> recordedId(NamedSql.Binding statement, Connection c)
      throws SQLException {
    try (PreparedStatement s = statement.prepare(c);
        ResultSet rs = s.executeQuery()) {
      return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
    }
  }
}

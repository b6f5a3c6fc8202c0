package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.packs.PackPurchases;
import io.streamspace.billing.payments.PaymentSuccesses;
import io.streamspace.billing.payments.topup.AutoTopUps;
import io.streamspace.billing.prepaid.TopUps;
import io.streamspace.billing.store.purchase.StorePurchases;
import io.streamspace.billing.stripe.StripeEvent;
import io.streamspace.common.text.SafeText;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code charge.refunded}: a refund is kept by its PaymentIntent ({@code billing_stripe_refunds})
 * and applied to the payment when both are known, whichever came first; a store item or a pack
 * paid through Checkout and refunded at Stripe ends instead, and a top-up of a prepaid balance
 * gives the refunded share back ({@link TopUps#refunded}).
 */
final class ChargeRefunds {

  static final String REFUNDED = "charge.refunded";

  // logged under the webhook's name, where operators read the lines of Stripe's events
  private static final Logger log = LoggerFactory.getLogger(StripePayments.class);

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

  private final StorePurchases store;
  private final PackPurchases packs;
  private final AutoTopUps autoTopUps;

  ChargeRefunds(StorePurchases store, PackPurchases packs, AutoTopUps autoTopUps) {
    this.store = store;
    this.packs = packs;
    this.autoTopUps = autoTopUps;
  }

  void refunded(Connection c, StripeEvent event, Instant now, List<Runnable> afterCommit)
      throws SQLException {
    Optional<Currency> currency = InvoicePayments.currency(event);
    Optional<BigDecimal> refunded =
        currency.flatMap(in -> InvoicePayments.amount(event, "amount_refunded", in));
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
    // a top-up of a prepaid balance: the refunded share taken back, as far as the balance has it
    if (autoTopUps.topUps().refunded(c, intent, refunded.get(), now, Cause.stripe(event.id()))) {
      return;
    }
    if (PaymentSuccesses.applyRefunds(c, intent, now, Cause.stripe(event.id())) == 0) {
      log.info(
          "Stripe charge {} refunded before its payment {} is recorded: applied when it is",
          SafeText.forLog(event.text("id")),
          SafeText.forLog(intent));
    }
  }
}

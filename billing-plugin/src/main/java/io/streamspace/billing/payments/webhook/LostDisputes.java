package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.store.purchase.StorePurchases;
import io.streamspace.billing.stripe.StripeEvent;
import io.streamspace.common.text.SafeText;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code charge.dispute.closed}, in the event's transaction: a dispute closed {@code lost} (the
 * card issuer gave the money back to the customer) of a payment that paid a store purchase through
 * Checkout charges the purchase back ({@link StorePurchases#chargedBack}): its access ends at once
 * and its creator's share is clawed back. A dispute won, or still open (warning statuses), changes
 * nothing; a purchase refunded or charged back already changes nothing, so a replay, another event
 * of the same dispute, or a dispute lost after an admin's refund change nothing more. Disputes of
 * invoices' payments are not acted on.
 */
final class LostDisputes {

  static final String CLOSED = "charge.dispute.closed";

  private static final Logger log = LoggerFactory.getLogger(LostDisputes.class);

  private final StorePurchases store;

  LostDisputes(StorePurchases store) {
    this.store = store;
  }

  /** Applies a closed dispute; what to publish after the commit goes into {@code after}. */
  void closed(Connection c, StripeEvent event, Instant now, List<Runnable> after)
      throws SQLException {
    String dispute = event.text("id");
    String intent = event.text("payment_intent");
    String status = event.text("status");
    if (!"lost".equals(status) || intent == null) {
      log.info(
          "Stripe dispute {} closed {}: nothing charged back",
          SafeText.forLog(dispute),
          SafeText.forLog(status));
      return;
    }
    String reason = event.text("reason");
    String why =
        "chargeback: dispute %s lost (%s)"
            .formatted(dispute, reason == null ? "no reason" : reason);
    Optional<Runnable> ended = store.chargedBack(c, intent, why, now, Cause.stripe(event.id()));
    if (ended.isEmpty()) {
      log.info(
          "Stripe dispute {} lost: payment {} paid no active store purchase",
          SafeText.forLog(dispute),
          SafeText.forLog(intent));
      return;
    }
    after.add(ended.get());
  }
}

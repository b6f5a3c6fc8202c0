package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.CheckoutRefused;
import io.streamspace.billing.hold.PaymentLock;
import io.streamspace.billing.payments.subscription.CheckoutSessions;
import io.streamspace.billing.payments.subscription.CheckoutSessions.Created;
import io.streamspace.billing.payments.subscription.StripeSubscriptions;
import io.streamspace.billing.plans.SubscriptionRepository;
import io.streamspace.billing.stripe.CheckoutUndo;
import io.streamspace.billing.stripe.StripeEvent;
import io.streamspace.billing.stripe.StripeFailure;
import io.streamspace.common.text.SafeText;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state check of a plan Checkout Session at its completion: a session stays open at Stripe
 * for 24 hours (then Stripe expires it), and meanwhile the organization may have changed plan or
 * been locked for non-payment, or the plan may have left the catalog. Such a session is refused,
 * never applied blindly: its rows in {@code billing_checkout_sessions} (which says {@code
 * refused}) and {@code billing_stripe_checkouts} say why and what was given back; a {@code
 * checkout.refused} audit entry and, after the commit, {@code billing.checkout.refused}. Where
 * Stripe took money (a subscription-mode session's first invoice), the subscription is cancelled
 * and that payment refunded in full ({@link CheckoutUndo}) in the event's transaction: a failure
 * at Stripe rolls all back, the webhook answers 500 and Stripe delivers the event again, the
 * idempotency keys making the retry safe. A
 * setup-mode session took no money: nothing is given back.
 */
final class CheckoutStateCheck {

  private static final Logger log = LoggerFactory.getLogger(CheckoutStateCheck.class);

  private static final NamedSql UNGRANTED =
      NamedSql.of(
          """
          UPDATE billing_stripe_checkouts SET refusal = :why, given_back = :given_back
          WHERE session_id = :session""");

  private final CheckoutUndo undo;
  private final BillingEvents events;

  CheckoutStateCheck(CheckoutUndo undo, BillingEvents events) {
    this.undo = undo;
    this.events = events;
  }

  /**
   * Why the session cannot be applied now, or empty: its plan no longer sold in the account's
   * currency, the organization on another plan than at the session's creation (the session's own
   * plan aside: then there is nothing to apply), or the organization locked now. A session
   * created before its state was recorded is checked for the first only. The reason is for people
   * (the event's and the audit entry's {@code reason}): it names plans by name ({@link
   * BillingConfig#planName}).
   */
  static Optional<String> refusal(
      Connection c,
      Optional<Created> created,
      String account,
      String planId,
      BillingConfig config,
      boolean sold)
      throws SQLException {
    if (!sold) {
      return Optional.of(
          "the %s plan is no longer sold in the organization's currency"
              .formatted(config.planName(planId)));
    }
    String current = SubscriptionRepository.activePlan(c, account);
    if (created.isPresent()
        && current != null
        && !current.equals(created.get().planIdThen())
        && !current.equals(planId)) {
      return Optional.of(
          "the organization changed plan since the session was created (from %s to %s)"
              .formatted(config.planName(created.get().planIdThen()), config.planName(current)));
    }
    Optional<String> locked = PaymentLock.lockedDuring(c, account);
    return locked.map(why -> "the organization is locked for non-payment: " + why);
  }

  /** Refuses the session: undone at Stripe where it took money, recorded, audited, announced. */
  void refuse(
      Connection c,
      StripeEvent event,
      String account,
      String planId,
      String why,
      Instant now,
      List<Runnable> after)
      throws SQLException {
    String session = event.text("id");
    String subscription = event.text("subscription");
    String givenBack;
    if (subscription == null) {
      givenBack = "nothing: the session saved a payment method and took no money";
    } else {
      try {
        givenBack = undo.cancelAndRefund(subscription, event.text("invoice"), session);
      } catch (StripeFailure e) {
        // rolled back with the event: Stripe delivers it again and the keys make it once
        throw new IllegalStateException(
            "Stripe Checkout Session " + session + " refused, not undone yet: " + e.getMessage(),
            e);
      }
      StripeSubscriptions.store(
          c,
          subscription,
          account,
          new StripeSubscriptions.Seen(
              planId, StripeSubscriptions.CANCELED, false, null, event.created()),
          now);
      StripeSubscriptions.givenBack(c, subscription, givenBack);
    }
    CheckoutSessions.refused(c, session, why, givenBack, now);
    recordUngranted(
        c,
        Cause.stripe(event.id()),
        new CheckoutRefused(account, session, "plan", planId, null, why, givenBack, now),
        after);
  }

  /**
   * Refuses a pack's, store item's or top-up's session Stripe took a payment for, that cannot be
   * granted
   * ({@code why}): the payment refunded in full at Stripe, its row in {@code
   * billing_stripe_checkouts} (applied in this transaction) saying why and what was given back,
   * audited and announced as a plan's refusal. A failure at Stripe rolls all back with the event.
   *
   * @param kind {@code pack}, {@code store} or {@code top_up}
   * @param itemId the pack's or store item's id, as the session's metadata names it; null for a
   *     top-up
   */
  void ungranted(
      Connection c,
      StripeEvent event,
      String account,
      String kind,
      String itemId,
      String why,
      Instant now,
      List<Runnable> after)
      throws SQLException {
    String session = event.text("id");
    String givenBack;
    try {
      givenBack =
          undo.refundPayment(
              event.text("payment_intent"),
              event.number("amount_total"),
              event.text("currency"),
              session);
    } catch (StripeFailure e) {
      // rolled back with the event: Stripe delivers it again and the key makes it once
      throw new IllegalStateException(
          "Stripe Checkout Session "
              + session
              + " not granted, not refunded yet: "
              + e.getMessage(),
          e);
    }
    recordUngranted(
        c,
        Cause.stripe(event.id()),
        new CheckoutRefused(account, session, kind, null, itemId, why, givenBack, now),
        after);
  }

  /**
   * Records a session given back after it was applied or instead: its row in {@code
   * billing_stripe_checkouts} says why and what was given back, audited, logged, and announced
   * after the commit.
   */
  void recordUngranted(Connection c, Cause cause, CheckoutRefused refused, List<Runnable> after)
      throws SQLException {
    UNGRANTED
        .bind("session", refused.sessionId())
        .bind("why", refused.reason())
        .bind("given_back", refused.givenBack())
        .update(c);
    Map<String, Object> what = new LinkedHashMap<>();
    what.put("session_id", refused.sessionId());
    what.put("kind", refused.kind());
    if (refused.planId() != null) {
      what.put("plan_id", refused.planId());
    } else {
      what.put("item_id", refused.itemId());
    }
    what.put("reason", refused.reason());
    what.put("given_back", refused.givenBack());
    AuditTrail.record(
        c,
        new AuditEntry(
            refused.refusedAt(),
            cause,
            refused.orgId(),
            AuditKinds.CHECKOUT_REFUSED,
            "checkout:" + refused.sessionId(),
            null,
            what));
    log.warn(
        "Stripe Checkout Session {} of {} refused: {}; {}",
        SafeText.forLog(refused.sessionId()),
        refused.orgId(),
        SafeText.forLog(refused.reason()),
        SafeText.forLog(refused.givenBack()));
    after.add(() -> events.publish(BillingEvents.CHECKOUT_REFUSED, refused));
  }
}

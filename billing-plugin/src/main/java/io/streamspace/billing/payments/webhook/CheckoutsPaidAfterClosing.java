package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.CheckoutRefused;
import io.streamspace.billing.packs.PackPurchases;
import io.streamspace.billing.payments.subscription.CheckoutSessions;
import io.streamspace.billing.payments.subscription.StripeSubscriptions;
import io.streamspace.billing.store.purchase.StorePurchases;
import io.streamspace.billing.stripe.CheckoutUndo;
import io.streamspace.billing.stripe.StripeAmounts;
import io.streamspace.billing.stripe.StripeFailure;
import io.streamspace.common.db.Transactions;
import io.streamspace.common.text.SafeText;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives back what an organization paid through Checkout at or after its closing when the
 * session's completion was applied before its {@code org.deleted} was. Stripe's events and the
 * host's cross: applied first, the completion found the organization open and granted the pack,
 * store item or plan; applied second, {@link CompletedCheckouts} gives the session back at once.
 * This gives back the same sessions when the closing comes second, so what the organization keeps
 * does not depend on the order the events arrive in.
 *
 * <p>A session is due when its completion's time at Stripe ({@code completed_at}) is at or after
 * its organization's {@code closed_at} and it was not given back yet. Each is given back in a
 * transaction of its own, as the webhook gives back a session it refuses:
 *
 * <ul>
 *   <li>a pack or a store item: its payment refunded in full at Stripe, under the key of the
 *       webhook's refusal (the two never refund a session twice), and the purchase ended as a
 *       refund made in Stripe's Dashboard ends it;
 *   <li>a plan: the organization's live Stripe subscription cancelled and its latest invoice, the
 *       one the session paid, refunded; with none (a setup-mode session took no money) nothing is
 *       given back, and the session is still marked.
 * </ul>
 *
 * <p>The session's row says why and what was given back, a {@code checkout.refused} audit entry
 * and {@code billing.checkout.refused} record it. A failure at Stripe rolls the session's
 * transaction back and the next run tries it again. collect-payments runs it every minute.
 */
public final class CheckoutsPaidAfterClosing {

  /** What a run gave back, and how many sessions it left for the next run (Stripe failed). */
  public record Run(int givenBack, int failed) {}

  private static final Logger log = LoggerFactory.getLogger(CheckoutsPaidAfterClosing.class);

  // from the closed organizations (billing_accounts_closed) to their sessions by account
  // (billing_stripe_checkouts_granted; the accounts' ids are of collation "C", the sessions' not)
  private static final NamedSql DUE =
      NamedSql.of(
          """
          SELECT c.session_id FROM billing_accounts a
          JOIN billing_stripe_checkouts c
            ON c.account_id COLLATE "C" = a.user_id AND c.completed_at >= a.closed_at
               AND c.refusal IS NULL
          WHERE a.closed_at IS NOT NULL
            -- a top-up credited the balance, which stays the organization's (not bought goods)
            AND c.kind <> 'top_up'
            -- a plan session refused before edf22cec has no refusal here; its own table has it
            AND NOT EXISTS (SELECT 1 FROM billing_checkout_sessions s
                            WHERE s.session_id = c.session_id AND s.status = 'refused')
          ORDER BY c.session_id""");

  // the session, held, while still due; what it bought, at what price
  private static final NamedSql HOLD =
      NamedSql.of(
          """
          SELECT c.account_id, c.kind, c.payment_intent, a.closed_at,
                 coalesce(p.pack_id, s.item_id::text), coalesce(p.price, s.price),
                 coalesce(p.currency, s.currency)
          FROM billing_stripe_checkouts c
          JOIN billing_accounts a ON a.user_id = c.account_id COLLATE "C"
          LEFT JOIN billing_pack_events e ON e.paid_checkout = c.session_id AND e.kind = 'bought'
          LEFT JOIN billing_pack_purchases p ON p.id = e.purchase_id
          LEFT JOIN billing_store_purchases s ON s.checkout_session = c.session_id
          WHERE c.session_id = :session AND c.completed_at >= a.closed_at AND c.refusal IS NULL
          FOR UPDATE OF c""");

  private final DataSource dataSource;
  private final CheckoutUndo undo;
  private final CheckoutStateCheck records;
  private final PackPurchases packs;
  private final StorePurchases store;

  public CheckoutsPaidAfterClosing(
      DataSource dataSource,
      CheckoutUndo undo,
      BillingEvents events,
      PackPurchases packs,
      StorePurchases store) {
    this.dataSource = dataSource;
    this.undo = undo;
    this.records = new CheckoutStateCheck(undo, events);
    this.packs = packs;
    this.store = store;
  }

  /** Gives back every session due at {@code now}, its audit entries written with {@code cause}. */
  public Run giveBack(Instant now, Cause cause) throws SQLException {
    int givenBack = 0;
    int failed = 0;
    for (String session : due()) {
      List<Runnable> after = new ArrayList<>();
      try {
        if (Transactions.<Boolean, StripeFailure>inTransaction(
            dataSource, c -> giveBack(c, session, now, cause, after))) {
          givenBack++;
          after.forEach(Runnable::run);
        }
      } catch (StripeFailure e) {
        // rolled back: the next run tries again, under the same idempotency keys
        failed++;
        log.warn(
            "Stripe Checkout Session {} not given back yet: {}",
            SafeText.forLog(session),
            SafeText.forLog(e.getMessage()));
      }
    }
    return new Run(givenBack, failed);
  }

  private List<String> due() throws SQLException {
    List<String> sessions = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement = DUE.prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        sessions.add(rs.getString(1));
      }
    }
    return sessions;
  }

  /** Gives the session back; false when it is no longer due (another node's run gave it back). */
  private boolean giveBack(
      Connection c, String session, Instant now, Cause cause, List<Runnable> after)
      throws SQLException, StripeFailure {
    Optional<Due> held = hold(c, session);
    if (held.isEmpty()) {
      return false;
    }
    Due due = held.get();
    if (due.paymentIntent() != null) {
      PaymentIntentLock.hold(c, due.paymentIntent()); // a charge.refunded of it waits
    }
    String why = "organization %s was closed at %s".formatted(due.account(), due.closedAt());
    String givenBack =
        due.kind().equals("plan")
            ? plan(c, session, due.account(), now)
            : purchase(c, session, due, now, cause, after);
    records.recordUngranted(
        c,
        cause,
        new CheckoutRefused(
            due.account(),
            session,
            due.kind(),
            due.kind().equals("plan") ? planOf(c, session) : null,
            due.kind().equals("plan") ? null : due.item(),
            why,
            givenBack,
            now),
        after);
    if (due.kind().equals("plan")) {
      CheckoutSessions.refused(c, session, why, givenBack, now);
    }
    return true;
  }

  /** A pack's or store item's payment refunded at Stripe, the purchase ended. */
  private String purchase(
      Connection c, String session, Due due, Instant now, Cause cause, List<Runnable> after)
      throws SQLException, StripeFailure {
    if (due.paymentIntent() == null || due.price() == null) {
      // completed before payments were recorded with their sessions (V58)
      return "nothing: the session's payment is not recorded here; refund it in Stripe's"
          + " Dashboard";
    }
    Currency currency = Currency.getInstance(due.currency());
    String givenBack =
        undo.refundPayment(
            due.paymentIntent(),
            StripeAmounts.toMinorUnits(due.price(), currency),
            due.currency().toLowerCase(Locale.ROOT),
            session);
    Optional<Runnable> ended =
        due.kind().equals("pack")
            ? packs.refundedAtStripe(c, due.paymentIntent(), due.price(), now, cause)
            : store.refundedAtStripe(c, due.paymentIntent(), due.price(), now, cause);
    ended.ifPresent(after::add);
    return givenBack;
  }

  /** A plan's subscription cancelled and the payment of its session refunded, if it took one. */
  private String plan(Connection c, String session, String account, Instant now)
      throws SQLException, StripeFailure {
    Optional<String> subscription = StripeSubscriptions.liveOf(c, account);
    if (subscription.isEmpty()) {
      return "nothing: the organization has no live subscription (a setup-mode session took no"
          + " money)";
    }
    String givenBack = undo.cancelAndRefund(subscription.get(), null, session);
    StripeSubscriptions.cancelled(c, subscription.get(), now, now);
    StripeSubscriptions.givenBack(c, subscription.get(), givenBack);
    return givenBack;
  }

  private static String planOf(Connection c, String session) throws SQLException {
    return CheckoutSessions.find(c, session).map(CheckoutSessions.Created::planId).orElse(null);
  }

  private static Optional<Due> hold(Connection c, String session) throws SQLException {
    try (PreparedStatement statement = HOLD.bind("session", session).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(
          new Due(
              rs.getString(1),
              rs.getString(2),
              rs.getString(3),
              rs.getTimestamp(4).toInstant(),
              rs.getString(5),
              rs.getBigDecimal(6),
              rs.getString(7)));
    }
  }

  /** A session due, held: what it bought (a pack's or store item's) and at what price. */
  private record Due(
      String account,
      String kind,
      String paymentIntent,
      Instant closedAt,
      String item,
      BigDecimal price,
      String currency) {}
}

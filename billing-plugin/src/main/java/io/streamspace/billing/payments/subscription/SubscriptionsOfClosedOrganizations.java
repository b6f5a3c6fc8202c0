package io.streamspace.billing.payments.subscription;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.stripe.ClosingCancellation;
import io.streamspace.billing.stripe.StripeFailure;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the Stripe Subscriptions of closed organizations. Nothing is billed after an
 * organization's closing, but a Subscription it started before goes on charging its plan fee at
 * Stripe until cancelled; so each live subscription of a closed organization is cancelled at
 * Stripe and what it paid for its period after the closing refunded ({@link
 * ClosingCancellation}), in a transaction of its own: marked {@value StripeSubscriptions#CANCELED}
 * with what was given back ({@code given_back}) and audited as {@code subscription.cancelled}. A
 * failure at Stripe rolls the subscription's transaction back and the next run tries again until
 * {@code given_back} says it is done, whatever the status its deletion's event left meanwhile.
 * collect-payments runs it every minute, after {@code CheckoutsPaidAfterClosing}, which gives back
 * in full a subscription whose Checkout was paid after the closing.
 */
public final class SubscriptionsOfClosedOrganizations {

  /** What a run ended, and how many it left for the next run (Stripe failed). */
  public record Run(int cancelled, int failed) {}

  private static final Logger log =
      LoggerFactory.getLogger(SubscriptionsOfClosedOrganizations.class);

  // a subscription s of the closed account a not ended by the plugin yet: live, or cancelled
  // since the closing (a cancel of ours whose refund failed, its deletion applied meanwhile)
  private static final String NOT_ENDED_BY_US =
      "s.given_back IS NULL AND (s.status <> 'canceled' OR s.event_at >= a.closed_at)";

  // from the few closed accounts (billing_accounts_closed) to their subscriptions by account; an
  // account with a plan Checkout paid after the closing waits for CheckoutsPaidAfterClosing,
  // which gives that subscription back in full
  private static final NamedSql DUE =
      NamedSql.of(
          """
          SELECT s.subscription_id FROM billing_accounts a
          JOIN billing_stripe_subscriptions s ON s.account_id = a.user_id AND %s
          WHERE a.closed_at IS NOT NULL
            AND NOT EXISTS (
              SELECT 1 FROM billing_stripe_checkouts c
              WHERE c.account_id COLLATE "C" = a.user_id AND c.kind = 'plan'
                AND c.completed_at >= a.closed_at AND c.refusal IS NULL
                AND NOT EXISTS (SELECT 1 FROM billing_checkout_sessions x
                                WHERE x.session_id = c.session_id AND x.status = 'refused'))
          ORDER BY s.subscription_id"""
              .formatted(NOT_ENDED_BY_US));

  // the subscription, held, while still due
  private static final NamedSql HOLD =
      NamedSql.of(
          """
          SELECT s.account_id, s.status, a.closed_at FROM billing_stripe_subscriptions s
          JOIN billing_accounts a ON a.user_id = s.account_id
          WHERE s.subscription_id = :id AND a.closed_at IS NOT NULL AND %s
          FOR UPDATE OF s"""
              .formatted(NOT_ENDED_BY_US));

  private final DataSource dataSource;
  private final ClosingCancellation stripe;

  public SubscriptionsOfClosedOrganizations(DataSource dataSource, ClosingCancellation stripe) {
    this.dataSource = dataSource;
    this.stripe = stripe;
  }

  /** Ends every live subscription of a closed organization, audited at {@code now}. */
  public Run cancel(Instant now, Cause cause) throws SQLException {
    int cancelled = 0;
    int failed = 0;
    for (String subscription : due()) {
      try {
        if (Transactions.<Boolean, StripeFailure>inTransaction(
            dataSource, c -> cancel(c, subscription, now, cause))) {
          cancelled++;
        }
      } catch (StripeFailure e) {
        failed++;
        log.warn(
            "Stripe Subscription {} of a closed organization not cancelled yet: {}",
            subscription,
            e.getMessage());
      }
    }
    return new Run(cancelled, failed);
  }

  private List<String> due() throws SQLException {
    List<String> subscriptions = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement = DUE.prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        subscriptions.add(rs.getString(1));
      }
    }
    return subscriptions;
  }

  /** Ends it; false when it is no longer due (another node's run ended it, or its deletion). */
  private boolean cancel(Connection c, String subscription, Instant now, Cause cause)
      throws SQLException, StripeFailure {
    Optional<Held> held = hold(c, subscription);
    if (held.isEmpty()) {
      return false;
    }
    String givenBack = stripe.cancel(subscription, held.get().closedAt());
    StripeSubscriptions.cancelled(c, subscription, now, now);
    StripeSubscriptions.givenBack(c, subscription, givenBack);
    Map<String, Object> after = new LinkedHashMap<>();
    after.put("status", StripeSubscriptions.CANCELED);
    after.put("reason", "the organization was closed at " + held.get().closedAt());
    after.put("given_back", givenBack);
    AuditTrail.record(
        c,
        new AuditEntry(
            now,
            cause,
            held.get().account(),
            AuditKinds.SUBSCRIPTION_CANCELLED,
            "subscription:" + subscription,
            Map.of("status", held.get().status()),
            after));
    log.info(
        "Stripe Subscription {} of closed organization {} ended: {}",
        subscription,
        held.get().account(),
        givenBack);
    return true;
  }

  private static Optional<Held> hold(Connection c, String subscription) throws SQLException {
    try (PreparedStatement statement = HOLD.bind("id", subscription).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      return rs.next()
          ? Optional.of(new Held(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()))
          : Optional.empty();
    }
  }

  private record Held(String account, String status, Instant closedAt) {}
}

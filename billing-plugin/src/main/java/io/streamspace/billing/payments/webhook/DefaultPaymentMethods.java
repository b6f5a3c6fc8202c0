package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.stripe.StripeEvent;
import io.streamspace.common.text.SafeText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default payment method of each Stripe customer of ours ({@code billing_stripe_customers}),
 * which collection charges, kept as Stripe's events say it, in their transaction. Each change
 * is stamped with its event's creation time at Stripe, and an event older than the last change
 * changes nothing: state follows Stripe's time, not the order events arrive in. A detached method
 * is kept in {@code billing_stripe_detached_methods} and never becomes a default again (Stripe
 * never attaches it again), whichever older event about it arrives after. An id only. A default
 * that became another method is answered, for the collection to try the account's unpaid
 * invoices again with it.
 *
 * <p>A {@code customer.updated} acts only when it changed {@code
 * invoice_settings.default_payment_method} ({@code previous_attributes} names it): Stripe sends
 * one for any edit of the customer (an email changed in the Portal), carrying its default, null
 * after a setup-mode Checkout (which never sets it), which must not erase the card we keep. The
 * card a plan's Checkout saves becomes the default by its {@code setup_intent.succeeded}
 * (metadata {@code kind} {@code plan}, put there by {@code StripeCheckout}), even when the
 * customer has one: the customer chose it for the plan; its {@code payment_method.attached}
 * makes it the default of a customer without one only.
 */
final class DefaultPaymentMethods {

  static final String ATTACHED = "payment_method.attached";
  static final String DETACHED = "payment_method.detached";
  static final String CUSTOMER_UPDATED = "customer.updated";
  static final String SETUP_SUCCEEDED = "setup_intent.succeeded";

  private static final String DEFAULT = "invoice_settings/default_payment_method";

  private static final Logger log = LoggerFactory.getLogger(DefaultPaymentMethods.class);

  private static final String NEWER =
      "(s.default_payment_method_at IS NULL OR s.default_payment_method_at <= :at)";

  private static final String NOT_DETACHED =
      "NOT EXISTS (SELECT 1 FROM billing_stripe_detached_methods WHERE payment_method = :method)";

  // answers whether the account's default became another method, not none (the joined row is
  // the one before the change: the statement's snapshot)
  private static final String CHANGE =
      """
      UPDATE billing_stripe_customers s
      SET default_payment_method = :method, default_payment_method_at = :at
      FROM billing_stripe_customers before
      WHERE before.account_id = s.account_id AND s.customer_id = :customer AND %s AND %s
      RETURNING s.account_id, s.default_payment_method IS NOT NULL
          AND s.default_payment_method IS DISTINCT FROM before.default_payment_method""";

  private static final NamedSql SET = NamedSql.of(CHANGE.formatted(NEWER, NOT_DETACHED));

  // a method attached to a customer without a default becomes it (Checkout's setup saves one)
  private static final NamedSql ATTACH =
      NamedSql.of(CHANGE.formatted("s.default_payment_method IS NULL AND " + NEWER, NOT_DETACHED));

  // a detached method is remembered, and is no longer anyone's default whatever the stamps say
  // (Stripe sends it with customer null)
  private static final NamedSql DETACH =
      NamedSql.of(
          """
          WITH detached AS (
            INSERT INTO billing_stripe_detached_methods (payment_method, detached_at)
            VALUES (:method, :at) ON CONFLICT DO NOTHING)
          UPDATE billing_stripe_customers
          SET default_payment_method = NULL,
              default_payment_method_at = greatest(default_payment_method_at, :at)
          WHERE default_payment_method = :method""");

  private DefaultPaymentMethods() {}

  /**
   * Applies a payment method, customer or SetupIntent event in the caller's transaction.
   *
   * @return the account whose default payment method became another method (not none)
   */
  static Optional<String> apply(Connection c, StripeEvent event) throws SQLException {
    String id = event.text("id");
    if (event.type().equals(DETACHED)) {
      int changed = DETACH.bind("method", id).bind("at", event.created()).update(c);
      log.debug(
          "Stripe event {} ({}) unset {} default payment methods",
          SafeText.forLog(event.id()),
          SafeText.forLog(id),
          changed);
      return Optional.empty();
    }
    Optional<NamedSql.Binding> change = change(event);
    if (change.isEmpty()) {
      log.debug(
          "Stripe event {} ({}) changes no default payment method",
          SafeText.forLog(event.id()),
          SafeText.forLog(id));
      return Optional.empty();
    }
    try (PreparedStatement s = change.get().bind("at", event.created()).prepare(c);
        ResultSet rs = s.executeQuery()) {
      boolean another = rs.next() && rs.getBoolean(2);
      log.debug(
          "Stripe event {} ({}) set a new default payment method: {}",
          SafeText.forLog(event.id()),
          SafeText.forLog(id),
          SafeText.forLog(another));
      return another ? Optional.of(rs.getString(1)) : Optional.empty();
    }
  }

  /** The change of default an attach, a customer or a SetupIntent event makes; empty: none. */
  private static Optional<NamedSql.Binding> change(StripeEvent event) {
    String id = event.text("id");
    return switch (event.type()) {
      case ATTACHED ->
          Optional.of(ATTACH.bind("customer", event.text("customer")).bind("method", id));
      case SETUP_SUCCEEDED -> {
        String method = event.text("payment_method");
        yield "plan".equals(event.text("metadata/kind")) && method != null
            ? Optional.of(SET.bind("customer", event.text("customer")).bind("method", method))
            : Optional.empty();
      }
      default ->
          event.changed(DEFAULT)
              ? Optional.of(SET.bind("customer", id).bind("method", event.text(DEFAULT)))
              : Optional.empty();
    };
  }
}

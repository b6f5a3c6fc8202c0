package io.streamspace.billing.payments;

import io.streamspace.billing.db.NamedSql;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default payment method of each Stripe customer of ours ({@code billing_stripe_customers}),
 * which collection charges, kept as Stripe's events say it, in their transaction. Each change
 * is stamped with its event's creation time at Stripe, and an event older than the last change
 * changes nothing: state follows Stripe's time, not the order events arrive in. A detached method
 * is kept in {@code billing_stripe_detached_methods} and never becomes a default again (Stripe
 * never attaches it again), whichever older event about it arrives after. An id only.
 */
final class DefaultPaymentMethods {

  static final String ATTACHED = "payment_method.attached";
  static final String DETACHED = "payment_method.detached";
  static final String CUSTOMER_UPDATED = "customer.updated";

  private static final Logger log = LoggerFactory.getLogger(DefaultPaymentMethods.class);

  private static final String NEWER =
      "(default_payment_method_at IS NULL OR default_payment_method_at <= :at)";

  private static final String NOT_DETACHED =
      "NOT EXISTS (SELECT 1 FROM billing_stripe_detached_methods WHERE payment_method = :method)";

  private static final NamedSql SET =
      NamedSql.of(
          """
          UPDATE billing_stripe_customers
          SET default_payment_method = :method, default_payment_method_at = :at
          WHERE customer_id = :customer AND %s AND %s"""
              .formatted(NEWER, NOT_DETACHED));

  // a method attached to a customer without a default becomes it (Checkout's setup saves one)
  private static final NamedSql ATTACH =
      NamedSql.of(
          """
          UPDATE billing_stripe_customers
          SET default_payment_method = :method, default_payment_method_at = :at
          WHERE customer_id = :customer AND default_payment_method IS NULL AND %s AND %s"""
              .formatted(NEWER, NOT_DETACHED));

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

  /** Applies a payment method or customer event in the caller's transaction. */
  static void apply(Connection c, StripeEvent event) throws SQLException {
    String id = event.text("id");
    NamedSql.Binding change =
        switch (event.type()) {
          case ATTACHED -> ATTACH.bind("customer", event.text("customer")).bind("method", id);
          case DETACHED -> DETACH.bind("method", id);
          default ->
              SET.bind("customer", id)
                  .bind("method", event.text("invoice_settings/default_payment_method"));
        };
    int changed = change.bind("at", event.created()).update(c);
    log.debug("Stripe event {} ({}) changed {} default payment methods", event.id(), id, changed);
  }
}

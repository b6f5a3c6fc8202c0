package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.stripe.StripeEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * What one type of Stripe event does to our records, on the connection of the transaction that
 * records the event applied ({@link StripePayments}); what is to be announced once that commits
 * is added to {@code afterCommit}.
 */
@FunctionalInterface
interface EventHandler {

  void apply(Connection c, StripeEvent event, Instant now, List<Runnable> afterCommit)
      throws SQLException;
}

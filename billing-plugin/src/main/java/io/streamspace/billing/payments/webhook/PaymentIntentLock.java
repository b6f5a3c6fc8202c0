package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.db.NamedSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Makes the events of one PaymentIntent take turns: a Checkout session's completion and a
 * {@code charge.refunded} of its payment, delivered at once, each read what the other stored only
 * once it committed, so a full refund arriving beside the completion never leaves the pack or
 * store item granted (each, uncommitted, saw nothing of the other). Held to the end of the event's
 * transaction.
 */
final class PaymentIntentLock {

  // the lock's space ("stripepi" in ASCII); two intents of one hash merely take turns
  private static final NamedSql HOLD =
      NamedSql.of("SELECT pg_advisory_xact_lock(:space, hashtext(:intent))");

  private static final int SPACE = 0x73747069;

  private PaymentIntentLock() {}

  /** Holds the lock of {@code intent} for the caller's transaction. */
  static void hold(Connection c, String intent) throws SQLException {
    try (PreparedStatement statement =
        HOLD.bind("space", SPACE).bind("intent", intent).prepare(c)) {
      statement.executeQuery().close();
    }
  }
}

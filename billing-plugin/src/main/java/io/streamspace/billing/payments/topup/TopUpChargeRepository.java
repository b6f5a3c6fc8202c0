package io.streamspace.billing.payments.topup;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Currency;
import java.util.Optional;

/**
 * The statements of the auto top-up queue, {@code billing_top_up_charges} (V67), each in the
 * caller's connection and transaction. As for invoice collections, a claimed attempt is changed
 * only while its lease holds: still pending and not claimed again since ({@code tries} as the
 * claim left it).
 */
final class TopUpChargeRepository {

  // leases the next due attempt: due again only once the lease is over (a node that died)
  private static final NamedSql CLAIM =
      NamedSql.of(
          """
          UPDATE billing_top_up_charges t
          SET due_at = :lease_end, tries = t.tries + 1, updated_at = :now
          WHERE t.id = (SELECT id FROM billing_top_up_charges
                        WHERE state = 'pending' AND due_at <= :now
                        ORDER BY due_at, id LIMIT 1
                        FOR UPDATE SKIP LOCKED)
          RETURNING t.id, t.org_id, t.currency, t.crossed_at, t.attempt, t.tries, t.amount,
              t.month, t.payment_method, t.first_sent_at,
              (SELECT s.customer_id FROM billing_stripe_customers s
               WHERE s.account_id = t.org_id),
              (SELECT s.default_payment_method FROM billing_stripe_customers s
               WHERE s.account_id = t.org_id)""");

  private static final NamedSql CHOSEN = leased("amount = :amount, month = :month");

  private static final NamedSql METHOD_KEPT =
      leased("payment_method = :method, first_sent_at = :now");

  // due_at back from the lease's end to when it was settled
  private static final NamedSql SETTLE =
      leased(
          "state = :state, reason = :reason, last_error = :error,"
              + " payment_intent_id = :payment_intent_id, due_at = :now");

  private static final NamedSql DEFER = leased("due_at = :due_at, last_error = :error");

  private static final NamedSql RETRY =
      NamedSql.of(
          """
          INSERT INTO billing_top_up_charges (org_id, currency, crossed_at, attempt, due_at,
              created_at, updated_at)
          SELECT org_id, currency, crossed_at, attempt + 1, :due_at, :now, :now
          FROM billing_top_up_charges WHERE id = :id
          ON CONFLICT DO NOTHING""");

  // the PaymentIntent took the money: final, whatever the attempt's state was but a success
  private static final NamedSql SUCCEEDED =
      NamedSql.of(
          """
          UPDATE billing_top_up_charges
          SET state = 'succeeded', payment_intent_id = :payment_intent_id, reason = NULL,
              updated_at = :now
          WHERE id = :id AND org_id = :org_id AND state <> 'succeeded'
            AND (payment_intent_id IS NULL OR payment_intent_id = :payment_intent_id)""");

  // the attempt that sent this PaymentIntent and waits for it, or whose call is under way or was
  // never answered (pending, tried): Stripe made the PaymentIntent under its key
  private static final NamedSql DECLINED_LATER =
      NamedSql.of(
          """
          UPDATE billing_top_up_charges
          SET state = 'failed', reason = :reason, last_error = :error,
              payment_intent_id = :payment_intent_id,
              due_at = CASE WHEN state = 'pending' THEN :now ELSE due_at END, updated_at = :now
          WHERE id = :id AND org_id = :org_id
            AND (state = 'sent' AND payment_intent_id = :payment_intent_id
              OR state = 'pending' AND tries > 0 AND payment_intent_id IS NULL)
          RETURNING id, org_id, currency, crossed_at, attempt, tries, amount, month,
              payment_method, first_sent_at""");

  private static final NamedSql FIND =
      NamedSql.of(
          """
          SELECT id, org_id, currency, crossed_at, attempt, tries, amount, month, payment_method,
              first_sent_at
          FROM billing_top_up_charges WHERE id = :id AND org_id = :org_id""");

  // the attempt charged a card that is no longer the organization's kept default
  private static final NamedSql CARD_CHANGED =
      NamedSql.of(
          """
          SELECT 1 FROM billing_top_up_charges t
          JOIN billing_stripe_customers s ON s.account_id = t.org_id
          WHERE t.id = :id AND s.default_payment_method <> t.payment_method""");

  private static final NamedSql BACKLOG =
      NamedSql.of("SELECT count(*) FROM billing_top_up_charges WHERE state = 'pending'");

  private TopUpChargeRepository() {}

  private static NamedSql leased(String set) {
    return NamedSql.of(
        "UPDATE billing_top_up_charges SET "
            + set
            + ", updated_at = :now WHERE id = :id AND state = 'pending' AND tries = :tries");
  }

  /** Claims the next due attempt of any node's queue, leased until {@code leaseEnd}. */
  static Optional<TopUpCharge> claim(Connection c, Instant leaseEnd, Instant now)
      throws SQLException {
    try (PreparedStatement statement =
            CLAIM.bind("lease_end", leaseEnd).bind("now", now).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      return rs.next()
          ? Optional.of(charge(rs, rs.getString(11), rs.getString(12)))
          : Optional.empty();
    }
  }

  /** Keeps the amount its first try chose, counted against {@code month}; false if not ours. */
  static boolean chosen(
      Connection c, TopUpCharge charge, BigDecimal amount, LocalDate month, Instant now)
      throws SQLException {
    return leased(c, charge, CHOSEN.bind("amount", amount).bind("month", month).bind("now", now));
  }

  /** Keeps the method its first try charges, sent now; false if the lease is lost. */
  static boolean methodKept(Connection c, TopUpCharge charge, String method, Instant now)
      throws SQLException {
    return leased(c, charge, METHOD_KEPT.bind("method", method).bind("now", now));
  }

  /** The attempt's end; false if the lease is lost. */
  static boolean settle(
      Connection c,
      TopUpCharge charge,
      String state,
      String reason,
      String error,
      String paymentIntentId,
      Instant now)
      throws SQLException {
    return leased(
        c,
        charge,
        SETTLE
            .bind("state", state)
            .bind("reason", reason)
            .bind("error", error)
            .bind("payment_intent_id", paymentIntentId)
            .bind("now", now));
  }

  /** The attempt pending again, due at {@code dueAt}; false if the lease is lost. */
  static boolean defer(Connection c, TopUpCharge charge, Instant dueAt, String error, Instant now)
      throws SQLException {
    return leased(c, charge, DEFER.bind("due_at", dueAt).bind("error", error).bind("now", now));
  }

  /** The attempt after {@code charge}, of its crossing, due at {@code dueAt}. */
  static void retry(Connection c, long chargeId, Instant dueAt, Instant now) throws SQLException {
    RETRY.bind("id", chargeId).bind("due_at", dueAt).bind("now", now).update(c);
  }

  /** The attempt succeeded at Stripe: false when it had already (or is another's). */
  static boolean succeeded(
      Connection c, long chargeId, String orgId, String paymentIntentId, Instant now)
      throws SQLException {
    return SUCCEEDED
            .bind("id", chargeId)
            .bind("org_id", orgId)
            .bind("payment_intent_id", paymentIntentId)
            .bind("now", now)
            .update(c)
        == 1;
  }

  /**
   * Fails the attempt whose PaymentIntent Stripe declined after answering it, or whose call is
   * under way or was never answered; answers it as it was, empty when nothing of that kind was
   * there (a decline already failed at the call, a replay).
   */
  static Optional<TopUpCharge> declinedLater(
      Connection c,
      long chargeId,
      String orgId,
      String paymentIntentId,
      String reason,
      String error,
      Instant now)
      throws SQLException {
    try (PreparedStatement statement =
            DECLINED_LATER
                .bind("id", chargeId)
                .bind("org_id", orgId)
                .bind("payment_intent_id", paymentIntentId)
                .bind("reason", reason)
                .bind("error", error)
                .bind("now", now)
                .prepare(c);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.of(charge(rs, null, null)) : Optional.empty();
    }
  }

  /** The organization's attempt of that id, as it is now. */
  static Optional<TopUpCharge> find(Connection c, long chargeId, String orgId) throws SQLException {
    try (PreparedStatement statement = FIND.bind("id", chargeId).bind("org_id", orgId).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.of(charge(rs, null, null)) : Optional.empty();
    }
  }

  /** Whether the attempt charged a card that is no longer the customer's kept default. */
  static boolean cardChanged(Connection c, long chargeId) throws SQLException {
    try (PreparedStatement statement = CARD_CHANGED.bind("id", chargeId).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      return rs.next();
    }
  }

  /** How many attempts wait to be sent (due or not). */
  static long backlog(Connection c) throws SQLException {
    try (PreparedStatement statement = BACKLOG.prepare(c);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static boolean leased(Connection c, TopUpCharge charge, NamedSql.Binding statement)
      throws SQLException {
    return statement.bind("id", charge.id()).bind("tries", charge.tries()).update(c) == 1;
  }

  /** An attempt from the first ten columns of {@link #CLAIM}'s answer. */
  private static TopUpCharge charge(ResultSet rs, String customer, String customerDefault)
      throws SQLException {
    java.sql.Date month = rs.getDate(8);
    return new TopUpCharge(
        rs.getLong(1),
        rs.getString(2),
        Currency.getInstance(rs.getString(3).trim()),
        Sql.instant(rs.getTimestamp(4)),
        rs.getInt(5),
        rs.getInt(6),
        rs.getBigDecimal(7),
        month == null ? null : month.toLocalDate(),
        rs.getString(9),
        Sql.instant(rs.getTimestamp(10)),
        customer,
        customerDefault);
  }
}

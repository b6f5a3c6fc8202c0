package io.streamspace.billing.payments.collection;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.invoicing.InvoiceStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The statements of the collection queue, {@code billing_stripe_collections} (V19, V22, V23): one
 * row per attempt to collect an invoice, each in the caller's connection and transaction. A
 * claimed attempt is changed only while its lease holds: still pending and not claimed again
 * since ({@code tries} as the claim left it).
 */
final class CollectionRepository {

  private static final Logger log = LoggerFactory.getLogger(CollectionRepository.class);

  private static final NamedSql ENQUEUE =
      NamedSql.of(
          """
          INSERT INTO billing_stripe_collections (invoice_id, attempt, due_at, created_at,
              updated_at)
          VALUES (:invoice_id, :attempt, :due_at, :now, :now)
          ON CONFLICT DO NOTHING""");

  // the first attempts of a chunk of just-finalized invoices, each due at its finalization
  private static final NamedSql ENQUEUE_FIRST =
      NamedSql.of(
          """
          INSERT INTO billing_stripe_collections (invoice_id, attempt, due_at, created_at,
              updated_at)
          SELECT f.invoice_id, 1, f.at, f.at, f.at
          FROM unnest(:invoice_id::text[]::bigint[], :at::text[]::timestamptz[])
               AS f(invoice_id, at)
          ON CONFLICT DO NOTHING""");

  // leases the next due attempt: due again only once the lease is over (a node that died)
  private static final NamedSql CLAIM =
      NamedSql.of(
          """
          UPDATE billing_stripe_collections c
          SET due_at = :lease_end, tries = c.tries + 1, updated_at = :now
          FROM billing_invoices i LEFT JOIN billing_stripe_customers s ON s.account_id = i.user_id
          WHERE i.id = c.invoice_id AND (c.invoice_id, c.attempt) = (
              SELECT invoice_id, attempt FROM billing_stripe_collections
              WHERE state = 'pending' AND due_at <= :now
              ORDER BY due_at, invoice_id, attempt
              LIMIT 1
              FOR UPDATE SKIP LOCKED)
          RETURNING c.invoice_id, c.attempt, c.tries, i.user_id, i.status,
              i.total - i.credited_due AS total, i.currency,
              i.finalized_at, c.payment_method, c.amount_minor, c.first_sent_at, s.customer_id,
              s.default_payment_method""");

  private static final NamedSql CHOSEN =
      leased("payment_method = :method, amount_minor = :amount, first_sent_at = :now");

  // due_at back from the lease's end to when it was sent
  private static final NamedSql SETTLE =
      leased(
          "state = :state, last_error = :error, payment_intent_id = :payment_intent_id,"
              + " due_at = :now");

  private static final NamedSql DEFER = leased("due_at = :due_at, last_error = :error");

  // the attempt that sent this PaymentIntent and is waiting for its outcome, or the attempt
  // whose call is under way or was never answered (pending, tried): Stripe made the
  // PaymentIntent under its key, and the row lock orders this with the call's settling
  private static final NamedSql DECLINED_LATER =
      NamedSql.of(
          """
          UPDATE billing_stripe_collections c
          SET state = 'failed', last_error = :error, payment_intent_id = :payment_intent_id,
              due_at = CASE WHEN c.state = 'pending' THEN :now ELSE c.due_at END, updated_at = :now
          FROM billing_invoices i
          WHERE i.id = c.invoice_id AND c.invoice_id = :invoice_id AND c.attempt = :attempt
            AND (c.state = 'sent' AND c.payment_intent_id = :payment_intent_id
              OR c.state = 'pending' AND c.tries > 0 AND c.payment_intent_id IS NULL)
          RETURNING i.finalized_at""");

  // a new default payment method: an attempt of an open invoice of the account never claimed
  // (so nothing chosen, nothing sent) is due now, to be charged with it at once
  private static final NamedSql DUE_NOW_WITH_NEW_METHOD =
      NamedSql.of(
          """
          UPDATE billing_stripe_collections c SET due_at = :now, updated_at = :now
          FROM billing_invoices i
          WHERE i.id = c.invoice_id AND i.user_id = :account AND i.status IN ('sent', 'overdue')
            AND c.state = 'pending' AND c.tries = 0 AND c.due_at > :now""");

  // a new default payment method: one more attempt, due now, for each open invoice of the
  // account no attempt is pending or waiting for
  private static final NamedSql RETRY_WITH_NEW_METHOD =
      NamedSql.of(
          """
          INSERT INTO billing_stripe_collections (invoice_id, attempt, due_at, created_at,
              updated_at)
          SELECT i.id, coalesce(max(c.attempt), 0) + 1, :now, :now, :now
          FROM billing_invoices i JOIN billing_stripe_collections c ON c.invoice_id = i.id
          WHERE i.user_id = :account AND i.status IN ('sent', 'overdue')
            AND i.total > i.credited_due
          GROUP BY i.id
          HAVING count(*) FILTER (WHERE c.state IN ('pending', 'sent')) = 0
          ON CONFLICT DO NOTHING""");

  // the attempt charged a card that is no longer the account's kept default: the customer gave
  // another since the attempt chose
  private static final NamedSql CARD_CHANGED =
      NamedSql.of(
          """
          SELECT 1 FROM billing_stripe_collections c
          JOIN billing_invoices i ON i.id = c.invoice_id
          JOIN billing_stripe_customers s ON s.account_id = i.user_id
          WHERE c.invoice_id = :invoice_id AND c.attempt = :attempt
            AND s.default_payment_method <> c.payment_method""");

  private static final NamedSql BACKLOG =
      NamedSql.of("SELECT count(*) FROM billing_stripe_collections WHERE state = 'pending'");

  private CollectionRepository() {}

  /** An update of a claimed attempt that holds only while the claim's lease does. */
  private static NamedSql leased(String set) {
    return NamedSql.of(
        "UPDATE billing_stripe_collections SET "
            + set
            + ", updated_at = :now"
            + " WHERE invoice_id = :invoice_id AND attempt = :attempt AND state = 'pending'"
            + " AND tries = :tries");
  }

  /** Queues an attempt, due at {@code due}; nothing if it is queued already. */
  static void enqueue(Connection c, long invoiceId, int attempt, Instant due, Instant now)
      throws SQLException {
    ENQUEUE
        .bind("invoice_id", invoiceId)
        .bind("attempt", attempt)
        .bind("due_at", due)
        .bind("now", now)
        .update(c);
  }

  /**
   * Queues the first attempt of each invoice, due at its finalization, in one statement;
   * nothing for one queued already.
   */
  static void enqueueFirst(Connection c, List<Long> invoiceIds, List<Instant> finalizedAt)
      throws SQLException {
    if (invoiceIds.isEmpty()) {
      return;
    }
    ENQUEUE_FIRST
        .bind("invoice_id", SqlArrays.array(c, invoiceIds, id -> id))
        .bind("at", SqlArrays.array(c, finalizedAt, at -> at))
        .update(c);
  }

  /**
   * Claims the next due attempt, of any node's queue ({@code FOR UPDATE SKIP LOCKED}), leased
   * until {@code leaseEnd}: due again then, should this claim never settle it.
   */
  static Optional<Attempt> claim(Connection c, Instant leaseEnd, Instant now) throws SQLException {
    try (PreparedStatement statement =
            CLAIM.bind("lease_end", leaseEnd).bind("now", now).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(
          new Attempt(
              rs.getLong("invoice_id"),
              rs.getInt("attempt"),
              rs.getInt("tries"),
              rs.getString("user_id"),
              InvoiceStatus.of(rs.getString("status")),
              rs.getBigDecimal("total"),
              Currency.getInstance(rs.getString("currency")),
              rs.getTimestamp("finalized_at").toInstant(),
              rs.getString("payment_method"),
              rs.getObject("amount_minor", Long.class),
              instant(rs.getTimestamp("first_sent_at")),
              rs.getString("customer_id"),
              rs.getString("default_payment_method")));
    }
  }

  /** Keeps the method and amount of the attempt's first try; false if the lease is lost. */
  static boolean keepChoice(Connection c, Attempt attempt, String method, long amount, Instant now)
      throws SQLException {
    return leased(
        attempt, CHOSEN.bind("method", method).bind("amount", amount).bind("now", now), c);
  }

  /** The attempt's end, due at {@code now} again; false if the lease is lost. */
  static boolean settle(
      Connection c,
      Attempt attempt,
      String state,
      String error,
      String paymentIntentId,
      Instant now)
      throws SQLException {
    return leased(
        attempt,
        SETTLE
            .bind("state", state)
            .bind("error", error)
            .bind("payment_intent_id", paymentIntentId)
            .bind("now", now),
        c);
  }

  /** The attempt pending again, due at {@code dueAt}; false if the lease is lost. */
  static boolean defer(Connection c, Attempt attempt, Instant dueAt, String error, Instant now)
      throws SQLException {
    return leased(attempt, DEFER.bind("due_at", dueAt).bind("error", error).bind("now", now), c);
  }

  /**
   * Fails the attempt that sent this PaymentIntent and still waits for it, or whose call is under
   * way or was never answered; answers its invoice's finalization time, empty when nothing of
   * that kind was there (a decline already failed at the call, a replay).
   */
  static Optional<Instant> failDeclinedLater(
      Connection c, long invoiceId, int attempt, String paymentIntentId, String why, Instant now)
      throws SQLException {
    try (PreparedStatement statement =
            DECLINED_LATER
                .bind("error", why)
                .bind("now", now)
                .bind("invoice_id", invoiceId)
                .bind("attempt", attempt)
                .bind("payment_intent_id", paymentIntentId)
                .prepare(c);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.of(rs.getTimestamp(1).toInstant()) : Optional.empty();
    }
  }

  /** The account's open invoices' attempts never claimed yet made due now; how many. */
  static int dueNowWithNewMethod(Connection c, String orgId, Instant now) throws SQLException {
    return DUE_NOW_WITH_NEW_METHOD.bind("account", orgId).bind("now", now).update(c);
  }

  /** One more attempt, due now, for each open invoice of the account none waits for; how many. */
  static int retryWithNewMethod(Connection c, String orgId, Instant now) throws SQLException {
    return RETRY_WITH_NEW_METHOD.bind("account", orgId).bind("now", now).update(c);
  }

  /** Whether the attempt charged a card that is no longer the customer's kept default. */
  static boolean cardChanged(Connection c, long invoiceId, int attempt) throws SQLException {
    try (PreparedStatement statement =
            CARD_CHANGED.bind("invoice_id", invoiceId).bind("attempt", attempt).prepare(c);
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

  /**
   * Runs a statement guarded by the attempt's lease; false (logged) when the lease is lost: the
   * webhook failed the attempt meanwhile, or it was claimed again after the lease ran out.
   */
  private static boolean leased(Attempt attempt, NamedSql.Binding statement, Connection c)
      throws SQLException {
    int changed =
        statement
            .bind("invoice_id", attempt.invoiceId())
            .bind("attempt", attempt.number())
            .bind("tries", attempt.tries())
            .update(c);
    if (changed == 0) {
      log.info(
          "collecting invoice {} (attempt {}): settled meanwhile by a webhook or another claim",
          attempt.invoiceId(),
          attempt.number());
    }
    return changed == 1;
  }

  private static Instant instant(Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }
}

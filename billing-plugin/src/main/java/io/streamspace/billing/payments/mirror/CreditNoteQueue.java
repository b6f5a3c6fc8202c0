package io.streamspace.billing.payments.mirror;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.stripe.CreditNoteGateway;
import io.streamspace.billing.stripe.CreditNoteGateway.Settlement;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.Optional;

/**
 * The statements of the credit notes' work at Stripe ({@code billing_credit_notes.stripe_*},
 * V82), each in the caller's connection and transaction: a pending note claimed with a lease
 * ({@code FOR UPDATE SKIP LOCKED}, due again once the lease is over), read with its invoice's
 * payment and Stripe mirror, and settled only while its lease holds ({@code stripe_attempts} as
 * the claim left it).
 */
final class CreditNoteQueue {

  /**
   * A claimed note and what it needs at Stripe.
   *
   * @param mirrorStatus its invoice's mirror row's status; null when it has none
   * @param payment the invoice's succeeded payment's id at Stripe ({@code pi_…}, {@code in_…})
   */
  record Claim(
      long id,
      String number,
      long invoiceId,
      String reason,
      Currency currency,
      BigDecimal total,
      BigDecimal dueLowered,
      String refund,
      int attempts,
      Instant firstSentAt,
      boolean refunded,
      String mirrorStatus,
      String stripeInvoice,
      String payment) {

    /** The mirror is not sent yet: its Stripe Credit Note waits for the Stripe invoice. */
    boolean waitsForMirror() {
      return "pending".equals(mirrorStatus);
    }

    /** What the gateway sends for it, or empty when nothing is left to send. */
    Optional<CreditNoteGateway.Send> send() {
      BigDecimal givenBack = total.subtract(dueLowered);
      boolean throughInvoice = payment != null && payment.startsWith("in_");
      boolean refunds =
          "payment_method".equals(refund) && givenBack.signum() > 0 && payment != null;
      String refundIntent = refunds && !throughInvoice ? payment : null;
      boolean mirrored = stripeInvoice != null && !"void".equals(mirrorStatus);
      if (refundIntent == null && !mirrored) {
        return Optional.empty();
      }
      // open at Stripe: what lowered our amount due lowers Stripe's; paid: all of it, settled
      Settlement settlement =
          dueLowered.signum() > 0
              ? Settlement.LOWERS_DUE
              : refunds && throughInvoice ? Settlement.REFUND : Settlement.OUT_OF_BAND;
      return Optional.of(
          new CreditNoteGateway.Send(
              id,
              number,
              invoiceId,
              reason,
              currency,
              refundIntent,
              givenBack,
              refunded,
              mirrored ? stripeInvoice : null,
              dueLowered.signum() > 0 ? dueLowered : total,
              settlement,
              firstSentAt));
    }
  }

  private static final NamedSql CLAIM =
      NamedSql.of(
          """
          UPDATE billing_credit_notes n
          SET stripe_next_try_at = :lease_end, stripe_attempts = n.stripe_attempts + 1,
              stripe_first_sent_at = coalesce(n.stripe_first_sent_at, :now)
          FROM billing_credit_notes o
          LEFT JOIN billing_stripe_invoices m ON m.invoice_id = o.invoice_id
          WHERE o.id = n.id AND n.id = (
              SELECT id FROM billing_credit_notes
              WHERE stripe_status = 'pending' AND stripe_next_try_at <= :now
                AND (CAST(:only AS bigint) IS NULL OR id = :only)
              ORDER BY stripe_next_try_at, id
              LIMIT 1
              FOR UPDATE SKIP LOCKED)
          RETURNING n.id, n.credit_note_number, n.invoice_id, n.reason, n.currency, n.total,
              n.due_lowered, n.refund, n.stripe_attempts, n.stripe_first_sent_at,
              n.stripe_refunded, m.status AS mirror_status, m.stripe_invoice_id,
              (SELECT p.payment_intent_id FROM billing_payments p
               WHERE p.invoice_id = n.invoice_id AND p.status IN ('succeeded', 'refunded')
               ORDER BY p.id DESC LIMIT 1) AS payment""");

  private static final NamedSql SETTLE =
      NamedSql.of(
          """
          UPDATE billing_credit_notes
          SET stripe_status = :status, stripe_next_try_at = :next_try_at,
              stripe_refunded = :refunded,
              stripe_credit_note_id = coalesce(:credit_note, stripe_credit_note_id),
              stripe_error = :error
          WHERE id = :id AND stripe_status = 'pending' AND stripe_attempts = :attempts""");

  private static final NamedSql BACKLOG =
      NamedSql.of("SELECT count(*) FROM billing_credit_notes WHERE stripe_status = 'pending'");

  private CreditNoteQueue() {}

  /**
   * Claims the next due note ({@code only} that one, when not null), of any node's queue, leased
   * until {@code leaseEnd}.
   */
  static Optional<Claim> claim(Connection c, Long only, Instant leaseEnd, Instant now)
      throws SQLException {
    try (PreparedStatement statement =
            CLAIM.bind("lease_end", leaseEnd).bind("now", now).bind("only", only).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(
          new Claim(
              rs.getLong("id"),
              rs.getString("credit_note_number"),
              rs.getLong("invoice_id"),
              rs.getString("reason"),
              Currency.getInstance(rs.getString("currency")),
              rs.getBigDecimal("total"),
              rs.getBigDecimal("due_lowered"),
              rs.getString("refund"),
              rs.getInt("stripe_attempts"),
              Sql.instant(rs.getTimestamp("stripe_first_sent_at")),
              rs.getBoolean("stripe_refunded"),
              rs.getString("mirror_status"),
              rs.getString("stripe_invoice_id"),
              rs.getString("payment")));
    }
  }

  /**
   * The claim's end: {@code status} ({@code pending} again, due at {@code nextTryAt}); false
   * when the lease is lost (claimed again after it ran out).
   */
  static boolean settle(
      Connection c,
      Claim claim,
      String status,
      boolean refunded,
      String creditNote,
      String error,
      Instant nextTryAt)
      throws SQLException {
    return SETTLE
            .bind("status", status)
            .bind("next_try_at", "pending".equals(status) ? nextTryAt : null)
            .bind("refunded", refunded)
            .bind("credit_note", creditNote)
            .bind("error", error)
            .bind("id", claim.id())
            .bind("attempts", claim.attempts())
            .update(c)
        == 1;
  }

  /** How many notes wait for their work at Stripe. */
  static long backlog(Connection c) throws SQLException {
    try (PreparedStatement statement = BACKLOG.prepare(c);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}

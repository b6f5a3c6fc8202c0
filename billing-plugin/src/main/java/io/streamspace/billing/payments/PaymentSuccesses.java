package io.streamspace.billing.payments;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.invoicing.InvoiceStatusChanges;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A succeeded PaymentIntent recorded in {@code billing_payments} and its invoice paid, in the
 * caller's transaction: the one way for both who learn of it, the webhook ({@code
 * payment_intent.succeeded}) and the collection queue (Stripe answering its call {@code
 * succeeded}). Idempotent per PaymentIntent, whichever comes first: a success replaces a recorded
 * failure, never another success, a mismatch or a refund, so the invoice is paid (and announced)
 * once. A refund seen before the success is applied with it.
 */
public final class PaymentSuccesses {

  /** The invoice a PaymentIntent collects: its account, currency and total. */
  public record Collected(long invoiceId, String orgId, Currency currency, BigDecimal total) {}

  /** What Stripe received: its PaymentIntent, charge, amount and currency, and when created. */
  public record Received(
      String paymentIntentId,
      String chargeId,
      BigDecimal amount,
      Currency currency,
      Instant createdAt) {}

  private static final Logger log = LoggerFactory.getLogger(PaymentSuccesses.class);

  // a success replaces a failure, never another success, a mismatch or a refund
  private static final NamedSql SUCCEEDED =
      NamedSql.of(
          """
          INSERT INTO billing_payments (invoice_id, user_id, amount, currency, status,
              payment_intent_id, charge_id, created_at, event_at, updated_at)
          VALUES (:invoice_id, :user_id, :amount, :currency, :status, :intent, :charge,
              :created, :event_at, :now)
          ON CONFLICT (payment_intent_id) DO UPDATE SET status = EXCLUDED.status,
              amount = EXCLUDED.amount, currency = EXCLUDED.currency,
              charge_id = EXCLUDED.charge_id, failure_code = NULL, failure_reason = NULL,
              event_at = EXCLUDED.event_at, updated_at = EXCLUDED.updated_at
          WHERE billing_payments.status = 'failed'
          RETURNING id""");

  // the refunds seen for a PaymentIntent, onto its payment, whichever of the two came first
  private static final NamedSql REFUNDED =
      NamedSql.of(
          """
          UPDATE billing_payments p SET
              amount_refunded = greatest(p.amount_refunded, r.amount_refunded),
              status = CASE WHEN p.status = 'succeeded'
                  AND greatest(p.amount_refunded, r.amount_refunded) >= p.amount
                  THEN 'refunded' ELSE p.status END,
              charge_id = coalesce(p.charge_id, r.charge_id), updated_at = :now
          FROM billing_stripe_refunds r
          WHERE p.payment_intent_id = :intent AND r.payment_intent_id = p.payment_intent_id
            AND r.currency = p.currency""");

  private final InvoiceStatusChanges invoices;

  public PaymentSuccesses(InvoiceStatusChanges invoices) {
    this.invoices = invoices;
  }

  /**
   * Records the success (at {@code at}) and, when Stripe received the invoice's total in its
   * currency, marks the invoice paid. Answers the invoice paid now, to {@link #announce} once the
   * caller committed; empty when the success was recorded already, the amount differs (recorded
   * {@code amount_mismatch}) or the invoice is not open.
   */
  public Optional<Invoice> record(
      Connection c, Collected invoice, Received payment, Instant at, Instant now, Cause cause)
      throws SQLException {
    boolean matches =
        payment.currency().equals(invoice.currency())
            && payment.amount().compareTo(invoice.total()) == 0;
    try (PreparedStatement s =
            SUCCEEDED
                .bind("invoice_id", invoice.invoiceId())
                .bind("user_id", invoice.orgId())
                .bind("amount", payment.amount())
                .bind("currency", payment.currency().getCurrencyCode())
                .bind("status", matches ? "succeeded" : "amount_mismatch")
                .bind("intent", payment.paymentIntentId())
                .bind("charge", payment.chargeId())
                .bind("created", payment.createdAt())
                .bind("event_at", at)
                .bind("now", now)
                .prepare(c);
        ResultSet rs = s.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty(); // this PaymentIntent's success was recorded already
      }
    }
    applyRefunds(c, payment.paymentIntentId(), now, cause);
    if (!matches) {
      log.warn(
          "Stripe PaymentIntent {} received {} {} for invoice {} of {} {}: not marked paid",
          payment.paymentIntentId(),
          payment.amount(),
          payment.currency(),
          invoice.invoiceId(),
          invoice.total(),
          invoice.currency());
      return Optional.empty();
    }
    String note = "paid through Stripe (" + payment.paymentIntentId() + ")";
    Optional<Invoice> paid = invoices.payInTransaction(c, invoice.invoiceId(), note, at, cause);
    if (paid.isEmpty()) {
      log.warn(
          "Stripe PaymentIntent {} succeeded for invoice {}, which is not open: recorded only",
          payment.paymentIntentId(),
          invoice.invoiceId());
    }
    return paid;
  }

  /** After the commit of {@link #record}: {@code billing.invoice.paid} and the lock lifted. */
  public void announce(Invoice paid) {
    invoices.announce(paid);
  }

  /**
   * The refunds seen for the PaymentIntent onto its recorded payment; how many rows changed. A
   * refunded amount that grew writes its {@code invoice.refunded} entry, the payment's refunded
   * amount and status before and after.
   */
  public static int applyRefunds(Connection c, String paymentIntentId, Instant now, Cause cause)
      throws SQLException {
    Optional<Refunded> before = refunded(c, paymentIntentId);
    int changed = REFUNDED.bind("intent", paymentIntentId).bind("now", now).update(c);
    Optional<Refunded> after = refunded(c, paymentIntentId);
    if (before.isPresent()
        && after.isPresent()
        && after.get().amountRefunded().compareTo(before.get().amountRefunded()) != 0) {
      AuditTrail.record(
          c,
          new AuditEntry(
              now,
              cause,
              after.get().userId(),
              AuditKinds.INVOICE_REFUNDED,
              "invoice:" + after.get().invoiceId(),
              before.get(),
              after.get()));
    }
    return changed;
  }

  /** What a refund changes of a payment, as its audit entry shows it. */
  record Refunded(
      long paymentId,
      long invoiceId,
      String userId,
      String paymentIntentId,
      String status,
      BigDecimal amountRefunded,
      String currency) {}

  // the payment locked: a refund of it read before and after its update in one transaction
  private static final NamedSql PAYMENT_REFUNDED =
      NamedSql.of(
          """
          SELECT id, invoice_id, user_id, payment_intent_id, status, amount_refunded, currency
          FROM billing_payments WHERE payment_intent_id = :intent FOR UPDATE""");

  private static Optional<Refunded> refunded(Connection c, String paymentIntentId)
      throws SQLException {
    try (PreparedStatement s = PAYMENT_REFUNDED.bind("intent", paymentIntentId).prepare(c);
        ResultSet rs = s.executeQuery()) {
      return rs.next()
          ? Optional.of(
              new Refunded(
                  rs.getLong(1),
                  rs.getLong(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getBigDecimal(6),
                  rs.getString(7)))
          : Optional.empty();
    }
  }
}

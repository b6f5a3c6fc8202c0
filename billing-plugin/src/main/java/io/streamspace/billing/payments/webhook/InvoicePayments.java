package io.streamspace.billing.payments.webhook;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.payments.Payment;
import io.streamspace.billing.payments.PaymentQueries;
import io.streamspace.billing.payments.PaymentSuccesses;
import io.streamspace.billing.stripe.StripeAmounts;
import io.streamspace.billing.stripe.StripeEvent;
import io.streamspace.common.text.SafeText;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An event's object (a PaymentIntent, or a Stripe invoice mirroring ours) read as a payment of
 * one of our invoices, and its success or failure recorded: what {@link PaymentIntentEvents} and
 * {@link StripeInvoiceEvents} share. A success is final (a failure delivered after it changes
 * nothing); of two failures the later one at Stripe is kept.
 */
final class InvoicePayments {

  // logged under the webhook's name, where operators read the lines of Stripe's events
  private static final Logger log = LoggerFactory.getLogger(StripePayments.class);

  // a failure replaces an earlier failure only: after a success it is out of order
  private static final NamedSql FAILED =
      NamedSql.of(
          """
          INSERT INTO billing_payments (invoice_id, user_id, amount, currency, status,
              payment_intent_id, failure_code, failure_reason, created_at, event_at, updated_at)
          VALUES (:invoice_id, :user_id, :amount, :currency, 'failed', :intent, :code, :reason,
              :created, :event_at, :now)
          ON CONFLICT (payment_intent_id) DO UPDATE SET failure_code = EXCLUDED.failure_code,
              failure_reason = EXCLUDED.failure_reason, event_at = EXCLUDED.event_at,
              updated_at = EXCLUDED.updated_at
          WHERE billing_payments.status = 'failed'
            AND billing_payments.event_at <= EXCLUDED.event_at
          RETURNING id""");

  private static final NamedSql INVOICE =
      NamedSql.of(
          """
          SELECT user_id, currency, total - credited_due, credited_due FROM billing_invoices
          WHERE id = :id""");

  private InvoicePayments() {}

  /**
   * Our invoice of the metadata of the event's PaymentIntent (or Stripe invoice), as it is to be
   * paid; empty when not ours: no such invoice, or the metadata's {@code account_id} is not the
   * invoice's account. Its {@code total} is what is left to pay of it: its total less what its
   * credit notes took off what was due ({@code creditedDue}).
   */
  record Payable(
      long invoiceId, String orgId, Currency currency, BigDecimal total, BigDecimal creditedDue) {}

  /**
   * What the event's object pays: our invoice ({@link #payable}), and the amount of its member
   * {@code amountMember} in its currency; empty when not ours or the amount is odd.
   */
  record Paying(Payable invoice, BigDecimal amount, Currency currency) {}

  private static Optional<Payable> payable(Connection c, StripeEvent event) throws SQLException {
    String invoiceId = event.text("metadata/invoice_id");
    if (invoiceId == null || !invoiceId.matches("[0-9]{1,18}")) {
      log.info(
          "Stripe event {}: its {} pays no invoice of ours",
          SafeText.forLog(event.id()),
          SafeText.forLog(event.text("object")));
      return Optional.empty();
    }
    try (PreparedStatement s = INVOICE.bind("id", Long.parseLong(invoiceId)).prepare(c);
        ResultSet rs = s.executeQuery()) {
      if (!rs.next()) {
        log.warn(
            "Stripe event {}: no invoice {}",
            SafeText.forLog(event.id()),
            SafeText.forLog(invoiceId));
        return Optional.empty();
      }
      String account = event.text("metadata/account_id");
      if (!rs.getString(1).equals(account)) {
        // another account's PaymentIntent (or one not made by us) pays nothing of ours
        log.warn(
            "Stripe event {}: {} {} of account {} names invoice {} of {}: ignored",
            SafeText.forLog(event.id()),
            SafeText.forLog(event.text("object")),
            SafeText.forLog(event.text("id")),
            SafeText.forLog(account),
            SafeText.forLog(invoiceId),
            rs.getString(1));
        return Optional.empty();
      }
      return Optional.of(
          new Payable(
              Long.parseLong(invoiceId),
              rs.getString(1),
              Currency.getInstance(rs.getString(2)),
              rs.getBigDecimal(3),
              rs.getBigDecimal(4)));
    }
  }

  /** The amount Stripe received (or asked for) in the PaymentIntent's currency; empty if odd. */
  static Optional<BigDecimal> amount(StripeEvent event, String member, Currency in) {
    Long minor = event.number(member);
    return minor == null ? Optional.empty() : Optional.of(StripeAmounts.fromMinorUnits(minor, in));
  }

  static Optional<Currency> currency(StripeEvent event) {
    String code = event.text("currency");
    return Money.currency(code == null ? null : code.toUpperCase(Locale.ROOT));
  }

  static Optional<Paying> paying(Connection c, StripeEvent event, String amountMember)
      throws SQLException {
    Optional<Payable> payable = payable(c, event);
    Optional<Currency> currency = currency(event);
    Optional<BigDecimal> amount = currency.flatMap(in -> amount(event, amountMember, in));
    if (payable.isEmpty() || amount.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Paying(payable.get(), amount.get(), currency.get()));
  }

  /**
   * The success of the event's object (its id the payment's key) recorded and our invoice paid
   * ({@link PaymentSuccesses#record}), announced after the commit.
   */
  static void recordSuccess(
      PaymentSuccesses successes,
      Connection c,
      StripeEvent event,
      Paying paying,
      String chargeId,
      Instant now,
      List<Runnable> after)
      throws SQLException {
    Payable invoice = paying.invoice();
    Optional<Invoice> paid =
        successes.record(
            c,
            new PaymentSuccesses.Collected(
                invoice.invoiceId(), invoice.orgId(), invoice.currency(), invoice.total()),
            new PaymentSuccesses.Received(
                event.text("id"), chargeId, paying.amount(), paying.currency(), createdAt(event)),
            event.created(),
            now,
            Cause.stripe(event.id()));
    if (paid.isPresent()) {
      after.add(() -> successes.announce(paid.get()));
    }
  }

  /**
   * The failure of the event's object (its id the payment's key) recorded, unless a success or a
   * later failure is; the payment recorded now, to publish after the commit.
   */
  static Optional<Payment> recordFailure(
      Connection c, StripeEvent event, Paying paying, String code, String reason, Instant now)
      throws SQLException {
    Optional<Long> recorded =
        recordedId(
            FAILED
                .bind("invoice_id", paying.invoice().invoiceId())
                .bind("user_id", paying.invoice().orgId())
                .bind("amount", paying.amount())
                .bind("currency", paying.currency().getCurrencyCode())
                .bind("intent", event.text("id"))
                .bind("code", code)
                .bind("reason", reason)
                .bind("created", createdAt(event))
                .bind("event_at", event.created())
                .bind("now", now),
            c);
    return recorded.isEmpty()
        ? Optional.empty()
        : Optional.of(PaymentQueries.find(c, recorded.get()).orElseThrow());
  }

  private static Instant createdAt(StripeEvent event) {
    Long created = event.number("created");
    return created == null ? event.created() : Instant.ofEpochSecond(created);
  }

  private static Optional<Long> recordedId(NamedSql.Binding statement, Connection c)
      throws SQLException {
    try (PreparedStatement s = statement.prepare(c);
        ResultSet rs = s.executeQuery()) {
      return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
    }
  }
}

package io.streamspace.billing.payments.mirror;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.invoicing.InvoiceStatus;
import io.streamspace.billing.stripe.SubscriptionCharges;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The statements of the mirror queue, {@code billing_stripe_invoices} (V49), each in the caller's
 * connection and transaction. A claimed row is settled only while its lease holds: still pending
 * and not claimed again since ({@code attempts} as the claim left it).
 */
final class MirrorRepository {

  private static final Logger log = LoggerFactory.getLogger(MirrorRepository.class);

  // the rows of a chunk of just-finalized invoices, each due at its finalization
  private static final NamedSql ENQUEUE =
      NamedSql.of(
          """
          INSERT INTO billing_stripe_invoices (invoice_id, account_id, next_try_at, created_at,
              updated_at)
          SELECT f.invoice_id, f.account_id, f.at, f.at, f.at
          FROM unnest(:invoice_id::text[]::bigint[], :account_id::text[],
                      :at::text[]::timestamptz[]) AS f(invoice_id, account_id, at)
          ON CONFLICT DO NOTHING""");

  // Whether Stripe Subscription c charges the plan fee of our invoice i
  private static final String CHARGES_PLAN_FEE =
      SubscriptionCharges.chargesPlanFee("i.user_id", "i.period_start", "i.period_end");

  // leases the next due row: due again only once the lease is over (a node that died)
  private static final NamedSql CLAIM =
      NamedSql.of(
          """
          UPDATE billing_stripe_invoices m
          SET next_try_at = :lease_end, attempts = m.attempts + 1,
              first_sent_at = coalesce(m.first_sent_at, :now), updated_at = :now
          FROM billing_invoices i LEFT JOIN billing_stripe_customers s ON s.account_id = i.user_id
          LEFT JOIN LATERAL (%s) charging ON true
          WHERE i.id = m.invoice_id AND m.invoice_id = (
              SELECT invoice_id FROM billing_stripe_invoices
              WHERE status = 'pending' AND next_try_at <= :now
              ORDER BY next_try_at, invoice_id
              LIMIT 1
              FOR UPDATE SKIP LOCKED)
          RETURNING m.invoice_id, m.attempts, m.first_sent_at, i.user_id, i.invoice_number,
              i.status, i.currency, i.total, s.customer_id, charging.subscription_id,
              charging.started_at AS subscribed_from"""
              .formatted(
                  SubscriptionCharges.charging("i.user_id", "i.period_start", "i.period_end")));

  // a discount line as the line it discounts: a plan fee's discount goes where the fee goes
  private static final NamedSql LINES =
      NamedSql.of(
          """
          SELECT l.line_no, coalesce(d.kind, l.kind), l.description, l.amount,
                 coalesce(t.tax, 0) AS tax, l.period_start
          FROM billing_invoice_lines l
          LEFT JOIN billing_invoice_lines d
            ON d.invoice_id = l.invoice_id AND d.line_no = l.discounts_line
          LEFT JOIN (SELECT x.line_no, sum(x.amount) AS tax
                     FROM billing_invoice_tax_lines x
                     JOIN billing_invoice_taxes c ON c.invoice_id = x.invoice_id
                     WHERE x.invoice_id = :invoice_id AND c.status = 'calculated'
                       AND c.tax_behavior = 'exclusive'
                     GROUP BY x.line_no) t ON t.line_no = l.line_no
          WHERE l.invoice_id = :invoice_id ORDER BY l.line_no""");

  // what this claim asks Stripe for, kept before any call: an invoice.paid that comes before the
  // claim is settled (the node died after finalizing at Stripe) is compared with it
  private static final NamedSql AMOUNT_ASKED =
      NamedSql.of(
          "UPDATE billing_stripe_invoices SET amount = :amount WHERE invoice_id = :invoice_id");

  private static final NamedSql SETTLE =
      NamedSql.of(
          """
          UPDATE billing_stripe_invoices
          SET status = :status, stripe_invoice_id = coalesce(:stripe_invoice_id,
                  stripe_invoice_id),
              last_error = :error, next_try_at = :next_try_at, updated_at = :now,
              amount = coalesce(CAST(:amount AS numeric), amount)
          WHERE invoice_id = :invoice_id AND status = 'pending' AND attempts = :attempts""");

  // paid is final; the Stripe invoice is kept even when the webhook came before the job's answer
  private static final NamedSql PAID =
      NamedSql.of(
          """
          UPDATE billing_stripe_invoices
          SET status = 'paid', stripe_invoice_id = :stripe_invoice_id, last_error = NULL,
              event_at = :event_at, updated_at = :now
          WHERE invoice_id = :invoice_id AND status <> 'paid'""");

  // a failure after paid, or older than the last event applied, changes nothing
  private static final NamedSql FAILED =
      NamedSql.of(
          """
          UPDATE billing_stripe_invoices
          SET status = 'failed', stripe_invoice_id = :stripe_invoice_id, last_error = :error,
              event_at = :event_at, updated_at = :now
          WHERE invoice_id = :invoice_id AND status IN ('pending', 'sent', 'failed')
            AND (event_at IS NULL OR event_at <= :event_at)""");

  private static final NamedSql AMOUNT =
      NamedSql.of("SELECT amount FROM billing_stripe_invoices WHERE invoice_id = :invoice_id");

  // the invoices of organizations whose plan fee a Stripe Subscription charges, or charged in
  // the invoice's period: the mirror leaves that fee to it (CLAIM says which)
  private static final NamedSql SUBSCRIBED =
      NamedSql.of(
          """
          SELECT i.id FROM billing_invoices i
          WHERE i.id = ANY (CAST(:invoice_id AS text[])::bigint[])
            AND EXISTS (SELECT 1 FROM billing_stripe_subscriptions c WHERE %s)"""
              .formatted(CHARGES_PLAN_FEE));

  private static final NamedSql BACKLOG =
      NamedSql.of("SELECT count(*) FROM billing_stripe_invoices WHERE status = 'pending'");

  private MirrorRepository() {}

  /** A row for each invoice, due at its finalization, in one statement; none twice. */
  static void enqueue(
      Connection c, List<Long> invoiceIds, List<String> accounts, List<Instant> finalizedAt)
      throws SQLException {
    if (invoiceIds.isEmpty()) {
      return;
    }
    ENQUEUE
        .bind("invoice_id", SqlArrays.array(c, invoiceIds, id -> id))
        .bind("account_id", SqlArrays.array(c, accounts, a -> a))
        .bind("at", SqlArrays.array(c, finalizedAt, at -> at))
        .update(c);
  }

  /**
   * Of {@code invoices}, those of organizations a Stripe Subscription charged the plan of, now or
   * in the invoice's period; one statement.
   */
  static Set<Long> subscribed(Connection c, List<Invoice> invoices) throws SQLException {
    Set<Long> ids = new HashSet<>();
    if (invoices.isEmpty()) {
      return ids;
    }
    try (PreparedStatement statement =
            SUBSCRIBED.bind("invoice_id", SqlArrays.array(c, invoices, Invoice::id)).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }

  /** Claims the next due row, of any node's queue, leased until {@code leaseEnd}. */
  static Optional<MirrorClaim> claim(Connection c, Instant leaseEnd, Instant now)
      throws SQLException {
    MirrorClaim claim;
    try (PreparedStatement statement =
            CLAIM.bind("lease_end", leaseEnd).bind("now", now).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      claim =
          new MirrorClaim(
              rs.getLong("invoice_id"),
              rs.getInt("attempts"),
              instant(rs.getTimestamp("first_sent_at")),
              rs.getString("user_id"),
              rs.getString("invoice_number"),
              InvoiceStatus.of(rs.getString("status")),
              Currency.getInstance(rs.getString("currency")),
              rs.getBigDecimal("total"),
              rs.getString("customer_id"),
              rs.getString("subscription_id"),
              instant(rs.getTimestamp("subscribed_from")),
              new ArrayList<>());
    }
    try (PreparedStatement statement = LINES.bind("invoice_id", claim.invoiceId()).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        claim
            .lines()
            .add(
                new MirroredLines.Line(
                    rs.getInt(1),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getBigDecimal(4),
                    rs.getBigDecimal(5),
                    instant(rs.getTimestamp(6))));
      }
    }
    AMOUNT_ASKED.bind("amount", claim.collected()).bind("invoice_id", claim.invoiceId()).update(c);
    return Optional.of(claim);
  }

  /**
   * The claim's end: {@code status} ({@code pending} again, due at {@code nextTryAt}, for an
   * outage); false (logged) when the lease is lost: the webhook settled it meanwhile, or it was
   * claimed again after the lease ran out.
   */
  static boolean settle(
      Connection c,
      MirrorClaim claim,
      String status,
      String stripeInvoiceId,
      String error,
      Instant nextTryAt,
      Instant now)
      throws SQLException {
    int changed =
        SETTLE
            .bind(
                "amount", "sent".equals(status) || "paid".equals(status) ? claim.collected() : null)
            .bind("status", status)
            .bind("stripe_invoice_id", stripeInvoiceId)
            .bind("error", error)
            .bind("next_try_at", nextTryAt)
            .bind("now", now)
            .bind("invoice_id", claim.invoiceId())
            .bind("attempts", claim.attempts())
            .update(c);
    if (changed == 0) {
      log.info(
          "mirroring invoice {}: settled meanwhile by a webhook or another claim",
          claim.invoiceId());
    }
    return changed == 1;
  }

  /** The row {@code paid}, whatever it was but paid; whether it changed. */
  static boolean paid(
      Connection c, long invoiceId, String stripeInvoiceId, Instant eventAt, Instant now)
      throws SQLException {
    return PAID.bind("stripe_invoice_id", stripeInvoiceId)
            .bind("event_at", eventAt)
            .bind("now", now)
            .bind("invoice_id", invoiceId)
            .update(c)
        == 1;
  }

  /** The row {@code failed} unless paid, void or changed by a later event; whether it changed. */
  static boolean failed(
      Connection c,
      long invoiceId,
      String stripeInvoiceId,
      String error,
      Instant eventAt,
      Instant now)
      throws SQLException {
    return FAILED
            .bind("stripe_invoice_id", stripeInvoiceId)
            .bind("error", error)
            .bind("event_at", eventAt)
            .bind("now", now)
            .bind("invoice_id", invoiceId)
            .update(c)
        == 1;
  }

  /** What the Stripe invoice mirroring ours asks Stripe to collect, once claimed. */
  static Optional<BigDecimal> amountOf(Connection c, long invoiceId) throws SQLException {
    try (PreparedStatement statement = AMOUNT.bind("invoice_id", invoiceId).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.ofNullable(rs.getBigDecimal(1)) : Optional.empty();
    }
  }

  /** How many invoices wait to be mirrored (due or not). */
  static long backlog(Connection c) throws SQLException {
    try (PreparedStatement statement = BACKLOG.prepare(c);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Instant instant(Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }
}

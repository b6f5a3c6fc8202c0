package io.streamspace.billing.creditnotes;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.tax.TaxBehavior;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a finalized invoice still holds for a credit note to take, read in the issuing
 * transaction once the invoice's row is locked (so no other note, payment, void or store refund
 * changes it meanwhile): its lines with their tax, what earlier notes credited of each and
 * whether a store line's purchase was refunded, whether its tax excludes or includes it, the
 * card payment a refund would go through, whether a collection attempt is under way at Stripe,
 * and whether it is mirrored to a Stripe invoice.
 *
 * @param taxBehavior null when the invoice has no calculated tax
 * @param payment the invoice's succeeded payment at Stripe, if it has one
 * @param collecting a collection attempt of it is under way at Stripe (sent and not settled, or
 *     claimed by a run, committed or not): its amount was chosen before the note; the others are
 *     locked by the note's transaction until it ends
 * @param mirrored its Stripe invoice mirror is not void: a Stripe Credit Note is to follow
 */
record Creditable(
    List<Line> lines,
    TaxBehavior taxBehavior,
    Optional<Payment> payment,
    boolean collecting,
    boolean mirrored) {

  /**
   * One line as a note sees it: its amount and tax, and what earlier notes credited of both.
   * The amount is net of what a coupon took off it: a note never gives back more than was
   * charged for the line (a discount line itself is negative, never credited).
   *
   * @param tax the line's tax (Σ of its tax lines), 0 without calculated tax
   * @param refunded a store line whose purchase was refunded since: the refund's credit gave
   *     what notes had left of it back already, so it holds nothing more
   */
  record Line(
      int lineNo,
      String kind,
      BigDecimal amount,
      BigDecimal tax,
      BigDecimal creditedAmount,
      BigDecimal creditedTax,
      boolean refunded) {

    /** A line of what was billed (not a credit or a payment from the balance), above zero. */
    boolean chargeable() {
      return amount.signum() > 0 && !"credit".equals(kind) && !"prepaid".equals(kind);
    }

    /** What is left of it to credit. */
    BigDecimal holds() {
      return chargeable() && !refunded ? amount.subtract(creditedAmount) : BigDecimal.ZERO;
    }
  }

  /**
   * The invoice's payment at Stripe: a PaymentIntent ({@code pi_…}) or the Stripe invoice that
   * mirrored it ({@code in_…}), what it received, and what is refundable of it still: its amount
   * less what was refunded of it (Stripe's figure, or what earlier notes refunded through it,
   * the greater: a note's refund reaches the figure when Stripe tells of it).
   */
  record Payment(String id, BigDecimal refundable) {

    boolean throughStripeInvoice() {
      return id.startsWith("in_");
    }
  }

  // a line's amount net of the coupon discounts taken off it (discount lines, negative): what
  // was charged for it, and what its tax was calculated on
  private static final NamedSql LINES =
      NamedSql.of(
          """
          SELECT l.line_no, l.kind, l.amount + coalesce(d.amount, 0), coalesce(t.tax, 0),
                 coalesce(c.amount, 0), coalesce(c.tax, 0), s.status = 'refunded'
          FROM billing_invoice_lines l
          LEFT JOIN (SELECT discounts_line, sum(amount) AS amount FROM billing_invoice_lines
                     WHERE invoice_id = :invoice_id AND kind = 'discount'
                     GROUP BY discounts_line) d ON d.discounts_line = l.line_no
          LEFT JOIN (SELECT x.line_no, sum(x.amount) AS tax FROM billing_invoice_tax_lines x
                     JOIN billing_invoice_taxes k ON k.invoice_id = x.invoice_id
                     WHERE x.invoice_id = :invoice_id AND k.status = 'calculated'
                     GROUP BY x.line_no) t ON t.line_no = l.line_no
          LEFT JOIN (SELECT line_no, sum(amount) AS amount, sum(tax) AS tax
                     FROM billing_credit_note_lines WHERE invoice_id = :invoice_id
                     GROUP BY line_no) c ON c.line_no = l.line_no
          LEFT JOIN billing_store_purchase_lines s
            ON s.invoice_id = :invoice_id AND s.line_no = l.line_no
          WHERE l.invoice_id = :invoice_id ORDER BY l.line_no""");

  private static final NamedSql TAX_BEHAVIOR =
      NamedSql.of(
          """
          SELECT tax_behavior FROM billing_invoice_taxes
          WHERE invoice_id = :invoice_id AND status = 'calculated'""");

  private static final NamedSql PAYMENT =
      NamedSql.of(
          """
          SELECT p.payment_intent_id,
                 p.amount - greatest(p.amount_refunded,
                     (SELECT coalesce(sum(n.total - n.due_lowered), 0) FROM billing_credit_notes n
                      WHERE n.invoice_id = p.invoice_id AND n.refund = 'payment_method'))
          FROM billing_payments p
          WHERE p.invoice_id = :invoice_id AND p.status IN ('succeeded', 'refunded')
          ORDER BY p.id DESC LIMIT 1""");

  // the invoice's attempts under way (sent; or claimed: pending and tried), or held by another
  // transaction (a run claiming or settling one, on any node), which is then not waited for: a
  // settlement holds its attempt before the invoice, so waiting could deadlock. The rest stay
  // locked until the note commits, so a run claiming meanwhile skips them and charges, after
  // the commit, what the note left due, never the figure it lowered
  private static final NamedSql COLLECTING =
      NamedSql.of(
          """
          SELECT (SELECT count(*) FROM billing_stripe_collections WHERE invoice_id = :invoice_id)
               - (SELECT count(*) FROM (
                    SELECT 1 FROM billing_stripe_collections
                    WHERE invoice_id = :invoice_id
                      AND NOT (state = 'sent' OR state = 'pending' AND tries > 0)
                    FOR UPDATE SKIP LOCKED) idle)""");

  private static final NamedSql MIRRORED =
      NamedSql.of(
          """
          SELECT 1 FROM billing_stripe_invoices
          WHERE invoice_id = :invoice_id AND status <> 'void'""");

  /** The invoice's state for a note, in the caller's transaction. */
  static Creditable read(Connection c, long invoiceId) throws SQLException {
    List<Line> lines = new ArrayList<>();
    try (PreparedStatement statement = LINES.bind("invoice_id", invoiceId).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        lines.add(
            new Line(
                rs.getInt(1),
                rs.getString(2),
                rs.getBigDecimal(3),
                rs.getBigDecimal(4),
                rs.getBigDecimal(5),
                rs.getBigDecimal(6),
                rs.getBoolean(7)));
      }
    }
    TaxBehavior behavior = null;
    try (PreparedStatement statement = TAX_BEHAVIOR.bind("invoice_id", invoiceId).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      if (rs.next()) {
        behavior = TaxBehavior.valueOf(rs.getString(1).toUpperCase(Locale.ROOT));
      }
    }
    Optional<Payment> payment = Optional.empty();
    try (PreparedStatement statement = PAYMENT.bind("invoice_id", invoiceId).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      if (rs.next()) {
        payment = Optional.of(new Payment(rs.getString(1), rs.getBigDecimal(2)));
      }
    }
    return new Creditable(
        lines,
        behavior,
        payment,
        count(c, COLLECTING.bind("invoice_id", invoiceId)) > 0,
        exists(c, MIRRORED.bind("invoice_id", invoiceId)));
  }

  private static long count(Connection c, NamedSql.Binding query) throws SQLException {
    try (PreparedStatement statement = query.prepare(c);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static boolean exists(Connection c, NamedSql.Binding query) throws SQLException {
    try (PreparedStatement statement = query.prepare(c);
        ResultSet rs = statement.executeQuery()) {
      return rs.next();
    }
  }
}

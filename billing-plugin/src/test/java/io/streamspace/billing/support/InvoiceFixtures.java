package io.streamspace.billing.support;

import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.value;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Invoices, lines, credits and credit applications: written straight into the tables as the
 * invoice lifecycle would leave them (so the read side is tested on its own), and read back as
 * rows a test compares with figures worked out by hand.
 */
public final class InvoiceFixtures {

  public static final String GENERATE_INVOICES = "generate-invoices";
  public static final String FINALIZE_INVOICES = "finalize-invoices";

  private InvoiceFixtures() {}

  /**
   * A finalized invoice (or a draft when {@code number} is null: no number, not finalized).
   * Answers its id.
   */
  public static long invoice(
      String userId,
      String periodStart,
      String periodEnd,
      String status,
      String number,
      String currency,
      String subtotal,
      String creditsApplied,
      String total,
      String dueAt,
      String paidAt) {
    Instant end = Instant.parse(periodEnd);
    Instant finalizedAt = number == null ? null : end.plusSeconds(3600);
    return (Long)
        value(
            """
        INSERT INTO billing_invoices (user_id, period_start, period_end, currency, status,
            invoice_number, subtotal, credits_applied, total, finalize_after, finalized_at,
            due_at, paid_at, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            userId,
            ts(periodStart),
            ts(periodEnd),
            currency,
            status,
            number,
            new BigDecimal(subtotal),
            new BigDecimal(creditsApplied),
            new BigDecimal(total),
            Timestamp.from(end.plusSeconds(3600)),
            finalizedAt == null ? null : Timestamp.from(finalizedAt),
            ts(dueAt),
            ts(paidAt),
            Timestamp.from(end));
  }

  /** A usage (or overage) line. */
  public static void usageLine(
      long invoiceId,
      int lineNo,
      String kind,
      String description,
      String resourceType,
      String quantity,
      String unit,
      String unitPrice,
      String amount,
      String from,
      String to) {
    value(
        """
        INSERT INTO billing_invoice_lines (invoice_id, line_no, kind, description, resource_type,
            quantity, unit, unit_price, amount, period_start, period_end)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING line_no""",
        invoiceId,
        lineNo,
        kind,
        description,
        resourceType,
        new BigDecimal(quantity),
        unit,
        new BigDecimal(unitPrice),
        new BigDecimal(amount),
        ts(from),
        ts(to));
  }

  /** A line without a resource: a plan fee or a (negative) credit. */
  public static void line(
      long invoiceId, int lineNo, String kind, String description, String amount) {
    value(
        """
        INSERT INTO billing_invoice_lines (invoice_id, line_no, kind, description, amount)
        VALUES (?, ?, ?, ?, ?) RETURNING line_no""",
        invoiceId,
        lineNo,
        kind,
        description,
        new BigDecimal(amount));
  }

  /** A credit as granted, with what is left of it; answers its id. */
  public static long credit(
      String userId,
      String amount,
      String remaining,
      String currency,
      String grantedAt,
      String expiresAt) {
    return insertCredit(userId, amount, remaining, currency, "fixture", grantedAt, expiresAt);
  }

  /** Records that an invoice consumed part of a credit (the credit's remaining is not touched). */
  public static void application(long creditId, long invoiceId, String amount, String appliedAt) {
    value(
        """
        INSERT INTO billing_credit_applications (credit_id, invoice_id, amount, applied_at)
        VALUES (?, ?, ?, ?) RETURNING id""",
        creditId,
        invoiceId,
        new BigDecimal(amount),
        ts(appliedAt));
  }

  private static Timestamp ts(String isoInstant) {
    return isoInstant == null ? null : Timestamp.from(Instant.parse(isoInstant));
  }

  /** Grants a credit as an admin would (nothing used of it yet); answers its id. */
  public static long grantCredit(
      String userId,
      String amount,
      String currency,
      String reason,
      String grantedAt,
      String expiresAt) {
    return insertCredit(userId, amount, amount, currency, reason, grantedAt, expiresAt);
  }

  private static long insertCredit(
      String userId,
      String amount,
      String remaining,
      String currency,
      String reason,
      String grantedAt,
      String expiresAt) {
    return ((Number)
            value(
                """
        INSERT INTO billing_credits (user_id, amount, remaining, currency, reason, granted_by,
            granted_at, expires_at)
        VALUES (?, ?, ?, ?, ?, 'root', ?, ?) RETURNING id""",
                userId,
                new BigDecimal(amount),
                new BigDecimal(remaining),
                currency,
                reason,
                ts(grantedAt),
                ts(expiresAt)))
        .longValue();
  }

  /** A credit's remaining balance, as stored. */
  public static String remaining(long creditId) {
    return ((BigDecimal) value("SELECT remaining FROM billing_credits WHERE id = ?", creditId))
        .toPlainString();
  }

  /**
   * The user's invoices, oldest period first, as
   * {@code "start..end status number subtotal credits total"}.
   */
  public static List<String> invoices(String userId) {
    return rows(
            """
        SELECT period_start, period_end, status, invoice_number, subtotal, credits_applied, total
        FROM billing_invoices WHERE user_id = ? ORDER BY period_start, id""",
            userId)
        .stream()
        .map(
            r ->
                instant(r.get(0))
                    + ".."
                    + instant(r.get(1))
                    + " "
                    + r.get(2)
                    + " "
                    + r.get(3)
                    + " "
                    + plain(r.get(4))
                    + " "
                    + plain(r.get(5))
                    + " "
                    + plain(r.get(6)))
        .toList();
  }

  /** The id of the user's invoice of the period starting then. */
  public static long invoiceId(String userId, String periodStart) {
    return ((Number)
            value(
                """
        SELECT id FROM billing_invoices WHERE user_id = ? AND period_start = ? AND status <> 'void'
        """,
                userId,
                Timestamp.from(Instant.parse(periodStart))))
        .longValue();
  }

  /** An invoice's stored lines as {@code "kind description resource quantity unit price amount"}. */
  public static List<String> lines(long invoiceId) {
    return rows(
            """
        SELECT kind, description, resource_type, quantity, unit, unit_price, amount
        FROM billing_invoice_lines WHERE invoice_id = ? ORDER BY line_no""",
            invoiceId)
        .stream()
        .map(r -> r.stream().map(InvoiceFixtures::plain).collect(Collectors.joining(" ")))
        .toList();
  }

  private static String instant(Object timestamp) {
    return ((Timestamp) timestamp).toInstant().toString();
  }

  private static String plain(Object value) {
    return value instanceof BigDecimal d ? d.toPlainString() : Objects.toString(value);
  }
}

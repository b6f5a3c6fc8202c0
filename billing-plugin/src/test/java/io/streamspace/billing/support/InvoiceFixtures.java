package io.streamspace.billing.support;

import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.value;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** Invoices and credits as rows a test compares with figures worked out by hand. */
public final class InvoiceFixtures {

  public static final String GENERATE_INVOICES = "generate-invoices";
  public static final String FINALIZE_INVOICES = "finalize-invoices";

  private InvoiceFixtures() {}

  /** Grants a credit as an admin would; answers its id. */
  public static long grantCredit(String userId, String amount, String currency, String reason,
      String grantedAt, String expiresAt) {
    return ((Number) value("""
        INSERT INTO billing_credits (user_id, amount, remaining, currency, reason, granted_by,
                                     granted_at, expires_at)
        VALUES (?, ?, ?, ?, ?, 'root', ?, ?) RETURNING id""", userId, new BigDecimal(amount),
        new BigDecimal(amount), currency, reason, Timestamp.from(Instant.parse(grantedAt)),
        expiresAt == null ? null : Timestamp.from(Instant.parse(expiresAt)))).longValue();
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
    return rows("""
        SELECT period_start, period_end, status, invoice_number, subtotal, credits_applied, total
        FROM billing_invoices WHERE user_id = ? ORDER BY period_start, id""", userId).stream()
        .map(r -> instant(r.get(0)) + ".." + instant(r.get(1)) + " " + r.get(2) + " " + r.get(3)
            + " " + plain(r.get(4)) + " " + plain(r.get(5)) + " " + plain(r.get(6)))
        .toList();
  }

  /** The id of the user's invoice of the period starting then. */
  public static long invoiceId(String userId, String periodStart) {
    return ((Number) value("""
        SELECT id FROM billing_invoices WHERE user_id = ? AND period_start = ? AND status <> 'void'
        """, userId, Timestamp.from(Instant.parse(periodStart)))).longValue();
  }

  /** An invoice's stored lines as {@code "kind description resource quantity unit price amount"}. */
  public static List<String> lines(long invoiceId) {
    return rows("""
        SELECT kind, description, resource_type, quantity, unit, unit_price, amount
        FROM billing_invoice_lines WHERE invoice_id = ? ORDER BY line_no""", invoiceId).stream()
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

package io.streamspace.billing.invoicing;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * An invoice as its owner reads it (the read side of {@code billing_invoices}). Amounts are shown
 * with the currency's decimals.
 *
 * @param invoiceNumber null while the invoice is a draft: numbers are assigned at finalization
 * @param dueDate       the instant payment is due; null for a draft
 * @param paidAt        null until paid
 */
public record InvoiceView(
    long id,
    String userId,
    String invoiceNumber,
    Instant periodStart,
    Instant periodEnd,
    String status,
    String currency,
    BigDecimal subtotal,
    BigDecimal creditsApplied,
    BigDecimal total,
    Instant dueDate,
    Instant paidAt) {

  /**
   * One stored line of an invoice.
   *
   * @param resourceType for usage and overage lines; else null (likewise quantity, unit and
   *                     unit price)
   * @param amount       rounded to the currency's minor unit; credit lines are negative
   */
  public record Line(
      int lineNo,
      String kind,
      String description,
      String resourceType,
      BigDecimal quantity,
      String unit,
      BigDecimal unitPrice,
      BigDecimal amount,
      Instant periodStart,
      Instant periodEnd) {}

  /**
   * The invoice with its lines, shown as one JSON object. A draft may have no stored lines yet.
   */
  public record WithLines(@JsonUnwrapped InvoiceView invoice, List<Line> lines) {

    public WithLines {
      lines = List.copyOf(lines);
    }
  }
}

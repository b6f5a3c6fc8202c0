package io.streamspace.billing.invoicing;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;

/**
 * An invoice as its owner reads it ({@link #of} an {@link Invoice} row). Amounts are shown with
 * the currency's decimals.
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

  /** The invoice as its owner reads it: its amounts rounded for showing. */
  static InvoiceView of(Invoice invoice) {
    Currency currency = invoice.currency();
    return new InvoiceView(
        invoice.id(),
        invoice.userId(),
        invoice.invoiceNumber(),
        invoice.periodStart(),
        invoice.periodEnd(),
        invoice.status().value(),
        currency.getCurrencyCode(),
        Money.shown(invoice.subtotal(), currency),
        Money.shown(invoice.creditsApplied(), currency),
        Money.shown(invoice.total(), currency),
        invoice.dueAt(),
        invoice.paidAt());
  }

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

package io.streamspace.billing.http;

import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.invoicing.InvoiceLine;
import io.streamspace.billing.rating.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;

/**
 * An invoice as the API shows it: money at the currency's decimals ({@code 5.00} USD,
 * {@code 5000} VND), quantities and unit prices as exact as stored, {@code due_date} the
 * instant payment is due (null while a draft).
 */
public record InvoiceJson(long id, String invoiceNumber, String userId, Instant periodStart,
    Instant periodEnd, String status, String currency, BigDecimal subtotal,
    BigDecimal creditsApplied, BigDecimal total, Instant dueDate, List<LineJson> lines) {

  /** One line; resource type, quantity, unit and unit price are null where they do not apply. */
  public record LineJson(String kind, String description, String resourceType,
      BigDecimal quantity, String unit, BigDecimal unitPrice, BigDecimal amount) {

    static LineJson of(InvoiceLine line, Currency currency) {
      return new LineJson(line.kind(), line.description(), line.resourceType(),
          plain(line.quantity()), line.unit(), plain(line.unitPrice()),
          Money.shown(line.amount(), currency));
    }
  }

  public static InvoiceJson of(Invoice invoice) {
    Currency currency = invoice.currency();
    return new InvoiceJson(invoice.id(), invoice.invoiceNumber(), invoice.userId(),
        invoice.periodStart(), invoice.periodEnd(), invoice.status().value(),
        currency.getCurrencyCode(), Money.shown(invoice.subtotal(), currency),
        Money.shown(invoice.creditsApplied(), currency), Money.shown(invoice.total(), currency),
        invoice.dueAt(), invoice.lines().stream().map(l -> LineJson.of(l, currency)).toList());
  }

  private static BigDecimal plain(BigDecimal value) {
    return value == null ? null : value.stripTrailingZeros();
  }
}

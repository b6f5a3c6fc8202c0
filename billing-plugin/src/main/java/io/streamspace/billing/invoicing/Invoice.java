package io.streamspace.billing.invoicing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;

/**
 * An invoice as stored, with its lines (none while it is a draft: they are computed when it is
 * finalized; {@link InvoiceCalculator#preview} shows what they would be now).
 *
 * @param invoiceNumber null for a draft, and for a draft that was voided
 * @param dueAt         null until finalized
 */
public record Invoice(long id, String invoiceNumber, String userId, Instant periodStart,
    Instant periodEnd, InvoiceStatus status, Currency currency, BigDecimal subtotal,
    BigDecimal creditsApplied, BigDecimal total, Instant finalizedAt, Instant dueAt,
    List<InvoiceLine> lines) {

  public Invoice {
    lines = List.copyOf(lines);
  }
}

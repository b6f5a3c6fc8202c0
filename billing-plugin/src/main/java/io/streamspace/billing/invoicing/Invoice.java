package io.streamspace.billing.invoicing;

import io.streamspace.billing.events.InvoiceEvent;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;

/**
 * An invoice row, without its lines (the lifecycle writes them; the routes read them through
 * {@link InvoiceQueries}, and see the row as an {@link InvoiceView}).
 *
 * @param invoiceNumber null for a draft, and for a draft that was voided
 * @param dueAt         null until finalized
 * @param paidAt        null until paid
 */
public record Invoice(
    long id,
    String invoiceNumber,
    String userId,
    Instant periodStart,
    Instant periodEnd,
    InvoiceStatus status,
    Currency currency,
    BigDecimal subtotal,
    BigDecimal creditsApplied,
    BigDecimal total,
    Instant finalizedAt,
    Instant dueAt,
    Instant paidAt) {

  /** What the {@code billing.invoice.*} events tell of it. */
  public InvoiceEvent event() {
    return new InvoiceEvent(
        id,
        invoiceNumber,
        userId,
        status.value(),
        Money.shown(total, currency),
        currency.getCurrencyCode(),
        periodStart,
        periodEnd,
        dueAt);
  }
}

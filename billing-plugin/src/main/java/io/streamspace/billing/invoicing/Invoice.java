package io.streamspace.billing.invoicing;

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
    Instant paidAt) {}

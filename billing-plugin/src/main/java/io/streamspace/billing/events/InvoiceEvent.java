package io.streamspace.billing.events;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The payload of {@code billing.invoice.created}, {@code .paid} and {@code .overdue}.
 *
 * @param status the invoice's status once the change it tells of is made ({@code sent}, {@code
 *     paid}, {@code overdue})
 * @param total what is due, with the currency's decimals
 * @param currency its ISO 4217 code
 */
public record InvoiceEvent(
    long invoiceId,
    String invoiceNumber,
    String userId,
    String status,
    BigDecimal total,
    String currency,
    Instant periodStart,
    Instant periodEnd,
    Instant dueAt) {}

package io.streamspace.billing.invoicing;

import java.math.BigDecimal;

/**
 * A stored line of an invoice: a charge ({@link ChargeLine}) or an applied credit (negative).
 *
 * @param kind         {@code plan_fee}, {@code usage}, {@code overage} or {@code credit}
 * @param resourceType the resource of a usage or overage line, else null (likewise quantity,
 *                     unit and unit price, which a credit line does not have)
 * @param amount       in the invoice currency, rounded to its minor unit
 */
public record InvoiceLine(String kind, String description, String resourceType,
    BigDecimal quantity, String unit, BigDecimal unitPrice, BigDecimal amount) {}

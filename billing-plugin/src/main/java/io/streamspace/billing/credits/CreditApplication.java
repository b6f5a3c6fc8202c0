package io.streamspace.billing.credits;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * Part of a credit consumed by an invoice (a row of {@code billing_credit_applications}).
 *
 * @param invoiceNumber the invoice's number; null while it is a draft
 */
public record CreditApplication(
    long invoiceId, String invoiceNumber, BigDecimal amount, Instant appliedAt) {}

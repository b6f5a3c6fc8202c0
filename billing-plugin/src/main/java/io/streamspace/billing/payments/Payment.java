package io.streamspace.billing.payments;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A payment of one of our invoices through one Stripe PaymentIntent, as the payment routes show
 * it and {@code billing.payment.failed} tells of it.
 *
 * @param status {@code failed}, {@code succeeded}, {@code amount_mismatch} (Stripe took another
 *     amount or currency than the invoice's: recorded, the invoice not marked paid) or {@code
 *     refunded} (all of it given back)
 * @param failureCode Stripe's code of the last failure ({@code card_declined}), null otherwise
 * @param failureReason Stripe's message of the last failure, null otherwise
 * @param createdAt when the PaymentIntent was created at Stripe
 */
public record Payment(
    long id,
    long invoiceId,
    String invoiceNumber,
    String userId,
    BigDecimal amount,
    String currency,
    String status,
    BigDecimal amountRefunded,
    String paymentIntentId,
    String chargeId,
    String failureCode,
    String failureReason,
    Instant createdAt,
    Instant updatedAt) {}

package io.streamspace.billing.events;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The payload of {@code billing.top_up.failed}: an auto top-up of an organization's prepaid
 * balance could not charge its saved payment method. Nothing secret: Stripe's decline code and,
 * for a card's decline, its message written for the cardholder.
 *
 * @param amount what the attempt was to charge; null when the monthly cap left nothing to charge
 * @param reason {@code no_payment_method}, {@code monthly_cap}, or Stripe's decline code
 *     ({@code insufficient_funds}) else error code ({@code card_declined})
 * @param message Stripe's words for a card's decline, or ours for the others; may be null
 * @param attempt the attempt's number since the balance fell below the threshold
 * @param nextAttemptAt when it is tried again; null when it waits for something else (a payment
 *     method, the next month, a new card once the retries are spent)
 */
public record TopUpFailed(
    String orgId,
    String currency,
    BigDecimal amount,
    String reason,
    String message,
    int attempt,
    Instant nextAttemptAt,
    Instant failedAt) {}

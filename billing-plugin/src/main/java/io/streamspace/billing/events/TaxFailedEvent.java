package io.streamspace.billing.events;

import java.time.Instant;

/**
 * The payload of {@code billing.invoice.tax_failed}: a draft's tax could not be calculated, so it
 * stays a draft until a later run calculates it.
 *
 * @param reason why, in words an admin can act on (no address, Stripe's error)
 * @param failedAt when the calculation was tried
 */
public record TaxFailedEvent(
    long invoiceId, String userId, String currency, String reason, Instant failedAt) {}

package io.streamspace.billing.events;

import java.time.Instant;

/**
 * The payload of {@code billing.pack.expiring} and {@code billing.pack.expired}.
 *
 * @param purchaseId the purchase whose validity ends
 * @param validUntil when it ends (expiring) or ended (expired) unless renewed
 */
public record PackExpiry(
    String userId, long purchaseId, String packId, String packName, Instant validUntil) {}

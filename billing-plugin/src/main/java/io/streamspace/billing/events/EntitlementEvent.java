package io.streamspace.billing.events;

import java.time.Instant;

/**
 * The payload of {@code billing.entitlement.granted} and {@code billing.entitlement.expired}: an
 * organization may apply a store item (a theme) from {@code from}, until {@code until} (null: for
 * good); expired, it no longer may from {@code until}.
 *
 * @param orgId the organization entitled (a personal organization's id is its user's)
 * @param reason why it expired: {@code ended} (its time ran out), {@code refunded} or {@code
 *     charged_back} (its payment's dispute was lost); null when granted
 */
public record EntitlementEvent(
    String orgId,
    long itemId,
    String itemName,
    String version,
    long purchaseId,
    Instant from,
    Instant until,
    String reason) {}

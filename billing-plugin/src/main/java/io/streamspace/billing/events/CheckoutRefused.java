package io.streamspace.billing.events;

import java.time.Instant;

/**
 * The payload of {@code billing.checkout.refused}: a plan Checkout Session completed but not
 * applied, as the organization's state changed since it was created.
 *
 * @param orgId the organization the session was for
 * @param planId the plan it sold
 * @param reason why it was not applied
 * @param givenBack what was undone at Stripe (the subscription cancelled, its payment refunded),
 *     or that nothing was taken
 */
public record CheckoutRefused(
    String orgId,
    String sessionId,
    String planId,
    String reason,
    String givenBack,
    Instant refusedAt) {}

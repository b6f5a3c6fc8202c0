package io.streamspace.billing.events;

import java.time.Instant;

/**
 * The payload of {@code billing.checkout.refused}: a Checkout Session completed but not applied,
 * a plan's as the organization's state changed since it was created, a pack's or store item's as
 * what it paid for could not be granted.
 *
 * @param orgId the organization the session was for
 * @param kind what it sold: {@code plan}, {@code pack}, {@code store} or {@code top_up}
 * @param planId the plan it sold; null for a pack, a store item or a top-up
 * @param itemId the pack's id or the store item's; null for a plan or a top-up
 * @param reason why it was not applied
 * @param givenBack what was undone at Stripe (the subscription cancelled, its payment refunded),
 *     or that nothing was taken
 */
public record CheckoutRefused(
    String orgId,
    String sessionId,
    String kind,
    String planId,
    String itemId,
    String reason,
    String givenBack,
    Instant refusedAt) {}

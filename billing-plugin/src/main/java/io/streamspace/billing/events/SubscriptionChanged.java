package io.streamspace.billing.events;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The payload of {@code billing.subscription.changed}.
 *
 * @param previousPlanId the plan the account left
 * @param price the new plan's price in the account's currency
 * @param currency its ISO 4217 code
 */
public record SubscriptionChanged(
    String userId,
    String previousPlanId,
    String planId,
    BigDecimal price,
    String currency,
    Instant changedAt) {}

package io.streamspace.billing.events;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The payload of {@code billing.subscription.changed}.
 *
 * @param previousPlanId the plan the account left
 * @param price the new plan's price in the account's currency; 0 for a trial
 * @param currency its ISO 4217 code
 * @param trialEndsAt when the trial the new term began ends (free until then); null for none
 */
public record SubscriptionChanged(
    String userId,
    String previousPlanId,
    String planId,
    BigDecimal price,
    String currency,
    Instant changedAt,
    Instant trialEndsAt) {}

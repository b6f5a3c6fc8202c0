package io.streamspace.billing.events;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The payload of {@code billing.trial.will_end}: the organization's trial of a plan ends at
 * {@code trialEndsAt}, told three days before (once).
 *
 * @param price the plan's fee per {@code interval} from then if it converts, in {@code currency}
 *     with its decimals
 * @param willConvert whether it converts as things stand: it has a payment method on file or a
 *     Stripe Subscription charging the plan; else it falls back to {@code fallbackPlanId}
 */
public record TrialWillEnd(
    String orgId,
    String planId,
    String planName,
    Instant trialEndsAt,
    String currency,
    BigDecimal price,
    String interval,
    boolean willConvert,
    String fallbackPlanId) {}

package io.streamspace.billing.events;

import java.time.Instant;

/**
 * The payload of {@code billing.trial.ended}: the organization's trial of a plan ended at {@code
 * endedAt}.
 *
 * @param outcome {@code converted} (it pays the plan from then), {@code lapsed} (it fell back to
 *     the default plan) or {@code changed} (it moved to another plan before the trial's end)
 * @param converted whether the outcome is {@code converted}
 * @param nextPlanId the plan it is on from {@code endedAt}
 */
public record TrialEnded(
    String orgId,
    String planId,
    String planName,
    Instant trialEndsAt,
    Instant endedAt,
    String outcome,
    boolean converted,
    String nextPlanId) {}

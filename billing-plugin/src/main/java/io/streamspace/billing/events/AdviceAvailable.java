package io.streamspace.billing.events;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The payload of {@code billing.advice.available}: a closed billing period that would have cost
 * the organization {@code saving} less on another plan, or with a pack (what {@code GET /advice}
 * shows). Amounts in the organization's currency, before credits.
 *
 * @param paid what its invoices of the period charged
 * @param planId the cheapest option's plan
 * @param packId its pack; null for the plan alone
 * @param total what the period would have cost so
 */
public record AdviceAvailable(
    String orgId,
    String currency,
    Instant periodStart,
    Instant periodEnd,
    BigDecimal paid,
    String planId,
    String packId,
    BigDecimal total,
    BigDecimal saving) {}

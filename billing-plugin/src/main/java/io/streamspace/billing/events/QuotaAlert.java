package io.streamspace.billing.events;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The payload of {@code billing.quota.warning} and {@code billing.quota.exceeded}.
 *
 * @param meter the meter's config name ({@code storage_gb})
 * @param percent of the limit used; null for a limit of zero
 * @param kind {@code hard} or {@code soft}
 * @param periodStart the billing period the alert is sent once in
 */
public record QuotaAlert(
    String userId,
    String meter,
    BigDecimal used,
    BigDecimal limit,
    BigDecimal percent,
    String kind,
    Instant periodStart) {}

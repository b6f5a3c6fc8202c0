package io.streamspace.billing.quota;

import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import java.math.BigDecimal;

/**
 * One meter of one account at or over the alert threshold, as the admin list shows it.
 *
 * @param percent of the limit used; null for a limit of zero
 * @param state {@link QuotaState#WARNING} or {@link QuotaState#EXCEEDED}
 */
public record MeterOverThreshold(
    String orgId,
    Meter meter,
    BigDecimal used,
    BigDecimal limit,
    BigDecimal percent,
    LimitKind kind,
    QuotaState state) {}

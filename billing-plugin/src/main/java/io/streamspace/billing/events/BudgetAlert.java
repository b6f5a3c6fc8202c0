package io.streamspace.billing.events;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The payload of {@code billing.budget.forecast_exceeded}: a budget the forecast's p50 path
 * crosses before the period ends, with the forecast it was found by. Amounts in the
 * organization's currency, rounded to its minor unit.
 *
 * @param memberId the member whose budget it is; null for the organization's own
 * @param budget the budget's amount
 * @param period its period: {@code month}, the billing period
 * @param spent what the budget's subject spent so far this period
 * @param p10 the 10th percentile of what the subject will have spent by the period's end
 * @param p50 the median
 * @param p90 the 90th percentile
 * @param crossesAt when the p50 path reaches the budget (the moment it was found, if reached)
 */
public record BudgetAlert(
    String orgId,
    String memberId,
    String currency,
    BigDecimal budget,
    String period,
    Instant periodStart,
    Instant periodEnd,
    BigDecimal spent,
    BigDecimal p10,
    BigDecimal p50,
    BigDecimal p90,
    Instant crossesAt) {}

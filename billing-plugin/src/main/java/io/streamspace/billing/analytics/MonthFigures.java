package io.streamspace.billing.analytics;

import java.math.BigDecimal;
import java.time.YearMonth;

/**
 * A month's subscription figures in one currency ({@link MrrMovements}: each one's formula).
 *
 * @param mrr MRR at the month's end
 * @param logoChurnRate null when no organization paid at the month's start
 * @param revenueChurnRate null when the MRR at the month's start was 0
 * @param conversionRate null when no organization could convert (none free at the start)
 * @param arpa null when no organization pays at the month's end
 */
public record MonthFigures(
    YearMonth month,
    String currency,
    BigDecimal mrr,
    BigDecimal newMrr,
    BigDecimal expansionMrr,
    BigDecimal contractionMrr,
    BigDecimal churnedMrr,
    BigDecimal reactivationMrr,
    BigDecimal logoChurnRate,
    BigDecimal revenueChurnRate,
    BigDecimal conversionRate,
    BigDecimal arpa,
    int payingAtStart,
    int payingAtEnd,
    int churnedOrganizations,
    int freeAtStart,
    int converted) {}

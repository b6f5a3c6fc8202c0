package io.streamspace.billing.admin;

import java.math.BigDecimal;

/**
 * One account as the admin overview shows it. Amounts are in the account's currency, with its
 * decimals.
 *
 * @param planId             the plan of the active subscription
 * @param currentPeriodCost  usage of the current billing period so far, at the rates
 * @param outstandingBalance Σ total of the account's sent and overdue invoices
 * @param creditBalance      Σ remaining of its credits not expired now
 * @param status             the account's status ({@code active}, {@code suspended}, ...)
 */
public record AccountOverview(
    String userId,
    String email,
    String planId,
    String currency,
    BigDecimal currentPeriodCost,
    BigDecimal outstandingBalance,
    BigDecimal creditBalance,
    String status) {}

package io.streamspace.billing.spend;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An account's cap on what a billing period costs, in the account's currency.
 *
 * @param warnAtPercent the percent of the amount (1-100) at which it warns
 * @param setBy the owner or admin who set it
 */
public record SpendingLimit(
    String accountId,
    BigDecimal amount,
    int warnAtPercent,
    SpendAction action,
    String setBy,
    Instant setAt) {}

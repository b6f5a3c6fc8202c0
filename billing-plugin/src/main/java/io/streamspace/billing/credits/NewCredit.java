package io.streamspace.billing.credits;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;

/**
 * A validated grant, about to be stored: a positive amount with no more decimals than the
 * account's currency, a reason, and an expiry (if any) in the future.
 */
public record NewCredit(
    String orgId,
    BigDecimal amount,
    Currency currency,
    String reason,
    String grantedBy,
    Instant grantedAt,
    Instant expiresAt) {}

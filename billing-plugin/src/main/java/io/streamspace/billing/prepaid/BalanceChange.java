package io.streamspace.billing.prepaid;

import java.math.BigDecimal;

/**
 * A balance as an entry left it: the answer to a grant, and the payload of {@code
 * billing.balance.topped_up}.
 *
 * @param available what may still be paid or reserved from it: balance - reserved
 */
public record BalanceChange(
    String orgId,
    String currency,
    BigDecimal balance,
    BigDecimal reserved,
    BigDecimal available,
    LedgerEntry entry) {}

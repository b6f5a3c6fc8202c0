package io.streamspace.billing.spend;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.Currency;
import java.util.Optional;

/**
 * An organization's cost of its current billing period so far, as a block limit is checked
 * against at admission ({@link BlockLimits}): its rated usage and fees and the unrated accrual of
 * its running sessions, at this instant. Live cost answers it ({@code live.LiveCosts}, from
 * memory, fresh within a second), handed over by the wiring, since live cost reads this package.
 */
@FunctionalInterface
public interface PeriodCostSoFar {

  /**
   * The organization's period cost so far in {@code currency}; empty when it has no billing
   * account (nothing charged) or its account is billed in another currency.
   */
  Optional<BigDecimal> total(String orgId, Currency currency) throws SQLException;
}

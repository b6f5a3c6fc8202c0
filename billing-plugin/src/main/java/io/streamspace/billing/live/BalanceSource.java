package io.streamspace.billing.live;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.Currency;
import java.util.Optional;

/**
 * Where live cost reads an organization's prepaid balance: the prepaid ledger's, wired in {@code
 * LiveWiring} ({@link #NONE}, for tests, answers that no organization has one: {@code balance} is
 * null and the runway does not look at it).
 */
@FunctionalInterface
public interface BalanceSource {

  /** No prepaid balance is kept. */
  BalanceSource NONE = (orgId, currency) -> Optional.empty();

  /**
   * The organization's prepaid balance available, in its currency, as the ledger holds it: what
   * the current period's cost has not been paid from yet (the ledger pays an invoice when it is
   * finalized); empty when it has none. Live cost shows it less the period's cost so far ({@link
   * LiveCost#balance}), and the runway to it is that at the organization's rate.
   */
  Optional<BigDecimal> available(String orgId, Currency currency) throws SQLException;
}

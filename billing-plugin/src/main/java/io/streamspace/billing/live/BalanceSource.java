package io.streamspace.billing.live;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.Currency;
import java.util.Optional;

/**
 * Where live cost reads an organization's prepaid balance: the hook for the prepaid ledger
 * (issue 52), which is built apart from live cost. Until it is wired in ({@code LiveWiring}),
 * {@link #NONE} answers that no organization has one: {@code balance} is null and the runway
 * does not look at it.
 */
@FunctionalInterface
public interface BalanceSource {

  /** No prepaid balance is kept. */
  BalanceSource NONE = (orgId, currency) -> Optional.empty();

  /**
   * The organization's prepaid balance available now, in its currency: what its running
   * sessions may still spend (the burn up to now already taken off); empty when it has none.
   * The runway to it is this amount at the organization's rate.
   */
  Optional<BigDecimal> available(String orgId, Currency currency) throws SQLException;
}

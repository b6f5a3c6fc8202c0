package io.streamspace.billing.live;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Instant;
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
  BalanceSource NONE = (orgId, currency, periodStart) -> Optional.empty();

  /**
   * The organization's prepaid balance as the ledger holds it, in its currency, and what the
   * burns of the period that starts at {@code periodStart} took of it (its usage rated so far, as
   * far as the balance went), read together; empty when it has none. Live cost shows the balance
   * less what the period's cost so far has not burned yet ({@link LiveCost#balance}), and the
   * runway to it is that at the organization's rate.
   */
  Optional<Held> read(String orgId, Currency currency, Instant periodStart) throws SQLException;

  /**
   * @param balance the ledger's balance
   * @param burned what this period's burns took of it
   */
  record Held(BigDecimal balance, BigDecimal burned) {}
}

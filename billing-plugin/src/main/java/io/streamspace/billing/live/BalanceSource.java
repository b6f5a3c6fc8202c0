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
  BalanceSource NONE = (orgId, currency, periodStart, previousStart) -> Optional.empty();

  /**
   * The organization's prepaid balance as the ledger holds it, in its currency, and what the
   * burns not settled yet of the period that starts at {@code periodStart} took of it (what its
   * invoice would take for its usage rated so far, as far as the balance went), and those of the
   * period before it (at {@code previousStart}), read together; empty when it has none. Live
   * cost shows the balance less what the period's cost so far has not burned yet, and while the
   * period before is not invoiced, less what that one's has not ({@link LiveCost#balance}); the
   * runway to it is that at the organization's rate.
   */
  Optional<Held> read(String orgId, Currency currency, Instant periodStart, Instant previousStart)
      throws SQLException;

  /**
   * @param balance the ledger's balance
   * @param burned what this period's burns not settled yet took of it
   * @param burnedBefore what the period before's burns not settled yet took of it
   */
  record Held(BigDecimal balance, BigDecimal burned, BigDecimal burnedBefore) {}
}

package io.streamspace.billing.store.payout;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.YearMonth;
import java.util.Currency;
import java.util.List;
import java.util.Objects;

/**
 * Where the payouts owed for a closed month come from: the creators' monthly statements. The
 * payouts ask it for a month once that month has ended in the billing time zone, in the
 * transaction that queues what it answers, and may ask again (a second run of the month): each
 * answer must be the month's final figures, one per creator and currency.
 */
@FunctionalInterface
public interface PayoutsDue {

  /** No source connected: nothing is ever due. */
  PayoutsDue NONE = (connection, period) -> List.of();

  /** Every creator's payout due for {@code period}, read on {@code connection}. */
  List<Due> due(Connection connection, YearMonth period) throws SQLException;

  /**
   * What one creator is owed for a month in one currency, more than zero.
   *
   * @param amount in the currency, at most to Stripe's decimals of it (cents for USD, whole VND)
   */
  record Due(String creatorId, YearMonth period, Currency currency, BigDecimal amount) {

    public Due {
      Objects.requireNonNull(creatorId, "creatorId");
      Objects.requireNonNull(period, "period");
      Objects.requireNonNull(currency, "currency");
      if (creatorId.isEmpty()) {
        throw new IllegalArgumentException("a payout is owed to a creator");
      }
      if (amount == null || amount.signum() <= 0) {
        throw new IllegalArgumentException("a payout due is more than 0, not " + amount);
      }
    }
  }
}

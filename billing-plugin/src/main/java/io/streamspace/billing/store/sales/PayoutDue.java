package io.streamspace.billing.store.sales;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.Currency;
import java.util.Objects;

/**
 * What a closed month's statement pays a creator in one currency ({@link
 * CreatorStatements#payoutsDue}): its {@code payout}, more than 0.
 *
 * @param period the statement's month, in the billing zone
 * @param amount at the currency's scale, more than 0
 */
public record PayoutDue(String creatorId, YearMonth period, Currency currency, BigDecimal amount) {

  public PayoutDue {
    Objects.requireNonNull(creatorId, "creatorId");
    Objects.requireNonNull(period, "period");
    Objects.requireNonNull(currency, "currency");
    if (amount == null || amount.signum() <= 0) {
      throw new IllegalArgumentException("a payout due is more than 0, was " + amount);
    }
  }
}

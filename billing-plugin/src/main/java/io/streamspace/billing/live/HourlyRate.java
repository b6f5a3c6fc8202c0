package io.streamspace.billing.live;

import io.streamspace.billing.invoicing.UsageBucket;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.List;
import java.util.OptionalLong;

/**
 * A cost per hour, kept exact: {@code numerator / }{@link #DENOMINATOR}, where the denominator
 * is a multiple of every unit's unit-seconds per unit (3,600 for an hour-priced resource,
 * 2,628,000 for a GB-month), so an hour of any mix of resources is one exact fraction. It is
 * rounded once, to the currency's minor unit, only when shown ({@link #shown}), as a line total
 * is ({@link Money#lineTotal}); the time a sum lasts at this rate is worked out from the exact
 * fraction ({@link #secondsToSpend}).
 */
record HourlyRate(BigDecimal numerator) {

  /** 3,600 × 730: unit-seconds per unit of every unit divide it. */
  static final BigDecimal DENOMINATOR = UsageUnit.STORAGE.unitSecondsPerUnit();

  private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3_600);

  static final HourlyRate ZERO = new HourlyRate(BigDecimal.ZERO);

  /** A hundred years of 365 days: a sum that lasts longer at a rate is never spent at it. */
  static final BigDecimal NEVER_SECONDS = BigDecimal.valueOf(100L * 365 * 24 * 3_600);

  /**
   * The rate of {@code hour}: usage (exact unit-seconds at unit prices) that one hour adds, each
   * piece unit-seconds × price ÷ its unit's unit-seconds per unit, added up exactly.
   */
  static HourlyRate of(List<UsageBucket> hour) {
    BigDecimal numerator = BigDecimal.ZERO;
    for (UsageBucket piece : hour) {
      BigDecimal scale = DENOMINATOR.divide(piece.unit().unitSecondsPerUnit());
      numerator = numerator.add(piece.unitSeconds().multiply(piece.unitPrice()).multiply(scale));
    }
    return new HourlyRate(numerator);
  }

  HourlyRate plus(HourlyRate other) {
    return new HourlyRate(numerator.add(other.numerator));
  }

  boolean isZero() {
    return numerator.signum() == 0;
  }

  /** The rate rounded once, half up, to the currency's minor unit. */
  BigDecimal shown(Currency currency) {
    return Money.lineTotal(numerator, DENOMINATOR, currency);
  }

  /**
   * How many whole seconds it takes to spend {@code amount} at this rate: {@code amount ×
   * 3,600 × denominator ÷ numerator}, rounded down; 0 when nothing is left, empty when the
   * rate is zero or it would take more than {@link #NEVER_SECONDS} (it is never spent).
   */
  OptionalLong secondsToSpend(BigDecimal amount) {
    if (amount.signum() <= 0) {
      return OptionalLong.of(0);
    }
    if (isZero()) {
      return OptionalLong.empty();
    }
    BigDecimal seconds =
        amount
            .multiply(SECONDS_PER_HOUR)
            .multiply(DENOMINATOR)
            .divide(numerator, 0, RoundingMode.DOWN);
    return seconds.compareTo(NEVER_SECONDS) > 0
        ? OptionalLong.empty()
        : OptionalLong.of(seconds.longValueExact());
  }
}

package io.streamspace.billing.quota;

import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The rule that turns what is used and what is allowed into a percent and a state. The state is
 * decided on exact figures ({@code used × 100 ≥ threshold × limit}), never on the shown percent,
 * so 79.996 % is not rounded into a warning.
 *
 * @param alertThreshold the percent (1-100) at which a quota is in warning
 */
public record QuotaRule(int alertThreshold) {

  /** Decimals of a shown percent. */
  public static final int PERCENT_DIGITS = 2;

  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  public QuotaRule {
    if (alertThreshold < 1 || alertThreshold > 100) {
      throw new IllegalArgumentException("alertThreshold must be 1-100");
    }
  }

  /**
   * {@code used} as a percent of {@code limit}, half up to {@value #PERCENT_DIGITS} decimals;
   * null when unlimited, or limited to zero (no percent of nothing).
   */
  public BigDecimal percent(BigDecimal used, Limit limit) {
    if (limit.unlimited() || limit.amount().signum() == 0) {
      return null;
    }
    return used.multiply(HUNDRED).divide(limit.amount(), PERCENT_DIGITS, RoundingMode.HALF_UP);
  }

  /** Exceeded at or over the limit (a limit of zero: any use), warning at the threshold. */
  public QuotaState state(BigDecimal used, Limit limit) {
    if (limit.unlimited()) {
      return QuotaState.OK;
    }
    if (limit.amount().signum() == 0) {
      return used.signum() > 0 ? QuotaState.EXCEEDED : QuotaState.OK;
    }
    if (used.compareTo(limit.amount()) >= 0) {
      return QuotaState.EXCEEDED;
    }
    BigDecimal warningAt = limit.amount().multiply(BigDecimal.valueOf(alertThreshold));
    return used.multiply(HUNDRED).compareTo(warningAt) >= 0 ? QuotaState.WARNING : QuotaState.OK;
  }

  /**
   * The state of that meter: as {@link #state(BigDecimal, Limit)}, except that a soft period
   * counter at or over its limit is {@code CONFIRMATION_REQUIRED} until its overage is confirmed
   * for the period ({@link #needsConfirmation}).
   */
  public QuotaState state(Meter meter, BigDecimal used, Limit limit, boolean overageConfirmed) {
    QuotaState state = state(used, limit);
    return state == QuotaState.EXCEEDED && needsConfirmation(meter, limit) && !overageConfirmed
        ? QuotaState.CONFIRMATION_REQUIRED
        : state;
  }

  /**
   * Whether going over that limit needs the account's confirmation: a soft period counter's
   * overage is billed (invoicing.MeterCharges), so the account agrees to it first; the other
   * meters bill no overage.
   */
  public static boolean needsConfirmation(Meter meter, Limit limit) {
    return meter.measure() == Meter.Measure.PERIOD_COUNTER
        && !limit.unlimited()
        && limit.kind() == LimitKind.SOFT;
  }
}

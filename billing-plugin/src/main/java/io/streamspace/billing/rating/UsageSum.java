package io.streamspace.billing.rating;

import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;

/**
 * A user's usage records of one resource at one unit price in one activity state, summed
 * exactly: nothing divided, nothing rounded yet.
 *
 * @param unitSeconds       Σ unit-seconds
 * @param pricedUnitSeconds Σ unit-seconds × unit price
 * @param activity          the records' activity: {@code active} unless priced at a factor
 * @param savedUnitSeconds  Σ unit-seconds × (full price − unit price): what the factor saved
 */
public record UsageSum(
    UsageUnit unit,
    BigDecimal unitPrice,
    BigDecimal unitSeconds,
    BigDecimal pricedUnitSeconds,
    String activity,
    BigDecimal savedUnitSeconds) {

  /** The activity of time at the full price. */
  public static final String ACTIVE = "active";

  /**
   * The activity of a hibernated session's time (V81): priced at nothing, its full price all
   * saved. It holds nothing: hybrid overage leaves it out.
   */
  public static final String HIBERNATED = "hibernated";

  // a factor has at most 6 decimals (ActivityRates)
  private static final int FACTOR_SCALE = 6;

  /** Records at the full price. */
  public UsageSum(
      UsageUnit unit, BigDecimal unitPrice, BigDecimal unitSeconds, BigDecimal pricedUnitSeconds) {
    this(unit, unitPrice, unitSeconds, pricedUnitSeconds, ACTIVE, BigDecimal.ZERO);
  }

  /**
   * The reported line: the display quantity, the line total and (time at a factor) the saving,
   * each from one division.
   */
  public UsageLine line(Currency currency) {
    BigDecimal total = Money.lineTotal(pricedUnitSeconds, unit.unitSecondsPerUnit(), currency);
    if (ACTIVE.equals(activity)) {
      return new UsageLine(
          unit.resourceType(),
          unit.quantity(unitSeconds),
          unit.label(),
          unitPrice.stripTrailingZeros(),
          total);
    }
    return new UsageLine(
        unit.resourceType(),
        unit.quantity(unitSeconds),
        unit.label(),
        unitPrice.stripTrailingZeros(),
        total,
        activity,
        description(),
        Money.lineTotal(savedUnitSeconds, unit.unitSecondsPerUnit(), currency));
  }

  /**
   * "CPU, idle (× 0.5)": the factor is what the time cost over what it would have at the full
   * price, exact where the line's records share one factor (they share the unit price); without
   * it where no saving was recorded (records rated before V78 kept no full price), and for
   * hibernated time ("CPU, hibernated"), which costs nothing.
   */
  private String description() {
    return description(unit, activity, pricedUnitSeconds, savedUnitSeconds);
  }

  /**
   * The name of a line of time at an activity factor (see {@link #line}), from its exact sums:
   * unit-seconds × price, and what the factor saved. Invoices name their lines by it too.
   */
  public static String description(
      UsageUnit unit, String activity, BigDecimal pricedUnitSeconds, BigDecimal savedUnitSeconds) {
    String name = unit.name() + ", " + activity;
    BigDecimal full = pricedUnitSeconds.add(savedUnitSeconds);
    if (HIBERNATED.equals(activity) || savedUnitSeconds.signum() == 0 || full.signum() == 0) {
      return name;
    }
    BigDecimal factor =
        pricedUnitSeconds.divide(full, FACTOR_SCALE, RoundingMode.HALF_UP).stripTrailingZeros();
    return name + " (× " + factor.toPlainString() + ")";
  }
}

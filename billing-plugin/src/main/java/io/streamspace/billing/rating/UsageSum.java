package io.streamspace.billing.rating;

import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.util.Currency;

/**
 * A user's usage records of one resource at one unit price, summed exactly: nothing divided,
 * nothing rounded yet.
 *
 * @param unitSeconds       Σ unit-seconds
 * @param pricedUnitSeconds Σ unit-seconds × unit price
 */
public record UsageSum(
    UsageUnit unit, BigDecimal unitPrice, BigDecimal unitSeconds, BigDecimal pricedUnitSeconds) {

  /** The reported line: the display quantity and the line total, each from one division. */
  public UsageLine line(Currency currency) {
    return new UsageLine(
        unit.resourceType(),
        unit.quantity(unitSeconds),
        unit.label(),
        unitPrice.stripTrailingZeros(),
        Money.lineTotal(pricedUnitSeconds, unit.unitSecondsPerUnit(), currency));
  }
}

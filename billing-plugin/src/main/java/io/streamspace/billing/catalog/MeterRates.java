package io.streamspace.billing.catalog;

import java.math.BigDecimal;
import java.util.Map;

/**
 * Unit prices of the period counters above a plan's included amount, in one currency, at full
 * precision (never rounded): what an invoice charges per unit of a counter's overage
 * ({@code invoicing.MeterCharges}); and the price of one seat ({@link Meter#MEMBERS}) for one
 * billing period ({@code invoicing.SeatCharges}), when there is one.
 *
 * @param perUnit price of one unit (a GB, a minute, a query, a seat-month) by meter
 */
public record MeterRates(Map<Meter, BigDecimal> perUnit) {

  public MeterRates {
    perUnit = Map.copyOf(perUnit);
  }

  /** The price of one unit of that meter; zero for a meter without a rate. */
  public BigDecimal of(Meter meter) {
    return perUnit.getOrDefault(meter, BigDecimal.ZERO);
  }

  /** The price of one unit of that meter, if it has one (the members meter may have none). */
  public java.util.Optional<BigDecimal> find(Meter meter) {
    return java.util.Optional.ofNullable(perUnit.get(meter));
  }
}

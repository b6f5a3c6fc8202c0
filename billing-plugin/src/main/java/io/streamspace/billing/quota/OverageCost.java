package io.streamspace.billing.quota;

import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.MeterRates;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Optional;

/**
 * What a soft counter's overage costs at the meter rates of the account's currency, as the
 * invoice's overage line prices it ({@code invoicing.MeterCharges}): the quantity × the rate,
 * rounded once.
 *
 * @param perUnit the rate of one unit, at full precision
 * @param soFar the overage so far priced and rounded once
 */
public record OverageCost(BigDecimal perUnit, BigDecimal soFar) {

  /** The cost of {@code over} units of that meter; empty without a rate in the currency. */
  public static Optional<OverageCost> of(
      Meter meter, BigDecimal over, Currency currency, Optional<MeterRates> rates) {
    return rates
        .map(r -> r.perUnit().get(meter))
        .map(
            rate ->
                new OverageCost(
                    rate, Money.lineTotal(over.multiply(rate), BigDecimal.ONE, currency)));
  }
}

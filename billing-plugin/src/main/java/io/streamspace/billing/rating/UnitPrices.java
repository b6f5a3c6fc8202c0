package io.streamspace.billing.rating;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Map;
import java.util.Optional;

/**
 * The unit prices calculate-usage gives usage when it runs under a config ({@link
 * CurrencyRates}), for what is not rated yet to be priced as it will be.
 */
public final class UnitPrices {

  private UnitPrices() {}

  /**
   * The prices the next run gives usage of an account in {@code currency}, by resource: cpu,
   * memory and storage, and each held meter priced in it; empty when the currency has no rates
   * (its accounts are left unrated).
   */
  public static Optional<Map<UsageUnit, BigDecimal>> of(BillingConfig config, Currency currency) {
    return CurrencyRates.of(config).stream()
        .filter(rates -> rates.currency().equals(currency.getCurrencyCode()))
        .findFirst()
        .map(CurrencyRates::unitPrices);
  }
}

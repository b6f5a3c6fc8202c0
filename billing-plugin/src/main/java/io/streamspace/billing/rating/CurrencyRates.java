package io.streamspace.billing.rating;

import io.streamspace.billing.catalog.ComputeRates;
import io.streamspace.billing.config.BillingConfig;
import java.util.List;

/**
 * The unit prices of one currency, as a calculate-usage run prices its records: every supported
 * currency at the rates in effect when the job runs ({@code computeRates} for the configured
 * currency, else {@code currencyRates}). An account in a currency not among them is left unrated.
 */
record CurrencyRates(String currency, ComputeRates rates) {

  /** The rates of every supported currency, the configured currency first. */
  static List<CurrencyRates> of(BillingConfig config) {
    return config.supportedCurrencies().stream()
        .map(c -> new CurrencyRates(c.getCurrencyCode(), config.ratesIn(c).orElseThrow()))
        .toList();
  }
}

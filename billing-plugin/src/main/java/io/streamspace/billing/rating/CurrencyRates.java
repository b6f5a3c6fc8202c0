package io.streamspace.billing.rating;

import io.streamspace.billing.catalog.ComputeRates;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The unit prices of one currency, as a calculate-usage run prices its records: every supported
 * currency at the rates in effect when the job runs ({@code computeRates} for the configured
 * currency, else {@code currencyRates}), and each held meter's price per unit-hour in it (the
 * config prices every held meter in every supported currency). An account in a currency not
 * among them is left unrated. A prepaid reservation prices the minutes it holds by the same rates
 * ({@link #in}), so what it holds is what those minutes will be rated at.
 *
 * @param held each held meter's price of a unit-hour, by meter id, in the config's order
 */
public record CurrencyRates(String currency, ComputeRates rates, Map<String, BigDecimal> held) {

  public CurrencyRates {
    held = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(held));
  }

  CurrencyRates(String currency, ComputeRates rates) {
    this(currency, rates, Map.of());
  }

  /** The rates of every supported currency, the configured currency first. */
  static List<CurrencyRates> of(BillingConfig config) {
    return config.supportedCurrencies().stream().map(c -> in(config, c).orElseThrow()).toList();
  }

  /** The rates of that currency, as a run would price its records; none if it is not supported. */
  public static Optional<CurrencyRates> in(BillingConfig config, Currency currency) {
    return config
        .ratesIn(currency)
        .map(rates -> new CurrencyRates(currency.getCurrencyCode(), rates, held(config, currency)));
  }

  /**
   * What holding these amounts costs an hour at these rates: cores and GBs at their hourly
   * prices, and each held meter's amount (by meter id) at its unit-hour price; a held meter
   * without a price in this currency costs nothing, as a run leaves it unrated. Exact: no
   * rounding.
   */
  public BigDecimal perHour(
      BigDecimal cpuCores, BigDecimal memoryGb, Map<String, BigDecimal> heldAmounts) {
    BigDecimal sum =
        cpuCores.multiply(rates.cpuPerCoreHour()).add(memoryGb.multiply(rates.memoryPerGbHour()));
    for (Map.Entry<String, BigDecimal> amount : heldAmounts.entrySet()) {
      BigDecimal price = held.get(amount.getKey());
      if (price != null) {
        sum = sum.add(amount.getValue().multiply(price));
      }
    }
    return sum;
  }

  /** Its prices by resource: cpu, memory and storage, then the held meters. */
  Map<UsageUnit, BigDecimal> unitPrices() {
    Map<UsageUnit, BigDecimal> prices = new LinkedHashMap<>();
    prices.put(UsageUnit.CPU, rates.cpuPerCoreHour());
    prices.put(UsageUnit.MEMORY, rates.memoryPerGbHour());
    prices.put(UsageUnit.STORAGE, rates.storagePerGbMonth());
    held.forEach((id, price) -> prices.put(UsageUnit.held(id), price));
    return prices;
  }

  /** The held meters priced in any currency of the run, as RATE's {@code held_ids}. */
  static List<String> heldIds(List<CurrencyRates> rates) {
    return rates.stream().flatMap(r -> r.held().keySet().stream()).distinct().toList();
  }

  /** Each held price of the run as {@code currency:id}, in the order of {@link #heldPrices}. */
  static List<String> heldKeys(List<CurrencyRates> rates) {
    return rates.stream()
        .flatMap(r -> r.held().keySet().stream().map(id -> r.currency() + ":" + id))
        .toList();
  }

  /** Each held price of the run, in the order of {@link #heldKeys}. */
  static List<BigDecimal> heldPrices(List<CurrencyRates> rates) {
    return rates.stream().flatMap(r -> r.held().values().stream()).toList();
  }

  private static Map<String, BigDecimal> held(BillingConfig config, Currency currency) {
    Map<String, BigDecimal> prices = new LinkedHashMap<>();
    for (Meter meter : config.meters().held()) {
      BigDecimal price = meter.prices().get(currency);
      if (price != null) {
        prices.put(meter.configName(), price);
      }
    }
    return prices;
  }
}

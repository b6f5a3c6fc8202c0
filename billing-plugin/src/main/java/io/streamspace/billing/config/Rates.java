package io.streamspace.billing.config;

import static io.streamspace.billing.config.ValueType.AMOUNT;
import static io.streamspace.billing.config.ValueType.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Currency;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The types of unit prices in config: a rates object, {@code {"cpu_per_core_hour": 0.05,
 * "memory_per_gb_hour": 0.01, "storage_per_gb_month": 0.10}}, each rate an {@link
 * ValueType#AMOUNT}; and rates objects by ISO code.
 */
final class Rates {

  /** The rates, by their names in config. */
  enum Rate {
    CPU_PER_CORE_HOUR(ComputeRates::cpuPerCoreHour, "Price of one CPU core for one hour"),
    MEMORY_PER_GB_HOUR(ComputeRates::memoryPerGbHour, "Price of one GB of memory for one hour"),
    STORAGE_PER_GB_MONTH(
        ComputeRates::storagePerGbMonth, "Price of one GB of storage for one month of 730 hours");

    private static final List<String> KEYS = Arrays.stream(values()).map(Rate::key).toList();

    private final Function<ComputeRates, BigDecimal> of;
    private final String description;

    Rate(Function<ComputeRates, BigDecimal> of, String description) {
      this.of = of;
      this.description = description;
    }

    String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** computeRates: the rates of the configured currency, merged over the fallback's. */
  static final ValueType<ComputeRates> MERGED =
      new ValueType<>(
          "object",
          AMOUNT.allowed(),
          (value, fallback, at) -> read(value, fallback, at, false),
          Rates::write,
          Arrays.stream(Rate.values())
              .map(rate -> new ValueType.Member(rate.key(), AMOUNT.schemaType(), rate.description))
              .toList());

  /**
   * currencyRates: the rates in each further currency, by ISO code ({@code {"VND": {...}}}), a
   * known currency other than the configured one (whose rates are computeRates), all three given.
   */
  static final ValueType<Map<Currency, ComputeRates>> BY_CURRENCY =
      new ValueType<>(
          "object", AMOUNT.allowed(), Rates::readByCurrency, rates -> byCode(rates, Rates::write));

  private static final ComputeRates NONE =
      new ComputeRates(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);

  private Rates() {}

  private static ComputeRates read(
      JsonNode value, ComputeRates fallback, Reading.At at, boolean allRequired) {
    ObjectNode object = at.object(value);
    if (object == null) {
      return fallback;
    }
    at.refuseUnknown(object, Rate.KEYS);
    if (allRequired) {
      Rate.KEYS.forEach(key -> at.required(object, key));
    }
    Map<Rate, BigDecimal> rates = new EnumMap<>(Rate.class);
    for (Rate rate : Rate.values()) {
      rates.put(rate, at.read(object, rate.key(), AMOUNT, rate.of.apply(fallback)));
    }
    return new ComputeRates(
        rates.get(Rate.CPU_PER_CORE_HOUR),
        rates.get(Rate.MEMORY_PER_GB_HOUR),
        rates.get(Rate.STORAGE_PER_GB_MONTH));
  }

  private static Map<Currency, ComputeRates> readByCurrency(
      JsonNode value, Map<Currency, ComputeRates> fallback, Reading.At at) {
    ObjectNode object = at.object(value);
    if (object == null) {
      return fallback;
    }
    Currency currency = at.reading().value(BillingKeys.CURRENCY);
    Map<Currency, ComputeRates> byCurrency = new HashMap<>();
    for (Map.Entry<String, JsonNode> entry : object.properties()) {
      Reading.At ratesAt = at.member(entry.getKey());
      ObjectNode rates = ratesAt.object(entry.getValue());
      Currency other = Money.currency(entry.getKey()).orElse(null);
      if (other == null) {
        ratesAt.refuse("must be a known ISO 4217 currency code, for example VND");
      } else if (other.equals(currency)) {
        ratesAt.refuse("is the default currency: its rates are computeRates");
      } else if (rates != null) {
        byCurrency.put(other, read(rates, NONE, ratesAt, true));
      }
    }
    return Map.copyOf(byCurrency);
  }

  private static JsonNode write(ComputeRates rates) {
    ObjectNode written = JSON.objectNode();
    for (Rate rate : Rate.values()) {
      written.set(rate.key(), AMOUNT.write(rate.of.apply(rates)));
    }
    return written;
  }

  /** Values by currency as an object keyed by ISO code, in code order, so it reads the same. */
  static <V> ObjectNode byCode(Map<Currency, V> byCurrency, Function<V, JsonNode> written) {
    Map<String, V> sorted = new TreeMap<>();
    byCurrency.forEach((currency, value) -> sorted.put(currency.getCurrencyCode(), value));
    ObjectNode object = JSON.objectNode();
    sorted.forEach((code, value) -> object.set(code, written.apply(value)));
    return object;
  }
}

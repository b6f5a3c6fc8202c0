package io.streamspace.billing.config;

import static io.streamspace.billing.config.ValueType.AMOUNT;
import static io.streamspace.billing.config.ValueType.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Unit prices in config: a rates object ({@code {"cpu_per_core_hour": 0.05, ...}}, each rate an
 * {@link ValueType#AMOUNT}), and rates objects by ISO code.
 */
final class Rates {

  /** A rate of a rates object, a member named as config writes it. In ComputeRates' order. */
  private record Rate(String key, Function<ComputeRates, BigDecimal> of, String description) {}

  private static final List<Rate> RATES =
      List.of(
          new Rate(
              "cpu_per_core_hour",
              ComputeRates::cpuPerCoreHour,
              "Price of one CPU core for one hour"),
          new Rate(
              "memory_per_gb_hour",
              ComputeRates::memoryPerGbHour,
              "Price of one GB of memory for one hour"),
          new Rate(
              "storage_per_gb_month",
              ComputeRates::storagePerGbMonth,
              "Price of one GB of storage for one month of 730 hours"));
  private static final List<String> KEYS = RATES.stream().map(Rate::key).toList();
  private static final ComputeRates NONE =
      new ComputeRates(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);

  /** computeRates: the rates of the configured currency, each absent one the fallback's. */
  static final ValueType<ComputeRates> MERGED =
      new ValueType<>(
          "object",
          AMOUNT.allowed(),
          (value, fallback, at) -> read(value, fallback, at, false),
          Rates::write,
          RATES.stream()
              .map(rate -> new ValueType.Member(rate.key, AMOUNT.schemaType(), rate.description))
              .toList());

  /**
   * currencyRates: the rates of each further currency, by ISO code, all three given. A code is a
   * known currency other than the configured one, whose rates are computeRates.
   */
  static final ValueType<Map<Currency, ComputeRates>> BY_CURRENCY =
      new ValueType<>(
          "object", AMOUNT.allowed(), Rates::readByCurrency, rates -> byCode(rates, Rates::write));

  private Rates() {}

  private static ComputeRates read(
      JsonNode value, ComputeRates fallback, Reading.At at, boolean allRequired) {
    ObjectNode object = at.object(value);
    if (object == null) {
      return fallback;
    }
    at.refuseUnknown(object, KEYS);
    if (allRequired) {
      KEYS.forEach(key -> at.required(object, key));
    }
    BigDecimal[] rates =
        RATES.stream()
            .map(rate -> at.read(object, rate.key, AMOUNT, rate.of.apply(fallback)))
            .toArray(BigDecimal[]::new);
    return new ComputeRates(rates[0], rates[1], rates[2]);
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
    RATES.forEach(rate -> written.set(rate.key, AMOUNT.write(rate.of.apply(rates))));
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

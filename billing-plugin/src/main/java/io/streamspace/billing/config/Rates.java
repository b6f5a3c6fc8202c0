package io.streamspace.billing.config;

import static io.streamspace.billing.config.ValueType.AMOUNT;
import static io.streamspace.billing.config.ValueType.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.billing.catalog.ComputeRates;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.MeterRates;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Unit prices in config: a rates object ({@code {"cpu_per_core_hour": 0.05, ...}}, each rate an
 * {@link ValueType#AMOUNT}) in the configured currency, and rates objects by ISO code for the
 * further ones. Compute rates ({@code computeRates}, {@code currencyRates}) and meter rates
 * ({@code meterRates}, {@code currencyMeterRates}) are read the same way.
 */
final class Rates<T> {

  /**
   * A rate of a rates object, a member named as config writes it.
   *
   * @param of its value in the rates, null when an optional rate is not given
   * @param optional whether it may be left out, even in a further currency (a price of a seat:
   *     {@code BillingConfig.meterRatesIn} then has a default, or none)
   */
  private record Rate<T>(
      String key, Function<T, BigDecimal> of, String description, boolean optional) {

    Rate(String key, Function<T, BigDecimal> of, String description) {
      this(key, of, description, false);
    }
  }

  static final Rates<ComputeRates> COMPUTE =
      new Rates<>(
          "computeRates",
          List.of(
              new Rate<>(
                  "cpu_per_core_hour",
                  ComputeRates::cpuPerCoreHour,
                  "Price of one CPU core for one hour"),
              new Rate<>(
                  "memory_per_gb_hour",
                  ComputeRates::memoryPerGbHour,
                  "Price of one GB of memory for one hour"),
              new Rate<>(
                  "storage_per_gb_month",
                  ComputeRates::storagePerGbMonth,
                  "Price of one GB of storage for one month of 730 hours")),
          rates -> new ComputeRates(rates.get(0), rates.get(1), rates.get(2)));

  private static final List<Meter> BUILT_IN_COUNTERS =
      Meter.BUILT_IN.stream().filter(m -> m.measure() == Meter.Measure.PERIOD_COUNTER).toList();

  /**
   * One rate per built-in period counter, named as the meter: {@code bandwidth_gb}; and the
   * optional {@code members}, the price of a seat per billing period, which configs written
   * before seats lack. A custom meter's prices are its own ({@code meters}).
   */
  static final Rates<MeterRates> METER =
      new Rates<>(
          "meterRates",
          java.util.stream.Stream.concat(
                  BUILT_IN_COUNTERS.stream()
                      .map(
                          meter ->
                              new Rate<MeterRates>(
                                  meter.configName(),
                                  rates -> rates.of(meter),
                                  "Price of one %s of %s above a plan's soft included amount,"
                                          .formatted(meter.unit(), meter.configName())
                                      + " invoiced")),
                  java.util.stream.Stream.of(
                      new Rate<MeterRates>(
                          Meter.MEMBERS.configName(),
                          rates -> rates.find(Meter.MEMBERS).orElse(null),
                          "Price of one seat (a member) for one billing period above a plan's"
                              + " included seats, prorated to the second; optional (default "
                              + "10.00 USD, 250000 VND; no default in another currency)",
                          true)))
              .toList(),
          Rates::meterRates);

  private final String mergedKey;
  private final List<Rate<T>> rates;
  private final Function<List<BigDecimal>, T> made;
  private final List<String> keys;

  /** The rates of the configured currency, each absent one the fallback's. */
  final ValueType<T> merged;

  /**
   * The rates of each further currency, by ISO code, all given. A code is a known currency other
   * than the configured one, whose rates are the merged key's.
   */
  final ValueType<Map<Currency, T>> byCurrency;

  private Rates(String mergedKey, List<Rate<T>> rates, Function<List<BigDecimal>, T> made) {
    this.mergedKey = mergedKey;
    this.rates = rates;
    this.made = made;
    this.keys = rates.stream().map(Rate::key).toList();
    this.merged =
        new ValueType<>(
            "object",
            AMOUNT.allowed(),
            (value, fallback, at) -> read(value, fallback, at, false),
            this::write,
            rates.stream()
                .map(rate -> new ValueType.Member(rate.key, AMOUNT.schemaType(), rate.description))
                .toList());
    this.byCurrency =
        new ValueType<>(
            "object", AMOUNT.allowed(), this::readByCurrency, all -> byCode(all, this::write));
  }

  private T read(JsonNode value, T fallback, Reading.At at, boolean allRequired) {
    ObjectNode object = at.object(value);
    if (object == null) {
      return fallback;
    }
    at.refuseUnknown(object, keys);
    if (allRequired) {
      rates.stream().filter(rate -> !rate.optional).forEach(rate -> at.required(object, rate.key));
    }
    List<BigDecimal> read = new ArrayList<>();
    for (Rate<T> rate : rates) {
      BigDecimal otherwise =
          fallback != null ? rate.of.apply(fallback) : rate.optional ? null : BigDecimal.ZERO;
      read.add(at.read(object, rate.key, AMOUNT, otherwise));
    }
    return made.apply(read);
  }

  private Map<Currency, T> readByCurrency(
      JsonNode value, Map<Currency, T> fallback, Reading.At at) {
    ObjectNode object = at.object(value);
    if (object == null) {
      return fallback;
    }
    Currency currency = at.reading().value(BillingKeys.CURRENCY);
    Map<Currency, T> byCurrency = new HashMap<>();
    for (Map.Entry<String, JsonNode> entry : object.properties()) {
      Reading.At ratesAt = at.member(entry.getKey());
      ObjectNode ratesObject = ratesAt.object(entry.getValue());
      Currency other = Money.currency(entry.getKey()).orElse(null);
      if (other == null) {
        ratesAt.refuse("must be a known ISO 4217 currency code, for example VND");
      } else if (other.equals(currency)) {
        ratesAt.refuse("is the default currency: its rates are " + mergedKey);
      } else if (ratesObject != null) {
        byCurrency.put(other, read(ratesObject, null, ratesAt, true));
      }
    }
    return Map.copyOf(byCurrency);
  }

  private JsonNode write(T value) {
    ObjectNode written = JSON.objectNode();
    for (Rate<T> rate : rates) {
      BigDecimal given = rate.of.apply(value);
      if (given != null) { // an optional rate left out stays out
        written.set(rate.key, AMOUNT.write(given));
      }
    }
    return written;
  }

  private static MeterRates meterRates(List<BigDecimal> inOrder) {
    Map<Meter, BigDecimal> perUnit = new LinkedHashMap<>();
    List<Meter> counters = BUILT_IN_COUNTERS;
    for (int i = 0; i < counters.size(); i++) {
      perUnit.put(counters.get(i), inOrder.get(i));
    }
    BigDecimal seat = inOrder.get(counters.size());
    if (seat != null) {
      perUnit.put(Meter.MEMBERS, seat);
    }
    return new MeterRates(perUnit);
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

package io.streamspace.billing.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.billing.catalog.ComputeRates;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.MeterRates;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.plugin.api.config.ConfigProblem;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The defaults price in USD and VND, so a VND account needs no config; and a config saved
 * without VND prices (written before VND was a default) reads as it did, in USD only, refused
 * nowhere.
 */
class DefaultCurrenciesTest {

  private static final Currency USD = Currency.getInstance("USD");
  private static final Currency VND = Currency.getInstance("VND");

  /** VND figures are the USD ones at 25,000 VND a USD, as the config key table's examples. */
  private static final BigDecimal VND_PER_USD = new BigDecimal("25000");

  private final BillingConfigParser parser = new BillingConfigParser(CronValidator.fiveFields());

  @Test
  void nothingSavedSupportsUsdAndVnd_withVndRatesAndPricesAt25000VndAUsd() {
    ConfigParseResult result = parser.parse("{}");

    assertTrue(result.isValid(), result.problems().toString());
    BillingConfig config = result.config();
    assertEquals(List.of("USD", "VND"), codes(config));
    ComputeRates usd = config.ratesIn(USD).orElseThrow();
    ComputeRates vnd = config.ratesIn(VND).orElseThrow();
    assertEquals(new BigDecimal("1250"), vnd.cpuPerCoreHour());
    assertEquals(new BigDecimal("250"), vnd.memoryPerGbHour());
    assertEquals(new BigDecimal("2500"), vnd.storagePerGbMonth());
    assertSame25000Times(usd.cpuPerCoreHour(), vnd.cpuPerCoreHour());
    assertSame25000Times(usd.memoryPerGbHour(), vnd.memoryPerGbHour());
    assertSame25000Times(usd.storagePerGbMonth(), vnd.storagePerGbMonth());
    MeterRates usdMeters = config.meterRatesIn(USD).orElseThrow();
    MeterRates vndMeters = config.meterRatesIn(VND).orElseThrow();
    for (Meter meter :
        List.of(Meter.BANDWIDTH_GB, Meter.TRANSCODING_MINUTES, Meter.AI_QUERIES, Meter.MEMBERS)) {
      assertSame25000Times(usdMeters.of(meter), vndMeters.of(meter));
    }
    assertEquals(new BigDecimal("2000"), vndMeters.of(Meter.BANDWIDTH_GB));
    assertEquals(new BigDecimal("500"), vndMeters.of(Meter.TRANSCODING_MINUTES));
    assertEquals(new BigDecimal("25"), vndMeters.of(Meter.AI_QUERIES));
    assertEquals(new BigDecimal("250000"), vndMeters.of(Meter.MEMBERS));
    // 29.99 and 99.99 USD are 749,750 and 2,499,750 VND: rounded to a round figure
    assertEquals(
        List.of("free 0 0", "pro 29.99 750000", "enterprise 99.99 2500000"),
        config.subscriptionPlans().stream()
            .map(
                plan ->
                    plan.id()
                        + " "
                        + config.priceOf(plan, USD).orElseThrow()
                        + " "
                        + config.priceOf(plan, VND).orElseThrow())
            .toList());
    assertEquals(
        new BigDecimal("125000"), config.pack("slots-5").orElseThrow().priceIn(VND).orElseThrow());
  }

  @Test
  void theDefaultsWrittenAsTheEffectiveConfigParseBackWithTheirVndRatesAndPrices()
      throws Exception {
    ObjectNode written =
        (ObjectNode)
            new ObjectMapper()
                .readTree(EffectiveConfigWriter.toJson(BillingConfig.defaults(), secret -> false));
    written.remove(BillingConfigParserTest.secretNames());

    ConfigParseResult back = parser.parse(written.toString());

    assertEquals(List.of(), back.problems(), written.toString());
    BillingConfig defaults = BillingConfig.defaults();
    assertEquals(defaults.currencyRates(), back.config().currencyRates());
    assertEquals(defaults.currencyMeterRates(), back.config().currencyMeterRates());
    assertEquals(defaults.subscriptionPlans(), back.config().subscriptionPlans());
  }

  /** A config saved before VND was a default: plans of its own, priced in USD only. */
  @Test
  void savedPlansWithoutVndPricesReadAsBefore_inUsdOnly_refusedNowhere() {
    ConfigParseResult result =
        parser.parse(
            """
            {"subscriptionPlans": [
               {"id": "free", "name": "Free", "price": 0, "interval": "month"},
               {"id": "team", "name": "Team", "price": 49, "interval": "month"}]}""");

    assertEquals(List.of(), result.problems());
    assertEquals(List.of("USD"), codes(result.config()));
    assertEquals(Map.of(), result.config().currencyMeterRates());
    assertEquals(
        List.of("free", "team"),
        result.config().subscriptionPlans().stream().map(SubscriptionPlan::id).toList(),
        "the saved plans are kept, not replaced by the defaults");
  }

  @Test
  void savedPacksOrACustomMeterWithoutAVndPriceLeaveVndOut() {
    ConfigParseResult packs =
        parser.parse(
            """
            {"capacityPacks": [{"id": "slots", "name": "Slots", "adds": {"active_sessions": 5},
              "prices": {"USD": 5}, "kind": "one_time", "valid_days": 30}]}""");
    ConfigParseResult meter =
        parser.parse(
            """
            {"meters": [{"id": "cpu_cores"}, {"id": "memory_gb"}, {"id": "active_sessions"},
              {"id": "storage_gb"}, {"id": "bandwidth_gb"}, {"id": "transcoding_minutes"},
              {"id": "ai_queries"}, {"id": "gpu_minutes", "name": "GPU minutes",
              "unit": "minute", "aggregation": "sum", "prices": {"USD": 0.02}}]}""");

    for (ConfigParseResult result : List.of(packs, meter)) {
      assertEquals(List.of(), result.problems());
      assertEquals(List.of("USD"), codes(result.config()));
      assertTrue(
          result.config().subscriptionPlans().stream().allMatch(p -> p.prices().isEmpty()),
          "the default plans' VND prices go with VND");
    }
  }

  @Test
  void currencyRatesSavedEmptyIsUsdOnly_theDefaultPlansWithoutTheirVndPrices() {
    ConfigParseResult result = parser.parse("{\"currencyRates\": {}}");

    assertEquals(List.of(), result.problems());
    assertEquals(List.of("USD"), codes(result.config()));
    assertEquals(Map.of(), result.config().currencyMeterRates());
    SubscriptionPlan pro = result.config().plan("pro").orElseThrow();
    assertFalse(result.config().priceOf(pro, VND).isPresent());
  }

  @Test
  void withVndAsTheCurrencyThereIsNoFurtherCurrency_andNoPlanIsPricedInItTwice() {
    ConfigParseResult result =
        parser.parse(
            """
            {"currency": "VND", "computeRates": {"cpu_per_core_hour": 1250,
              "memory_per_gb_hour": 250, "storage_per_gb_month": 2500},
             "subscriptionPlans": [{"id": "free", "name": "Free", "price": 0,
              "interval": "month"}]}""");
    // the default plans' USD prices (29.99) have more decimals than VND, as before; their VND
    // prices are not refused as a second price in the default currency
    List<String> withDefaultPlans =
        parser.parse("{\"currency\": \"VND\"}").problems().stream()
            .map(ConfigProblem::key)
            .toList();

    assertEquals(List.of(), result.problems());
    assertEquals(List.of("VND"), codes(result.config()));
    assertEquals(Map.of(), result.config().currencyMeterRates());
    assertEquals(
        List.of("subscriptionPlans[1].price", "subscriptionPlans[2].price"), withDefaultPlans);
  }

  private static void assertSame25000Times(BigDecimal usd, BigDecimal vnd) {
    assertEquals(0, usd.multiply(VND_PER_USD).compareTo(vnd), usd + " USD is " + vnd + " VND");
  }

  private static List<String> codes(BillingConfig config) {
    return config.supportedCurrencies().stream().map(Currency::getCurrencyCode).toList();
  }
}

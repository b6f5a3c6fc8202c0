package io.streamspace.billing.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.Meters;
import io.streamspace.plugin.api.config.ConfigProblem;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeterListConfigTest {

  private final BillingConfigParser parser = new BillingConfigParser(CronValidator.fiveFields());

  private static final String BUILT_IN =
      """
      {"id": "cpu_cores"}, {"id": "memory_gb"}, {"id": "active_sessions"}, {"id": "storage_gb"},
      {"id": "bandwidth_gb"}, {"id": "transcoding_minutes"}, {"id": "ai_queries"}""";

  private static final String GPU =
      """
      {"id": "gpu_minutes", "name": "GPU minutes", "unit": "minute", "aggregation": "sum",
       "prices": {"USD": 0.02}}""";

  private ConfigParseResult parse(String json) {
    return parser.parse(json);
  }

  private List<ConfigProblem> problems(String meters) {
    return parse("{\"meters\": [" + meters + "]}").problems();
  }

  @Test
  void aCustomMeterFollowsTheBuiltInOnes_priced_andAPlanMayLimitIt() {
    ConfigParseResult result =
        parse(
            """
            {"meters": [%s, %s],
             "subscriptionPlans": [{"id": "free", "name": "Free", "price": 0, "interval": "month",
               "limits": {"gpu_minutes": {"limit": 100, "kind": "hard"}}}]}"""
                .formatted(BUILT_IN, GPU));

    assertEquals(List.of(), result.problems());
    Meters meters = result.config().meters();
    Meter gpu = meters.named("gpu_minutes").orElseThrow();
    // the seven built-in ones listed, then gpu_minutes, then members: always there, last when
    // the list (one written before seats) does not name it
    assertEquals(9, meters.all().size());
    assertEquals(Meter.MEMBERS, meters.all().get(8));
    assertEquals("GPU minutes", gpu.name());
    assertEquals(Meter.Aggregation.SUM, gpu.aggregation());
    // the USD rates: the built-in counters' meterRates, and gpu_minutes' own price
    assertEquals(
        new BigDecimal("0.02"),
        result.config().meterRatesIn(Currency.getInstance("USD")).orElseThrow().of(gpu));
    assertEquals(
        new BigDecimal("0.08"),
        result
            .config()
            .meterRatesIn(Currency.getInstance("USD"))
            .orElseThrow()
            .of(Meter.BANDWIDTH_GB));
    assertEquals(new BigDecimal("100"), result.config().limitsOf("free").of(gpu).amount());
  }

  @Test
  void withoutMetersTheEightBuiltInOnesAreTheCatalog() {
    assertEquals(Meters.DEFAULT, parse("{}").config().meters());
    assertEquals(Meter.BUILT_IN, parse("{}").config().meters().all());
  }

  @Test
  void aBadAggregationAMissingPriceAndABadIdAreRefusedAtTheirPlace_andTheMetersKeepTheirDefault() {
    ConfigParseResult result =
        parse(
            """
            {"currencyRates": {"VND": {"cpu_per_core_hour": 1250, "memory_per_gb_hour": 250,
               "storage_per_gb_month": 2500}},
             "currencyMeterRates": {"VND": {"bandwidth_gb": 2000, "transcoding_minutes": 500,
               "ai_queries": 25}},
             "subscriptionPlans": [{"id": "free", "name": "Free", "price": 0, "interval": "month",
               "prices": {"VND": 0}}],
             "meters": [%s, %s,
               {"id": "peak", "name": "Peak", "unit": "viewer", "aggregation": "avg",
                "prices": {"USD": 1, "VND": 1}},
               {"id": "GPU-hours", "name": "G", "unit": "hour", "aggregation": "sum",
                "prices": {"USD": 1, "VND": 1}}]}"""
                .formatted(BUILT_IN, GPU));

    assertEquals(
        List.of(
            new ConfigProblem("meters[8].aggregation", "must be sum or max"),
            new ConfigProblem(
                "meters[9].id",
                "must be 1 to 40 lower case letters, digits or underscores, a letter first,"
                    + " for example gpu_minutes")),
        result.problems());
    assertEquals(Meters.DEFAULT, result.config().meters());
  }

  @Test
  void aCustomMeterWithoutAPriceInASupportedCurrencyIsRefusedNamingIt() {
    ConfigParseResult result =
        parse(
            """
            {"currencyRates": {"VND": {"cpu_per_core_hour": 1250, "memory_per_gb_hour": 250,
               "storage_per_gb_month": 2500}},
             "currencyMeterRates": {"VND": {"bandwidth_gb": 2000, "transcoding_minutes": 500,
               "ai_queries": 25}},
             "subscriptionPlans": [{"id": "free", "name": "Free", "price": 0, "interval": "month",
               "prices": {"VND": 0}}],
             "meters": [%s, %s]}"""
                .formatted(BUILT_IN, GPU));

    assertEquals(
        List.of(
            new ConfigProblem(
                "meters[7].prices.VND",
                "is required: every custom meter needs a price in every supported currency")),
        result.problems());
  }

  @Test
  void aBuiltInCounterPricedInMetersIsRefused_meterRatesPriceIt() {
    assertEquals(
        List.of(
            new ConfigProblem(
                "meters[4].prices",
                "is not for the built-in meter bandwidth_gb: meterRates and currencyMeterRates"
                    + " price it"),
            new ConfigProblem(
                "meters[5].unit",
                "is minute for the built-in meter transcoding_minutes: it cannot be changed")),
        problems(
            """
            {"id": "cpu_cores"}, {"id": "memory_gb"}, {"id": "active_sessions"},
            {"id": "storage_gb"}, {"id": "bandwidth_gb", "prices": {"USD": 0.1}},
            {"id": "transcoding_minutes", "unit": "second"}, {"id": "ai_queries"}"""));
  }

  @Test
  void aMeterMeasuredFromSessionsCannotBeRemoved_norOneTheDefaultPlansOrPacksUse() {
    assertEquals(
        List.of(
            new ConfigProblem(
                "meters",
                "must list cpu_cores: it is measured from sessions, so it cannot be removed")),
        problems(
            """
            {"id": "memory_gb"}, {"id": "active_sessions"}, {"id": "storage_gb"},
            {"id": "bandwidth_gb"}, {"id": "transcoding_minutes"}, {"id": "ai_queries"}"""));
    List<ConfigProblem> dropped =
        problems(
            """
            {"id": "cpu_cores"}, {"id": "memory_gb"}, {"id": "active_sessions"},
            {"id": "storage_gb"}, {"id": "transcoding_minutes"}, {"id": "ai_queries"}""");
    assertEquals(
        List.of(
            new ConfigProblem(
                "meters",
                "must list bandwidth_gb: the default subscriptionPlans[0] (free) uses it (save"
                    + " them without it to remove it)")),
        dropped);
  }

  @Test
  void aSavedPlanOrPackNamingAMeterNotListedIsRefusedAtItsPlace() {
    ConfigParseResult result =
        parse(
            """
            {"subscriptionPlans": [{"id": "free", "name": "Free", "price": 0, "interval": "month",
               "limits": {"gpu_minutes": {"limit": 100}}}],
             "capacityPacks": [{"id": "gpu-100", "name": "100 GPU minutes",
               "adds": {"gpu_minutes": 100}, "prices": {"USD": 1}, "kind": "recurring"}]}""");

    String listed =
        "unknown meter: must be one of meters (cpu_cores, memory_gb, active_sessions, storage_gb,"
            + " bandwidth_gb, transcoding_minutes, ai_queries, members)";
    assertEquals(
        List.of(
            new ConfigProblem("subscriptionPlans[0].limits.gpu_minutes", listed),
            new ConfigProblem("capacityPacks[0].adds.gpu_minutes", listed)),
        result.problems());
  }

  @Test
  void theEffectiveConfigWritesTheMetersBackSoTheyReadTheSame() throws Exception {
    ConfigParseResult result =
        parse("{\"meters\": [%s, %s]}".formatted(BUILT_IN, GPU.replace("sum", "max")));
    String written =
        new ObjectMapper()
            .readTree(EffectiveConfigWriter.toJson(result.config(), s -> false))
            .get("meters")
            .toString();

    ConfigParseResult again = parse("{\"meters\": " + written + "}");

    assertEquals(List.of(), again.problems());
    assertEquals(result.config().meters(), again.config().meters());
    Meter gpu = again.config().meters().named("gpu_minutes").orElseThrow();
    assertEquals(Meter.Aggregation.MAX, gpu.aggregation());
    assertEquals(Map.of(Currency.getInstance("USD"), new BigDecimal("0.02")), gpu.prices());
    assertTrue(written.contains("\"unit\":\"minute\""), written);
  }
}

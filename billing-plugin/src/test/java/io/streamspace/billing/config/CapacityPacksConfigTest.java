package io.streamspace.billing.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.catalog.CapacityPack.Kind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.plugin.api.config.ConfigProblem;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code capacityPacks}: its defaults, and every refusal naming its place. */
class CapacityPacksConfigTest {

  private static final Currency USD = Currency.getInstance("USD");
  private static final Currency VND = Currency.getInstance("VND");

  private static final String VND_RATES =
      """
      "currencyRates": {"VND": {"cpu_per_core_hour": 1250, "memory_per_gb_hour": 250,
        "storage_per_gb_month": 2500}},
      "currencyMeterRates": {"VND": {"bandwidth_gb": 2000, "transcoding_minutes": 500,
        "ai_queries": 25}},
      "subscriptionPlans": [{"id": "free", "name": "Free", "price": 0, "interval": "month",
        "prices": {"VND": 0}}]""";

  private static final String SLOTS =
      """
      {"id": "slots", "name": "Slots", "adds": {"active_sessions": 5},
       "prices": {"USD": 5, "VND": 125000}, "kind": "one_time", "valid_days": 30}""";

  private final BillingConfigParser parser = new BillingConfigParser(CronValidator.fiveFields());

  private ConfigParseResult parse(String packs) {
    return parser.parse("{" + VND_RATES + ", \"capacityPacks\": [" + packs + "]}");
  }

  private static List<String> keys(ConfigParseResult result) {
    return result.problems().stream().map(ConfigProblem::key).toList();
  }

  @Test
  void theDefaultsAreTheSeedsJobSlotPacksAndAStorageAndABandwidthPack() {
    List<CapacityPack> packs = BillingConfig.defaults().capacityPacks();

    assertEquals(
        List.of("slots-5", "slots-20", "slots-50", "slots-100", "storage-10", "bandwidth-50"),
        packs.stream().map(CapacityPack::id).toList());
    assertEquals(
        List.of("5", "20", "50", "100"),
        packs.subList(0, 4).stream()
            .map(p -> p.adds().get(Meter.ACTIVE_SESSIONS).toPlainString())
            .toList());
    CapacityPack storage = packs.get(4);
    assertEquals(Map.of(Meter.STORAGE_GB, new BigDecimal("10")), storage.adds());
    assertEquals(Kind.RECURRING, storage.kind());
    assertEquals(null, storage.validDays());
    CapacityPack bandwidth = packs.get(5);
    assertEquals(Map.of(Meter.BANDWIDTH_GB, new BigDecimal("50")), bandwidth.adds());
    assertEquals(Kind.ONE_TIME, bandwidth.kind());
    assertEquals(30, bandwidth.validDays());
    assertEquals(new BigDecimal("5.00"), packs.get(0).priceIn(USD).orElseThrow());
    assertEquals(new BigDecimal("125000"), packs.get(0).priceIn(VND).orElseThrow());
    assertTrue(parser.parse("{}").isValid());
    assertTrue(parser.parse("{" + VND_RATES + "}").isValid(), "the defaults are priced in VND");
  }

  @Test
  void savedPacksPricedInEverySupportedCurrencyAreAcceptedAndWrittenBackUnchanged()
      throws Exception {
    ConfigParseResult result =
        parse(
            SLOTS
                + """
            , {"id": "disk", "name": "Disk", "adds": {"storage_gb": 10, "bandwidth_gb": 2.5},
               "prices": {"USD": 1.99, "VND": 50000, "EUR": 1.5}, "kind": "recurring"}""");

    assertTrue(result.isValid(), result.problems().toString());
    List<CapacityPack> packs = result.config().capacityPacks();
    assertEquals(Kind.RECURRING, packs.get(1).kind());
    assertEquals(new BigDecimal("2.5"), packs.get(1).adds().get(Meter.BANDWIDTH_GB));
    assertEquals(new BigDecimal("1.99"), packs.get(1).priceIn(USD).orElseThrow());
    String written = EffectiveConfigWriter.toJson(result.config(), s -> false);
    String savedBack = new ObjectMapper().readTree(written).get("capacityPacks").toString();
    assertEquals(
        packs,
        parser
            .parse("{" + VND_RATES + ", \"capacityPacks\": " + savedBack + "}")
            .config()
            .capacityPacks());
  }

  @Test
  void theDefaultCatalogIsWrittenWithoutTrailingZerosOrExponents() {
    String schemaDefault =
        BillingConfigSchema.schema().keys().stream()
            .filter(key -> key.name().equals("capacityPacks"))
            .findFirst()
            .orElseThrow()
            .defaultJson();

    assertTrue(schemaDefault.contains("\"prices\":{\"USD\":40,\"VND\":1000000}"), schemaDefault);
    assertTrue(schemaDefault.contains("\"prices\":{\"USD\":5,\"VND\":125000}"), schemaDefault);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"name\": \"X\", \"adds\": {\"storage_gb\": 1}, \"prices\": {\"USD\": 1, \"VND\": 1},"
            + " \"kind\": \"recurring\"} | capacityPacks[1].id",
        "{\"id\": \"slots\", \"name\": \"X\", \"adds\": {\"storage_gb\": 1},"
            + " \"prices\": {\"USD\": 1, \"VND\": 1}, \"kind\": \"recurring\"}"
            + " | capacityPacks[1].id",
        "{\"id\": \"x\", \"adds\": {\"storage_gb\": 1}, \"prices\": {\"USD\": 1, \"VND\": 1},"
            + " \"kind\": \"recurring\"} | capacityPacks[1].name",
        "{\"id\": \"x\", \"name\": \"X\", \"prices\": {\"USD\": 1, \"VND\": 1},"
            + " \"kind\": \"recurring\"} | capacityPacks[1].adds",
        "{\"id\": \"x\", \"name\": \"X\", \"adds\": {}, \"prices\": {\"USD\": 1, \"VND\": 1},"
            + " \"kind\": \"recurring\"} | capacityPacks[1].adds",
        "{\"id\": \"x\", \"name\": \"X\", \"adds\": {\"gpu_hours\": 1},"
            + " \"prices\": {\"USD\": 1, \"VND\": 1}, \"kind\": \"recurring\"}"
            + " | capacityPacks[1].adds.gpu_hours",
        // seats are a plan's included members, not sold in packs
        "{\"id\": \"x\", \"name\": \"X\", \"adds\": {\"members\": 5},"
            + " \"prices\": {\"USD\": 1, \"VND\": 1}, \"kind\": \"recurring\"}"
            + " | capacityPacks[1].adds.members",
        "{\"id\": \"x\", \"name\": \"X\", \"adds\": {\"storage_gb\": 0},"
            + " \"prices\": {\"USD\": 1, \"VND\": 1}, \"kind\": \"recurring\"}"
            + " | capacityPacks[1].adds.storage_gb",
        "{\"id\": \"x\", \"name\": \"X\", \"adds\": {\"storage_gb\": -1},"
            + " \"prices\": {\"USD\": 1, \"VND\": 1}, \"kind\": \"recurring\"}"
            + " | capacityPacks[1].adds.storage_gb",
        "{\"id\": \"x\", \"name\": \"X\", \"adds\": {\"storage_gb\": 1},"
            + " \"kind\": \"recurring\"} | capacityPacks[1].prices",
        "{\"id\": \"x\", \"name\": \"X\", \"adds\": {\"storage_gb\": 1}, \"prices\": {\"USD\": 1},"
            + " \"kind\": \"recurring\"} | capacityPacks[1].prices.VND",
        "{\"id\": \"x\", \"name\": \"X\", \"adds\": {\"storage_gb\": 1},"
            + " \"prices\": {\"USD\": 1, \"VND\": 1.5}, \"kind\": \"recurring\"}"
            + " | capacityPacks[1].prices.VND",
        "{\"id\": \"x\", \"name\": \"X\", \"adds\": {\"storage_gb\": 1},"
            + " \"prices\": {\"USD\": 1.999, \"VND\": 1}, \"kind\": \"recurring\"}"
            + " | capacityPacks[1].prices.USD",
        "{\"id\": \"x\", \"name\": \"X\", \"adds\": {\"storage_gb\": 1},"
            + " \"prices\": {\"USD\": 1, \"VND\": 1, \"XYZ\": 1}, \"kind\": \"recurring\"}"
            + " | capacityPacks[1].prices.XYZ",
        "{\"id\": \"x\", \"name\": \"X\", \"adds\": {\"storage_gb\": 1},"
            + " \"prices\": {\"USD\": 1, \"VND\": 1}} | capacityPacks[1].kind",
        "{\"id\": \"x\", \"name\": \"X\", \"adds\": {\"storage_gb\": 1},"
            + " \"prices\": {\"USD\": 1, \"VND\": 1}, \"kind\": \"weekly\"} | capacityPacks[1].kind",
        "{\"id\": \"x\", \"name\": \"X\", \"adds\": {\"storage_gb\": 1},"
            + " \"prices\": {\"USD\": 1, \"VND\": 1}, \"kind\": \"one_time\"}"
            + " | capacityPacks[1].valid_days",
        "{\"id\": \"x\", \"name\": \"X\", \"adds\": {\"storage_gb\": 1},"
            + " \"prices\": {\"USD\": 1, \"VND\": 1}, \"kind\": \"one_time\", \"valid_days\": 0}"
            + " | capacityPacks[1].valid_days",
        "{\"id\": \"x\", \"name\": \"X\", \"adds\": {\"storage_gb\": 1},"
            + " \"prices\": {\"USD\": 1, \"VND\": 1}, \"kind\": \"one_time\","
            + " \"valid_days\": 3651} | capacityPacks[1].valid_days",
        "{\"id\": \"x\", \"name\": \"X\", \"adds\": {\"storage_gb\": 1},"
            + " \"prices\": {\"USD\": 1, \"VND\": 1}, \"kind\": \"recurring\", \"valid_days\": 30}"
            + " | capacityPacks[1].valid_days",
        "{\"id\": \"x\", \"name\": \"X\", \"adds\": {\"storage_gb\": 1},"
            + " \"prices\": {\"USD\": 1, \"VND\": 1}, \"kind\": \"recurring\", \"colour\": 1}"
            + " | capacityPacks[1].colour",
        "7 | capacityPacks[1]",
      })
  void aBadPackIsRefusedNamingItsPlaceAndTheCatalogKeepsItsDefault(String pack, String key) {
    ConfigParseResult result = parse(SLOTS + ", " + pack);

    assertEquals(List.of(key), keys(result));
    assertEquals(BillingConfig.defaults().capacityPacks(), result.config().capacityPacks());
  }

  @Test
  void aCatalogThatIsNotAnArrayIsRefused() {
    assertEquals(
        List.of("capacityPacks"), keys(parser.parse("{\"capacityPacks\": {\"id\": \"x\"}}")));
  }
}

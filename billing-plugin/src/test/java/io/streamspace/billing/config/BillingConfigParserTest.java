package io.streamspace.billing.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.MeterRates;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.catalog.share.ShareTable;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.tax.TaxBehavior;
import io.streamspace.plugin.api.config.ConfigKey;
import io.streamspace.plugin.api.config.ConfigProblem;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BillingConfigParserTest {

  private final BillingConfigParser parser = new BillingConfigParser(CronValidator.fiveFields());

  @Test
  void emptyConfigGivesTheDefaults() {
    ConfigParseResult result = parser.parse("{}");

    assertTrue(result.isValid());
    BillingConfig config = result.config();
    assertEquals(BillingConfig.defaults(), config);
    assertEquals(new BigDecimal("0.05"), config.computeRates().cpuPerCoreHour());
    assertEquals(new BigDecimal("0.01"), config.computeRates().memoryPerGbHour());
    assertEquals(new BigDecimal("0.10"), config.computeRates().storagePerGbMonth());
    assertEquals(
        List.of("free", "pro", "enterprise"),
        config.subscriptionPlans().stream().map(SubscriptionPlan::id).toList());
    assertEquals("0 * * * *", config.usageCalculationInterval());
    assertEquals(2, config.currency().getDefaultFractionDigits());
    assertEquals(Duration.ofMinutes(10), config.sessionHeartbeatTimeout());
    assertEquals(ZoneId.of("UTC"), config.billingTimeZone());
    assertEquals(List.of(1, 3, 5), config.paymentRetryDays());
  }

  @Test
  void savedValuesAreMergedOverDefaults() {
    BillingConfig config =
        parser
            .parse(
                """
        {"computeRates": {"cpu_per_core_hour": 0.07}, "invoiceDay": 15, "currency": "VND",
         "billingTimeZone": "Asia/Ho_Chi_Minh", "billingMode": "hybrid",
         "sessionHeartbeatTimeoutMinutes": 3, "paymentRetryDays": [2, 7]}""")
            .config();

    assertEquals(new BigDecimal("0.07"), config.computeRates().cpuPerCoreHour());
    assertEquals(List.of(2, 7), config.paymentRetryDays());
    assertEquals(new BigDecimal("0.01"), config.computeRates().memoryPerGbHour());
    assertEquals(15, config.invoiceDay());
    assertEquals(0, config.currency().getDefaultFractionDigits());
    assertEquals(ZoneId.of("Asia/Ho_Chi_Minh"), config.billingTimeZone());
    assertEquals(BillingMode.HYBRID, config.billingMode());
    assertEquals(Duration.ofMinutes(3), config.sessionHeartbeatTimeout());
  }

  /**
   * embedOrigins goes into the widget's frame-ancestors as it is read: exact origins only, each
   * lower-cased. Anything else refuses the list under the element's key, saying why, and leaves
   * the default (no origin) in effect.
   */
  @Test
  void embedOriginsAreExactOrigins_eachOtherValueRefusedNamingItsElementAndWhy() {
    assertEquals(List.of(), parser.parse("{}").config().embedOrigins());
    ConfigParseResult accepted =
        parser.parse(
            """
            {"embedOrigins": ["https://Shell.Example.com", "https://shell.example.com:8443",
             "http://localhost:3000", "http://127.0.0.1:8080"]}""");
    assertEquals(List.of(), accepted.problems());
    assertEquals(
        List.of(
            "https://shell.example.com",
            "https://shell.example.com:8443",
            "http://localhost:3000",
            "http://127.0.0.1:8080"),
        accepted.config().embedOrigins());

    Map<String, String> refused =
        Map.ofEntries(
            Map.entry("\"https://*.example.com\"", "a wildcard (*) is not allowed"),
            Map.entry("\"*\"", "a wildcard (*) is not allowed"),
            Map.entry("\"https://shell.example.com/\"", "without a path, query or fragment"),
            Map.entry("\"https://shell.example.com/app\"", "without a path, query or fragment"),
            Map.entry("\"https://shell.example.com?a=1\"", "without a path, query or fragment"),
            Map.entry("\"https://user@shell.example.com\"", "scheme://host[:port]"),
            Map.entry("\"shell.example.com\"", "scheme://host[:port]"),
            Map.entry("\"'self'\"", "scheme://host[:port]"),
            Map.entry("\"https://a.example.com https://b.example.com\"", "scheme://host[:port]"),
            Map.entry("\"https://a.example.com; script-src 'unsafe-inline'\"", "scheme://"),
            Map.entry("\"ftp://shell.example.com\"", "scheme://host[:port]"),
            Map.entry("\"http://shell.example.com\"", "must use https"),
            Map.entry("\"https://shell.example.com:0\"", "a port from 1 to 65535"),
            Map.entry("\"https://shell.example.com:70000\"", "a port from 1 to 65535"),
            Map.entry("\"https://ok.example.com\"", "is listed twice"),
            Map.entry("5", "must be a string"));
    refused.forEach(
        (value, why) -> {
          ConfigParseResult result =
              parser.parse("{\"embedOrigins\": [\"https://ok.example.com\", " + value + "]}");
          assertEquals(List.of("embedOrigins[1]"), keys(result.problems()), value);
          assertTrue(
              result.problems().get(0).message().contains(why), result.problems().toString());
          assertEquals(List.of(), result.config().embedOrigins(), value);
        });
    assertEquals(
        List.of("embedOrigins"),
        keys(parser.parse("{\"embedOrigins\": \"https://ok.example.com\"}").problems()));
  }

  @ParameterizedTest(name = "{0} is refused under {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"invoiceDay\": 29}                                   | invoiceDay",
        "{\"invoiceDay\": 1.5}                                  | invoiceDay",
        "{\"invoiceDay\": \"1\"}                                | invoiceDay",
        "{\"alertThreshold\": 0}                                | alertThreshold",
        "{\"gracePeriodDays\": 366}                             | gracePeriodDays",
        "{\"sessionHeartbeatTimeoutMinutes\": 0}                | sessionHeartbeatTimeoutMinutes",
        "{\"invoiceGraceMinutes\": -1}                          | invoiceGraceMinutes",
        "{\"paymentTermsDays\": 366}                            | paymentTermsDays",
        "{\"paymentGraceDays\": 366}                            | paymentGraceDays",
        "{\"paymentRetryDays\": 3}                              | paymentRetryDays",
        "{\"paymentRetryDays\": [1, 0]}                         | paymentRetryDays[1]",
        "{\"paymentRetryDays\": [3, 3]}                         | paymentRetryDays[1]",
        "{\"paymentRetryDays\": [1, 2.5]}                       | paymentRetryDays[1]",
        "{\"paymentRetryDays\": [1,2,3,4,5,6,7,8,9,10,11]}      | paymentRetryDays",
        "{\"holdMinutes\": 0}                                   | holdMinutes",
        "{\"holdMinutes\": 1441}                                | holdMinutes",
        "{\"faultCreditReasons\": [\"node_lost\", \"node_lost\"]} | faultCreditReasons[1]",
        "{\"faultCreditPolicy\": \"last_minutes\"}              | faultCreditPolicy",
        "{\"faultCreditPolicy\": {\"last_minutes\": 0}}         | faultCreditPolicy.last_minutes",
        "{\"faultCreditPolicy\": {\"last_minutes\": 15, \"x\": 1}} | faultCreditPolicy.x",
        "{\"faultCreditCap\": {\"USD\": 0.001}}                 | faultCreditCap.USD",
        "{\"faultCreditCap\": {\"XYZ\": 5}}                     | faultCreditCap.XYZ",
        "{\"leadPlans\": \"pro\"}                               | leadPlans",
        "{\"leadPlans\": [\"pro\", \"\"]}                         | leadPlans[1]",
        "{\"leadPlans\": [\"pro\", \"pro\"]}                      | leadPlans[1]",
        "{\"leadLimitPercent\": 101}                          | leadLimitPercent",
        "{\"leadDays\": 31}                                   | leadDays",
        "{\"leadMemberGrowth\": 0}                            | leadMemberGrowth",
        "{\"leadMemberGrowthPercent\": 0}                     | leadMemberGrowthPercent",
        "{\"billingMode\": \"prepaid\"}                         | billingMode",
        "{\"stripeCollection\": \"stripe\"}                     | stripeCollection",
        "{\"enabled\": \"yes\"}                                 | enabled",
        "{\"currency\": \"XYZ\"}                                | currency",
        "{\"billingTimeZone\": \"Mars/Olympus\"}                | billingTimeZone",
        "{\"usageCalculationInterval\": \"every hour\"}         | usageCalculationInterval",
        "{\"quotaCheckInterval\": \"every 5 minutes\"}          | quotaCheckInterval",
        "{\"meterRates\": {\"ai_queries\": -0.001}}             | meterRates.ai_queries",
        "{\"meterRates\": {\"ai_queries\": 1e308}}              | meterRates.ai_queries",
        "{\"meterRates\": {\"gpu_hours\": 1}}                   | meterRates.gpu_hours",
        "{\"currencyMeterRates\": {\"USD\": {}}}                | currencyMeterRates.USD",
        "{\"computeRates\": {\"cpu_per_core_hour\": -0.01}}     | computeRates.cpu_per_core_hour",
        "{\"computeRates\": {\"memory_per_gb_hour\": \"0.1\"}}  | computeRates.memory_per_gb_hour",
        "{\"computeRates\": {\"cpu_per_core_huor\": 0.1}}       | computeRates.cpu_per_core_huor",
        "{\"computeRates\": {\"cpu_per_core_hour\": 1e308}}     | computeRates.cpu_per_core_hour",
        "{\"computeRates\": {\"memory_per_gb_hour\": 1000000000000.01}} | computeRates.memory_per_gb_hour",
        "{\"computeRates\": {\"storage_per_gb_month\": 1e-20000}} | computeRates.storage_per_gb_month",
        "{\"computeRates\": {\"cpu_per_core_hour\": 0.0000000000001}} | computeRates.cpu_per_core_hour",
        "{\"currencyRates\": {\"VND\": {\"cpu_per_core_hour\": 1e13, \"memory_per_gb_hour\": 1, \"storage_per_gb_month\": 1}}, \"subscriptionPlans\": [{\"id\": \"free\", \"name\": \"F\", \"price\": 0, \"interval\": \"month\", \"prices\": {\"VND\": 0}}]} | currencyRates.VND.cpu_per_core_hour",
        "{\"subscriptionPlans\": [{\"id\": \"free\", \"name\": \"F\", \"price\": 1e308, \"interval\": \"month\"}]} | subscriptionPlans[0].price",
        "{\"subscriptionPlans\": [{\"id\": \"free\", \"name\": \"F\", \"price\": 0, \"interval\": \"month\", \"cpu_limit\": 1e308}]} | subscriptionPlans[0].cpu_limit",
        "{\"invoiceDay\": 1e308}                                | invoiceDay",
        "{\"computeRates\": 5}                                  | computeRates",
        "{\"invoiceDya\": 3}                                    | invoiceDya",
        "{\"defaultPlan\": \"gold\"}                            | defaultPlan",
        "{\"stripeTax\": true}                                 | stripeTax",
        "{\"taxBehavior\": \"both\"}                           | taxBehavior",
        "{\"currencyRates\": {\"XYZ\": {}}}                     | currencyRates.XYZ",
        "{\"currencyRates\": {\"USD\": {}}}                     | currencyRates.USD",
        "{\"currencyRates\": {\"VND\": 5}}                      | currencyRates.VND",
        "[1, 2]                                                 | $",
        "{not json                                              | $",
      })
  void refusesNamingTheKey(String json, String key) {
    ConfigParseResult result = parser.parse(json);

    assertEquals(List.of(key), keys(result.problems()), result.problems().toString());
  }

  @Test
  void stripeTaxIsOffByDefault_andTakenWithStripeEnabled() {
    assertFalse(parser.parse("{}").config().stripeTax());
    assertEquals(TaxBehavior.EXCLUSIVE, parser.parse("{}").config().taxBehavior());

    ConfigParseResult result =
        parser.parse(
            "{\"stripeEnabled\": true, \"stripeTax\": true, \"taxBehavior\": \"inclusive\"}");

    assertTrue(result.isValid(), result.problems().toString());
    assertTrue(result.config().stripeTax());
    assertEquals(TaxBehavior.INCLUSIVE, result.config().taxBehavior());
  }

  @Test
  void ratesPricesAndLimitsUpToTheBoundAreKeptExactly() {
    ConfigParseResult result =
        parser.parse(
            """
        {"computeRates": {"cpu_per_core_hour": 1000000000000, "memory_per_gb_hour": 0.000000000001,
          "storage_per_gb_month": 0.100000000000000000000},
         "subscriptionPlans": [{"id": "free", "name": "F", "price": 999999999999.99,
          "interval": "month", "cpu_limit": 1000000000000}]}""");

    assertTrue(result.isValid(), result.problems().toString());
    assertEquals("1000000000000", result.config().computeRates().cpuPerCoreHour().toPlainString());
    assertEquals("1E-12", result.config().computeRates().memoryPerGbHour().toString());
    assertEquals(
        "999999999999.99", result.config().subscriptionPlans().get(0).price().toPlainString());
  }

  @Test
  void anAbsurdRateIsRefusedWithTheBoundInTheMessage() {
    ConfigParseResult result = parser.parse("{\"computeRates\": {\"cpu_per_core_hour\": 1e308}}");

    assertEquals(
        List.of(
            new ConfigProblem(
                "computeRates.cpu_per_core_hour",
                "must be a number from 0 to 1000000000000 with at most 12 decimals")),
        result.problems());
    assertEquals(new BigDecimal("0.05"), result.config().computeRates().cpuPerCoreHour());
  }

  @Test
  void refusedKeyKeepsItsDefault() {
    assertEquals(1, parser.parse("{\"invoiceDay\": 40}").config().invoiceDay());
  }

  @Test
  void plansAreValidated() {
    ConfigParseResult result =
        parser.parse(
            """
        {"subscriptionPlans": [
           {"id": "a", "name": "A", "price": 1, "interval": "month"},
           {"id": "a", "name": "B", "price": -1, "interval": "week", "colour": "red"},
           {"name": "C", "price": 1, "interval": "year"}],
         "defaultPlan": "a"}""");

    assertEquals(
        List.of(
            "subscriptionPlans[1].colour",
            "subscriptionPlans[1].id",
            "subscriptionPlans[1].interval",
            "subscriptionPlans[1].price",
            "subscriptionPlans[2].id"),
        keys(result.problems()).stream().sorted().toList());
  }

  @Test
  void acceptsOwnPlansWithAMatchingDefault() {
    ConfigParseResult result =
        parser.parse(
            """
        {"subscriptionPlans": [{"id": "solo", "name": "Solo", "price": 5, "interval": "year",
          "cpu_limit": 1}], "defaultPlan": "solo"}""");

    assertTrue(result.isValid(), result.problems().toString());
    assertEquals(new BigDecimal("1"), result.config().subscriptionPlans().get(0).cpuLimit());
  }

  private static final String ONE_PLAN =
      """
      {"billingMode": "%s", "subscriptionPlans": [{"id": "solo", "name": "Solo", "price": 5,
        "interval": "month", %s}], "defaultPlan": "solo"}""";

  private ConfigParseResult onePlan(String mode, String planFields) {
    return parser.parse(ONE_PLAN.formatted(mode, planFields));
  }

  private static Limit limit(String amount, LimitKind kind) {
    return new Limit(amount == null ? null : new BigDecimal(amount), kind);
  }

  @ParameterizedTest(name = "in {0} mode the legacy limits are {1}")
  @CsvSource({"subscription, HARD", "hybrid, SOFT", "usage, HARD"})
  void theLegacyLimitKeysAreTheLimitsOfTheirMetersOfTheModesDefaultKind(
      String mode, LimitKind kind) {
    ConfigParseResult result =
        onePlan(mode, "\"cpu_limit\": 4, \"memory_limit\": 8, \"storage_limit\": 50");

    assertTrue(result.isValid(), result.problems().toString());
    assertEquals(
        Map.of(
            Meter.CPU_CORES, limit("4", kind),
            Meter.MEMORY_GB, limit("8", kind),
            Meter.STORAGE_GB, limit("50", kind),
            Meter.ACTIVE_SESSIONS, limit(null, LimitKind.HARD),
            Meter.BANDWIDTH_GB, limit(null, LimitKind.HARD),
            Meter.TRANSCODING_MINUTES, limit(null, LimitKind.HARD),
            Meter.AI_QUERIES, limit(null, LimitKind.HARD),
            Meter.MEMBERS, limit(null, LimitKind.HARD)),
        result.config().limitsOf("solo").all(result.config().meters()));
  }

  @Test
  void anExplicitLimitWinsOverTheLegacyKeyAndSetsItsKind() {
    ConfigParseResult result =
        onePlan(
            "hybrid",
            """
            "cpu_limit": 4, "storage_limit": 50,
            "limits": {"storage_gb": {"limit": 50, "kind": "hard"},
              "cpu_cores": {"limit": 4}, "ai_queries": {"limit": 1000, "kind": "soft"},
              "bandwidth_gb": {"limit": null, "kind": "hard"}}""");

    assertTrue(result.isValid(), result.problems().toString());
    var limits = result.config().limitsOf("solo");
    assertEquals(limit("50", LimitKind.HARD), limits.of(Meter.STORAGE_GB));
    assertEquals(limit("4", LimitKind.SOFT), limits.of(Meter.CPU_CORES));
    assertEquals(limit("1000", LimitKind.SOFT), limits.of(Meter.AI_QUERIES));
    assertTrue(limits.of(Meter.BANDWIDTH_GB).unlimited());
  }

  @Test
  void aLimitGivenOnlyInLimitsIsAlsoThePlansLegacyLimitSoHybridOverageUsesIt() {
    SubscriptionPlan plan =
        onePlan("hybrid", "\"limits\": {\"memory_gb\": {\"limit\": 16}}")
            .config()
            .subscriptionPlans()
            .get(0);

    assertEquals(new BigDecimal("16"), plan.memoryLimit());
    assertEquals(null, plan.cpuLimit());
  }

  @Test
  void aLegacyKeyAndALimitOfTheSameMeterThatDifferAreRefusedNamingTheLegacyKey() {
    ConfigParseResult result =
        onePlan(
            "usage",
            "\"storage_limit\": 10, \"cpu_limit\": 2, \"limits\": {\"storage_gb\": "
                + "{\"limit\": 2}, \"cpu_cores\": {\"limit\": null}}");

    assertEquals(
        List.of("subscriptionPlans[0].cpu_limit", "subscriptionPlans[0].storage_limit"),
        keys(result.problems()).stream().sorted().toList());
    assertTrue(
        result.problems().get(0).message().contains("limits."), result.problems().get(0).message());
  }

  @ParameterizedTest(name = "{0} is refused under {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"ai_queries\": {\"limit\": 10, \"kind\": \"firm\"}}"
            + " | subscriptionPlans[0].limits.ai_queries.kind",
        "{\"ai_queries\": {\"limit\": -1}} | subscriptionPlans[0].limits.ai_queries.limit",
        "{\"gpu_hours\": {\"limit\": 1}}   | subscriptionPlans[0].limits.gpu_hours",
        "{\"ai_queries\": {\"kind\": \"soft\"}} | subscriptionPlans[0].limits.ai_queries.limit",
        "{\"ai_queries\": {\"limit\": 1, \"cap\": 2}}"
            + " | subscriptionPlans[0].limits.ai_queries.cap",
        "{\"ai_queries\": 1000}              | subscriptionPlans[0].limits.ai_queries",
        "[]                                    | subscriptionPlans[0].limits",
      })
  void aBadLimitIsRefusedNamingItsKey(String limits, String key) {
    ConfigParseResult result = onePlan("usage", "\"limits\": " + limits);

    assertEquals(List.of(key), keys(result.problems()), result.problems().toString());
  }

  @Test
  void aPlanIsPrepaidOnlyWhenItSaysSo_writtenBackOnlyThen_andAnythingButABooleanIsRefused()
      throws Exception {
    ConfigParseResult prepaid = onePlan("usage", "\"prepaid\": true");
    ConfigParseResult unsaid = onePlan("usage", "\"prepaid\": null");
    ConfigParseResult wrong = onePlan("usage", "\"prepaid\": \"yes\"");

    assertTrue(prepaid.config().subscriptionPlans().get(0).prepaid());
    assertFalse(unsaid.config().subscriptionPlans().get(0).prepaid(), "null: the default, false");
    assertEquals(List.of("subscriptionPlans[0].prepaid"), keys(wrong.problems()));
    JsonNode written =
        new ObjectMapper()
            .readTree(EffectiveConfigWriter.toJson(prepaid.config(), s -> false))
            .get("subscriptionPlans");
    assertEquals("true", written.at("/0/prepaid").toString());
    assertFalse(
        EffectiveConfigWriter.toJson(unsaid.config(), s -> false).contains("\"prepaid\""),
        "a plan not prepaid is written as before");
  }

  @Test
  void aPlansTrialIsOfTwoTo730Days_writtenBackOnlyWhenSet_andNeverOnTheDefaultPlan()
      throws Exception {
    ConfigParseResult trial =
        parser.parse(
            """
            {"subscriptionPlans": [
              {"id": "free", "name": "Free", "price": 0, "interval": "month"},
              {"id": "pro", "name": "Pro", "price": 30, "interval": "month",
               "trial_days": 14}]}""");

    assertTrue(trial.isValid(), trial.problems().toString());
    assertEquals(14, trial.config().plan("pro").orElseThrow().trialDays());
    assertEquals(0, trial.config().plan("free").orElseThrow().trialDays(), "none when unsaid");
    JsonNode written =
        new ObjectMapper()
            .readTree(EffectiveConfigWriter.toJson(trial.config(), s -> false))
            .get("subscriptionPlans");
    assertEquals("14", written.at("/1/trial_days").toString());
    assertTrue(written.at("/0/trial_days").isMissingNode(), "a plan without one as before");
    assertEquals(
        List.of("subscriptionPlans[0].trial_days"),
        keys(onePlan("usage", "\"trial_days\": 1").problems()),
        "Stripe's Checkout takes a trial ending 48 hours ahead at the earliest");
    assertEquals(
        List.of("defaultPlan"),
        keys(onePlan("usage", "\"trial_days\": 14").problems()),
        "a trial that does not convert falls back to the default plan");
  }

  @Test
  void theDefaultPlansLimitsFollowTheSeeds() {
    BillingConfig config = BillingConfig.defaults();
    var free = config.limitsOf("free");

    assertEquals(limit("2", LimitKind.HARD), free.of(Meter.STORAGE_GB));
    assertEquals(limit("2", LimitKind.HARD), free.of(Meter.ACTIVE_SESSIONS));
    assertEquals(limit("5", LimitKind.HARD), free.of(Meter.BANDWIDTH_GB));
    assertEquals(limit("60", LimitKind.HARD), free.of(Meter.TRANSCODING_MINUTES));
    assertEquals(limit("2", LimitKind.HARD), free.of(Meter.CPU_CORES));
    assertEquals(limit("4", LimitKind.HARD), free.of(Meter.MEMORY_GB));
    assertEquals(new BigDecimal("2"), config.plan("free").orElseThrow().storageLimit());
    for (String plan : List.of("free", "pro", "enterprise")) {
      assertEquals(LimitKind.SOFT, config.limitsOf(plan).of(Meter.AI_QUERIES).kind(), plan);
    }
    assertEquals(new BigDecimal("1000"), config.limitsOf("pro").of(Meter.AI_QUERIES).amount());
    assertTrue(config.limitsOf("pro").of(Meter.ACTIVE_SESSIONS).unlimited());
    assertTrue(config.limitsOf("no such plan").of(Meter.CPU_CORES).unlimited());
  }

  @Test
  void inHybridModeTheDefaultPlansCountersWithoutAKindAreSoftAndStorageStaysHard() {
    var free = parser.parse("{\"billingMode\": \"hybrid\"}").config().limitsOf("free");

    assertEquals(limit("5", LimitKind.SOFT), free.of(Meter.BANDWIDTH_GB));
    assertEquals(limit("2", LimitKind.SOFT), free.of(Meter.CPU_CORES));
    assertEquals(limit("2", LimitKind.HARD), free.of(Meter.STORAGE_GB));
  }

  @Test
  void meterRatesAndQuotaCheckIntervalHaveTheirDefaultsAndAreReadInEachCurrency() {
    BillingConfig defaults = BillingConfig.defaults();
    assertEquals("*/5 * * * *", defaults.quotaCheckInterval());
    assertEquals(new BigDecimal("0.08"), defaults.meterRates().of(Meter.BANDWIDTH_GB));
    assertEquals(new BigDecimal("0.02"), defaults.meterRates().of(Meter.TRANSCODING_MINUTES));
    assertEquals(new BigDecimal("0.001"), defaults.meterRates().of(Meter.AI_QUERIES));

    ConfigParseResult result =
        parser.parse(
            "{"
                + VND_RATES
                + """
        , "meterRates": {"ai_queries": 0.002}, "quotaCheckInterval": "* * * * *",
        "currencyMeterRates": {"VND": {"bandwidth_gb": 2000, "transcoding_minutes": 500,
          "ai_queries": 25}},
        "subscriptionPlans": [{"id": "free", "name": "Free", "price": 0, "interval": "month",
           "prices": {"VND": 0}}], "defaultPlan": "free"}""");

    assertTrue(result.isValid(), result.problems().toString());
    BillingConfig config = result.config();
    assertEquals("* * * * *", config.quotaCheckInterval());
    assertEquals(new BigDecimal("0.002"), config.meterRates().of(Meter.AI_QUERIES));
    assertEquals(new BigDecimal("0.08"), config.meterRates().of(Meter.BANDWIDTH_GB));
    assertEquals(
        new BigDecimal("25"),
        config.meterRatesIn(Currency.getInstance("VND")).orElseThrow().of(Meter.AI_QUERIES));
    assertEquals(Optional.empty(), config.meterRatesIn(Currency.getInstance("EUR")));
  }

  /** VND_RATES (the three counters only, as written before seats) and a plan priced in VND. */
  private static final String WITHOUT_SEATS =
      "{"
          + BillingConfigParserTest.VND_RATES
          + """
          , "subscriptionPlans": [{"id": "free", "name": "Free", "price": 0,
             "interval": "month", "prices": {"VND": 0}}], "defaultPlan": "free"}""";

  @Test
  void aSeatsPriceIsOptional_itsDefaultIsByCurrency_andAConfiguredOneWins() {
    ConfigParseResult old = parser.parse(WITHOUT_SEATS);
    ConfigParseResult priced =
        parser.parse(
            WITHOUT_SEATS
                .replace("\"ai_queries\": 25}", "\"ai_queries\": 25, \"members\": 99000}")
                .replace("\"defaultPlan\"", "\"meterRates\": {\"members\": 7.5}, \"defaultPlan\""));
    ConfigParseResult badPrice = parser.parse("{\"meterRates\": {\"members\": -1}}");

    // rates written before seats keep parsing: a seat is 10.00 USD, 250000 VND
    assertTrue(old.isValid(), old.problems().toString());
    assertEquals(Optional.of(new BigDecimal("10.00")), seatPrice(old, "USD"));
    assertEquals(Optional.of(new BigDecimal("250000")), seatPrice(old, "VND"));
    assertTrue(priced.isValid(), priced.problems().toString());
    assertEquals(Optional.of(new BigDecimal("7.5")), seatPrice(priced, "USD"));
    assertEquals(Optional.of(new BigDecimal("99000")), seatPrice(priced, "VND"));
    assertEquals(List.of("meterRates.members"), keys(badPrice.problems()));
    // written back as given: left out stays out, so the default keeps following the currency
    assertFalse(
        EffectiveConfigWriter.toJson(old.config(), secret -> false).contains("\"members\":"),
        "an optional rate left out is not written");
  }

  private static Optional<BigDecimal> seatPrice(ConfigParseResult result, String currency) {
    return result
        .config()
        .meterRatesIn(Currency.getInstance(currency))
        .orElseThrow()
        .find(Meter.MEMBERS);
  }

  @Test
  void currencyMeterRatesNeedAllThreeRatesInACurrencyOfCurrencyRates() {
    ConfigParseResult result =
        parser.parse(
            """
        {"currencyMeterRates": {"VND": {"bandwidth_gb": 2000}, "EUR": {"bandwidth_gb": 0.07,
          "transcoding_minutes": 0.02, "ai_queries": 0.001}}}""");

    // EUR is not a currency of currencyRates (VND is, by default)
    assertEquals(
        List.of(
            "currencyMeterRates.EUR",
            "currencyMeterRates.VND.ai_queries",
            "currencyMeterRates.VND.transcoding_minutes"),
        keys(result.problems()).stream().sorted().toList());
    assertEquals(
        BillingConfig.defaults().currencyMeterRates(),
        result.config().currencyMeterRates(),
        "refused, they are the default's for the currencies of currencyRates");
  }

  @Test
  void aCurrencyOfCurrencyRatesWithoutMeterRatesIsRefusedNamingIt() {
    ConfigParseResult result =
        parser.parse(
            """
        {"currencyRates": {"EUR": {"cpu_per_core_hour": 0.05, "memory_per_gb_hour": 0.01,
          "storage_per_gb_month": 0.1}},
         "subscriptionPlans": [{"id": "free", "name": "F", "price": 0, "interval": "month",
          "prices": {"EUR": 0}}], "defaultPlan": "free"}""");

    assertEquals(List.of("currencyMeterRates.EUR"), keys(result.problems()));
  }

  @Test
  void vndSavedInCurrencyRatesWithoutMeterRatesTakesTheDefaultVndMeterRates() {
    ConfigParseResult result =
        parser.parse(
            """
        {"currencyRates": {"VND": {"cpu_per_core_hour": 1000, "memory_per_gb_hour": 200,
          "storage_per_gb_month": 2000}},
         "subscriptionPlans": [{"id": "free", "name": "F", "price": 0, "interval": "month",
          "prices": {"VND": 0}}], "defaultPlan": "free"}""");

    assertTrue(result.isValid(), result.problems().toString());
    MeterRates vnd = result.config().meterRatesIn(Currency.getInstance("VND")).orElseThrow();
    assertEquals(new BigDecimal("2000"), vnd.of(Meter.BANDWIDTH_GB));
    assertEquals(new BigDecimal("250000"), vnd.of(Meter.MEMBERS));
  }

  @Test
  void effectiveConfigWritesLimitsAndMeterRatesAndParsesBackUnchanged() throws Exception {
    BillingConfig config =
        onePlan(
                "hybrid",
                "\"cpu_limit\": 4, \"limits\": {\"ai_queries\": {\"limit\": 10, "
                    + "\"kind\": \"soft\"}, \"active_sessions\": {\"limit\": 3}}")
            .config();

    JsonNode tree = new ObjectMapper().readTree(EffectiveConfigWriter.toJson(config, s -> false));

    assertEquals("soft", tree.at("/subscriptionPlans/0/limits/ai_queries/kind").asText());
    assertTrue(tree.at("/subscriptionPlans/0/limits/active_sessions/kind").isMissingNode());
    assertEquals("0.001", tree.at("/meterRates/ai_queries").decimalValue().toPlainString());
    ConfigParseResult back = parser.parse(withoutSecrets(tree));
    assertTrue(back.isValid(), back.problems().toString());
    assertEquals(config.subscriptionPlans(), back.config().subscriptionPlans());
    assertEquals(config.meterRates(), back.config().meterRates());
    BillingConfig defaults = BillingConfig.defaults();
    JsonNode defaultTree =
        new ObjectMapper().readTree(EffectiveConfigWriter.toJson(defaults, s -> false));
    assertEquals(
        defaults.subscriptionPlans(),
        parser.parse(withoutSecrets(defaultTree)).config().subscriptionPlans());
  }

  private static final String VND_RATES =
      """
      "currencyRates": {"VND": {"cpu_per_core_hour": 1250, "memory_per_gb_hour": 250,
        "storage_per_gb_month": 2500}},
      "currencyMeterRates": {"VND": {"bandwidth_gb": 2000, "transcoding_minutes": 500,
        "ai_queries": 25}}""";

  @Test
  void currencyRatesAddSupportedCurrenciesWithTheirRatesAndEveryPlanIsPricedInEach() {
    ConfigParseResult result =
        parser.parse(
            "{"
                + VND_RATES
                + """
        , "subscriptionPlans": [
           {"id": "free", "name": "Free", "price": 0, "interval": "month", "prices": {"VND": 0}},
           {"id": "pro", "name": "Pro", "price": 29.99, "interval": "month",
            "prices": {"VND": 750000}}]}""");

    assertTrue(result.isValid(), result.problems().toString());
    BillingConfig config = result.config();
    Currency vnd = Currency.getInstance("VND");
    assertEquals(
        List.of("USD", "VND"),
        config.supportedCurrencies().stream().map(Currency::getCurrencyCode).toList());
    assertEquals(new BigDecimal("1250"), config.ratesIn(vnd).orElseThrow().cpuPerCoreHour());
    assertEquals(config.computeRates(), config.ratesIn(config.currency()).orElseThrow());
    assertEquals(
        new BigDecimal("750000"),
        config.priceOf(config.plan("pro").orElseThrow(), vnd).orElseThrow());
    assertEquals(
        new BigDecimal("29.99"),
        config.priceOf(config.plan("pro").orElseThrow(), config.currency()).orElseThrow());
    assertTrue(config.supportedCurrency("EUR").isEmpty(), "an ISO code is not enough");
  }

  @Test
  void currencyRatesNeedAllThreeRates() {
    ConfigParseResult result =
        parser.parse(
            """
        {"currencyRates": {"VND": {"cpu_per_core_hour": 1250, "memory_per_gb_hour": -1}},
         "subscriptionPlans": [{"id": "free", "name": "Free", "price": 0, "interval": "month",
           "prices": {"VND": 0}}]}""");

    assertEquals(
        List.of("currencyRates.VND.memory_per_gb_hour", "currencyRates.VND.storage_per_gb_month"),
        keys(result.problems()).stream().sorted().toList());
  }

  @Test
  void aPlanWithoutAPriceInASupportedCurrencyIsRefusedNamingTheCurrency() {
    ConfigParseResult result =
        parser.parse(
            "{"
                + VND_RATES
                + """
        , "subscriptionPlans": [
           {"id": "free", "name": "Free", "price": 0, "interval": "month"},
           {"id": "pro", "name": "Pro", "price": 29.99, "interval": "month",
            "prices": {"VND": 750000}},
           {"id": "max", "name": "Max", "price": 99.99, "interval": "month"}]}""");

    assertEquals(
        List.of("subscriptionPlans[0].prices.VND", "subscriptionPlans[2].prices.VND"),
        keys(result.problems()));
    assertTrue(
        result.config().currencyRates().isEmpty(),
        "without prices there are no further currencies");
  }

  @Test
  void pricesAreRefusedWithMoreDecimalsThanTheirCurrencyOrInAnUnsupportedCurrency() {
    ConfigParseResult result =
        parser.parse(
            "{"
                + VND_RATES
                + """
        , "subscriptionPlans": [
           {"id": "a", "name": "A", "price": 1.999, "interval": "month",
            "prices": {"VND": 0.5, "EUR": 1, "USD": 1, "XQQ": 1}}], "defaultPlan": "a"}""");

    assertEquals(
        List.of(
            "subscriptionPlans[0].price",
            "subscriptionPlans[0].prices.EUR",
            "subscriptionPlans[0].prices.USD",
            "subscriptionPlans[0].prices.VND",
            "subscriptionPlans[0].prices.XQQ"),
        keys(result.problems()).stream().sorted().toList());
  }

  @Test
  void aDefaultCurrencyWithoutMinorUnitRefusesPlanPricesWithDecimals() {
    // the default plans cost 0, 29.99 and 99.99: yen have no minor unit
    assertEquals(
        List.of("subscriptionPlans[1].price", "subscriptionPlans[2].price"),
        keys(parser.parse("{\"currency\": \"JPY\"}").problems()));
  }

  @Test
  void effectiveConfigWritesCurrencyRatesAndPricesAndParsesBack() throws Exception {
    BillingConfig config =
        parser
            .parse(
                "{"
                    + VND_RATES
                    + """
        , "subscriptionPlans": [{"id": "free", "name": "Free", "price": 0, "interval": "month",
           "prices": {"VND": 0}}], "defaultPlan": "free"}""")
            .config();

    JsonNode tree = new ObjectMapper().readTree(EffectiveConfigWriter.toJson(config, s -> false));

    assertEquals("1250", tree.at("/currencyRates/VND/cpu_per_core_hour").asText());
    assertEquals("0", tree.at("/subscriptionPlans/0/prices/VND").asText());
    ConfigParseResult back = parser.parse(withoutSecrets(tree));
    assertTrue(back.isValid(), back.problems().toString());
    assertEquals(config.currencyRates(), back.config().currencyRates());
    assertEquals(config.subscriptionPlans(), back.config().subscriptionPlans());
  }

  @Test
  void secretsAreRefusedNamingTheEnvironmentVariable() {
    List<ConfigProblem> problems =
        parser
            .parse("{\"stripeSecretKey\": \"sk_live_x\", \"stripeWebhookSecret\": \"whsec\"}")
            .problems();

    assertEquals(2, problems.size());
    assertTrue(problems.get(0).message().contains("STRIPE_SECRET_KEY"));
    assertTrue(problems.get(1).message().contains("STRIPE_WEBHOOK_SECRET"));
    assertTrue(problems.stream().noneMatch(p -> p.message().contains("sk_live_x")));
  }

  @Test
  void stripeEnabledWithoutItsSecrets_isRefusedNamingEachMissingKey() {
    String enabled = "{\"stripeEnabled\": true}";

    assertEquals(
        List.of("stripeSecretKey", "stripeWebhookSecret"),
        parser.validate(enabled, Set.of()).stream().map(ConfigProblem::key).toList());
    List<ConfigProblem> oneMissing = parser.validate(enabled, Set.of("stripeSecretKey"));
    assertEquals(
        List.of("stripeWebhookSecret"), oneMissing.stream().map(ConfigProblem::key).toList());
    assertTrue(
        oneMissing.get(0).message().contains("STRIPE_WEBHOOK_SECRET"), oneMissing.toString());
    assertEquals(
        List.of(), parser.validate(enabled, Set.of("stripeSecretKey", "stripeWebhookSecret")));
    assertEquals(List.of(), parser.validate("{\"stripeEnabled\": false}", Set.of()));
    assertTrue(parser.parse(enabled).isValid(), "a saved config stays readable without them");
  }

  /** USD and BHD everywhere a currency is priced: rates, meter rates, the plan, the pack. */
  private static final String PRICED_IN_BHD =
      """
      {"currencyRates": {"BHD": {"cpu_per_core_hour": 0.019, "memory_per_gb_hour": 0.004,
         "storage_per_gb_month": 0.038}},
       "currencyMeterRates": {"BHD": {"bandwidth_gb": 0.03, "transcoding_minutes": 0.008,
         "ai_queries": 0.001}},
       "subscriptionPlans": [{"id": "free", "name": "Free", "price": 0, "interval": "month",
         "cpu_limit": 2, "memory_limit": 4, "storage_limit": 10, "prices": {"BHD": 0}}],
       "capacityPacks": [{"id": "slots-5", "name": "5 slots", "adds": {"active_sessions": 5},
         "prices": {"USD": 5, "BHD": 1.885}, "kind": "one_time", "valid_days": 30}]""";

  private static final Set<String> STRIPE_SECRETS =
      Set.of("stripeSecretKey", "stripeWebhookSecret");

  @Test
  void stripeEnabledRefusesEveryPlaceACurrencyStripeCannotChargeIsPricedIn() {
    List<ConfigProblem> problems =
        parser.validate(PRICED_IN_BHD + ", \"stripeEnabled\": true}", STRIPE_SECRETS);

    assertEquals(
        List.of(
            "currencyRates.BHD",
            "currencyMeterRates.BHD",
            "subscriptionPlans[0].prices.BHD",
            "capacityPacks[0].prices.BHD"),
        problems.stream().map(ConfigProblem::key).toList());
    assertEquals(
        "BHD cannot be charged through Stripe while stripeEnabled is true: BHD amounts have 3"
            + " decimals, Stripe takes 2",
        problems.get(0).message());
    assertEquals(List.of(), parser.validate(PRICED_IN_BHD + "}", STRIPE_SECRETS));
    assertTrue(
        parser.parse(PRICED_IN_BHD + ", \"stripeEnabled\": true}").isValid(),
        "a config saved before stays readable as it was");
  }

  /**
   * The prices the issue found accepted: a second plan at 1.005 BHD (three decimals, as ISO
   * allows; Stripe's last digit must be 0) and at 15000.50 MGA (two decimals, as ISO allows;
   * Stripe takes the ariary whole).
   */
  @ParameterizedTest
  @CsvSource({"BHD, 1.005, 0.019", "MGA, 15000.50, 50"})
  void stripeEnabledRefusesAPlanPriceStripeWouldRefuse_namingThePlansPriceInThatCurrency(
      String currency, String price, String rate) {
    String config =
        """
        {"currencyRates": {"%1$s": {"cpu_per_core_hour": %3$s, "memory_per_gb_hour": %3$s,
           "storage_per_gb_month": %3$s}},
         "currencyMeterRates": {"%1$s": {"bandwidth_gb": %3$s, "transcoding_minutes": %3$s,
           "ai_queries": %3$s}},
         "subscriptionPlans": [
           {"id": "free", "name": "Free", "price": 0, "interval": "month", "prices": {"%1$s": 0}},
           {"id": "pro", "name": "Pro", "price": 10, "interval": "month", "prices": {"%1$s": %2$s}}],
         "defaultPlan": "free", "capacityPacks": []"""
            .formatted(currency, price, rate);

    List<String> refused =
        parser.validate(config + ", \"stripeEnabled\": true}", STRIPE_SECRETS).stream()
            .map(ConfigProblem::key)
            .toList();

    assertTrue(refused.contains("subscriptionPlans[1].prices." + currency), refused.toString());
    assertEquals(List.of(), parser.validate(config + "}", STRIPE_SECRETS), "fine without Stripe");
  }

  @ParameterizedTest
  @CsvSource({
    "MGA, 'MGA cannot be charged through Stripe while stripeEnabled is true: MGA amounts have 2"
        + " decimals, Stripe takes 0'",
    "KWD, 'KWD cannot be charged through Stripe while stripeEnabled is true: KWD amounts have 3"
        + " decimals, Stripe takes 2'"
  })
  void stripeEnabledRefusesADefaultCurrencyStripeCannotCharge(String currency, String message) {
    assertEquals(
        List.of(
            new ConfigProblem("currency", message),
            new ConfigProblem("capacityPacks[0].prices." + currency, message)),
        parser.validate(stripeEnabledIn(currency), STRIPE_SECRETS));
  }

  @Test
  void stripeEnabledAcceptsTheCurrenciesStripeChargesEveryAmountOf() {
    for (String currency : List.of("ISK", "UGX", "JPY", "EUR")) {
      assertEquals(
          List.of(),
          parser.validate(stripeEnabledIn(currency), STRIPE_SECRETS).stream()
              .filter(p -> p.message().contains("Stripe"))
              .toList(),
          currency);
    }
  }

  /** Stripe enabled, {@code currency} the default one and the price of the only pack. */
  private static String stripeEnabledIn(String currency) {
    return """
        {"stripeEnabled": true, "currency": "%1$s", "capacityPacks": [{"id": "slots-5",
         "name": "5 slots", "adds": {"active_sessions": 5}, "prices": {"%1$s": 5},
         "kind": "one_time", "valid_days": 30}]}"""
        .formatted(currency);
  }

  @Test
  void cronIsCheckedByTheGivenValidator() {
    BillingConfigParser strict =
        new BillingConfigParser(
            cron -> cron.startsWith("0 ") ? Optional.empty() : Optional.of("minute must be 0"));

    assertEquals(
        "minute must be 0",
        strict.parse("{\"usageCalculationInterval\": \"5 * * * *\"}").problems().get(0).message());
  }

  @Test
  void aCronWithAStepOfZeroIsRefusedNamingTheKey_evenWhereTheHostsSchedulerWouldTakeIt() {
    CronValidator lenientHost = cron -> Optional.empty();
    for (BillingConfigParser checking :
        List.of(parser, new BillingConfigParser(CronValidator.refusingZeroSteps(lenientHost)))) {
      List<ConfigProblem> problems =
          checking
              .parse(
                  "{\"usageCalculationInterval\": \"0 * * * *\","
                      + " \"quotaCheckInterval\": \"*/0 * * * *\"}")
              .problems();

      assertEquals(1, problems.size(), problems.toString());
      assertEquals("quotaCheckInterval", problems.get(0).key());
      assertEquals(
          "has the step /0: a step must be a whole number from 1 (*/5 is every 5 minutes)",
          problems.get(0).message());
    }
    assertTrue(parser.parse("{\"quotaCheckInterval\": \"*/10 * * * *\"}").isValid());
  }

  @Test
  void effectiveConfigMasksSecretsTheHostHas() throws Exception {
    String json =
        EffectiveConfigWriter.toJson(BillingConfig.defaults(), "STRIPE_SECRET_KEY"::equals);

    JsonNode tree = new ObjectMapper().readTree(json);
    assertEquals("****", tree.get("stripeSecretKey").textValue());
    assertTrue(tree.get("stripeWebhookSecret").isNull());
    assertEquals("0.05", tree.at("/computeRates/cpu_per_core_hour").decimalValue().toPlainString());
    assertTrue(parser.parse(withoutSecrets(tree)).isValid(), "effective config parses back");
  }

  @Test
  void schemaListsEveryKeyWithDefaultsAndFlagsSecrets() {
    List<ConfigKey> keys = BillingConfigSchema.schema().keys();

    assertEquals("0.05", find(keys, "computeRates.cpu_per_core_hour").defaultJson());
    assertEquals("1", find(keys, "invoiceDay").defaultJson());
    assertEquals("\"0 * * * *\"", find(keys, "usageCalculationInterval").defaultJson());
    assertTrue(find(keys, "stripeSecretKey").secret());
    assertTrue(find(keys, "stripeWebhookSecret").description().contains("STRIPE_WEBHOOK_SECRET"));
    assertEquals("60", find(keys, "invoiceGraceMinutes").defaultJson());
    assertEquals("14", find(keys, "paymentTermsDays").defaultJson());
    assertEquals(
        "{\"VND\":{\"cpu_per_core_hour\":1250,\"memory_per_gb_hour\":250,"
            + "\"storage_per_gb_month\":2500}}",
        find(keys, "currencyRates").defaultJson());
    assertEquals("\"*/5 * * * *\"", find(keys, "quotaCheckInterval").defaultJson());
    assertEquals("0.08", find(keys, "meterRates.bandwidth_gb").defaultJson());
    assertEquals(
        "{\"VND\":{\"bandwidth_gb\":2000,\"transcoding_minutes\":500,\"ai_queries\":25,"
            + "\"members\":250000}}",
        find(keys, "currencyMeterRates").defaultJson());
    assertTrue(
        find(keys, "subscriptionPlans").defaultJson().contains("\"ai_queries\""),
        "the plans' default carries their limits");
    assertEquals("3", find(keys, "paymentGraceDays").defaultJson());
    assertTrue(find(keys, "capacityPacks").defaultJson().contains("\"valid_days\":30"));
    assertEquals("3", find(keys, "packExpiryNoticeDays").defaultJson());
    assertEquals("15", find(keys, "spendingBlockNoticeMinutes").defaultJson());
    assertEquals("15", find(keys, "holdMinutes").defaultJson());
    assertEquals("[1,3,5]", find(keys, "paymentRetryDays").defaultJson());
    assertEquals("null", find(keys, "meterRates.members").defaultJson()); // optional
    assertTrue(
        find(keys, "storeRevenueShare").defaultJson().contains("\"reset\":\"calendar_year\""));
    assertEquals("[\"pro\"]", find(keys, "leadPlans").defaultJson());
    assertEquals("80", find(keys, "leadLimitPercent").defaultJson());
    assertEquals("5", find(keys, "leadDays").defaultJson());
    assertEquals("\"payment_intents\"", find(keys, "stripeCollection").defaultJson());
    assertEquals("false", find(keys, "stripeTax").defaultJson());
    assertEquals("\"exclusive\"", find(keys, "taxBehavior").defaultJson());
    assertEquals("60", find(keys, "auditCheckpointMinutes").defaultJson());
    assertEquals("[]", find(keys, "embedOrigins").defaultJson());
    assertTrue(find(keys, "auditCheckpointKey").secret());
    assertEquals("BILLING_AUDIT_KEY", find(keys, "auditCheckpointKey").environmentVariable());
    assertEquals(
        "{\"USD\":{\"min\":5,\"max\":10000},\"VND\":{\"min\":100000,\"max\":250000000}}",
        find(keys, "topUpLimits").defaultJson());
    assertEquals(
        "[\"platform_fault\",\"node_lost\"]", find(keys, "faultCreditReasons").defaultJson());
    assertEquals("{\"last_minutes\":15}", find(keys, "faultCreditPolicy").defaultJson());
    assertEquals("{\"USD\":50,\"VND\":1250000}", find(keys, "faultCreditCap").defaultJson());
    assertEquals("{\"USD\":5,\"VND\":125000}", find(keys, "adviceMinSaving").defaultJson());
    assertEquals(57, keys.size());
  }

  @Test
  void activityRatesPriceIdleStatesPerResource_andABrokenOneIsRefusedNamingWhy() {
    ConfigParseResult saved =
        parser.parse(
            """
            {"meters": [{"id": "cpu_cores"}, {"id": "memory_gb"}, {"id": "active_sessions"},
               {"id": "storage_gb"}, {"id": "bandwidth_gb"}, {"id": "transcoding_minutes"},
               {"id": "ai_queries"}, {"id": "gpu", "name": "GPU", "unit": "gpu", "kind": "held",
                "prices": {"USD": 0.9, "VND": 20000}}],
             "activityRates": {"idle": {"cpu_cores": 0.50, "memory_gb": 1},
                               "disconnected": {"gpu": 0}}}""");
    ConfigParseResult broken =
        parser.parse(
            """
            {"activityRates": {"asleep": {"cpu_cores": 0.5},
               "idle": {"cpu_cores": 1.5, "gpu": 0.5, "storage_gb": 0.5, "memory_gb": "half"}}}""");

    assertTrue(saved.isValid(), saved.problems().toString());
    ActivityRates rates = saved.config().activityRates();
    assertEquals(new BigDecimal("0.5"), rates.factor("idle", UsageUnit.CPU));
    assertEquals(BigDecimal.ONE, rates.factor("idle", UsageUnit.MEMORY), "1 is no factor");
    assertEquals(new BigDecimal("0"), rates.factor("disconnected", UsageUnit.held("gpu")));
    assertEquals(BigDecimal.ONE, rates.factor("active", UsageUnit.CPU));
    assertFalse(parser.parse("{}").config().activityRates().any(), "nothing by default");
    String factor = "must be a number from 0 to 1 with at most 6 decimals";
    String resource = "must be cpu_cores, memory_gb or the id of a held meter of meters";
    assertEquals(
        List.of(
            new ConfigProblem("activityRates.asleep", "must be idle or disconnected"),
            new ConfigProblem("activityRates.idle.cpu_cores", factor),
            new ConfigProblem("activityRates.idle.gpu", resource),
            new ConfigProblem("activityRates.idle.storage_gb", resource),
            new ConfigProblem("activityRates.idle.memory_gb", factor)),
        broken.problems());
  }

  @Test
  void adviceMinSavingReplacesTheCurrenciesItNames_andABrokenOneIsRefusedNamingWhy() {
    ConfigParseResult saved = parser.parse("{\"adviceMinSaving\": {\"USD\": 12.50}}");
    ConfigParseResult broken =
        parser.parse("{\"adviceMinSaving\": {\"USD\": -1, \"VND\": 0.5, \"XYZ\": 1}}");

    assertTrue(saved.isValid(), saved.problems().toString());
    assertEquals(
        Optional.of(new BigDecimal("12.5")),
        saved.config().adviceMinSaving(Currency.getInstance("USD")));
    assertEquals(
        Optional.of(new BigDecimal("125000")),
        saved.config().adviceMinSaving(Currency.getInstance("VND")),
        "a currency left out keeps its default");
    assertEquals(Optional.empty(), saved.config().adviceMinSaving(Currency.getInstance("EUR")));
    assertEquals(
        List.of(
            new ConfigProblem(
                "adviceMinSaving.USD",
                "must be a number from 0 to 1000000000000 with at most 12 decimals"),
            new ConfigProblem("adviceMinSaving.VND", "amounts in VND have at most 0 decimals"),
            new ConfigProblem(
                "adviceMinSaving.XYZ", "must be a known ISO 4217 currency code, for example USD")),
        broken.problems());
  }

  @Test
  void topUpLimitsReplaceTheCurrenciesTheyName_andABrokenOneIsRefusedNamingWhy() {
    ConfigParseResult saved =
        parser.parse("{\"topUpLimits\": {\"USD\": {\"min\": 10, \"max\": 2000000}}}");
    ConfigParseResult broken =
        parser.parse(
            """
            {"topUpLimits": {"USD": {"min": 0, "max": 10}, "VND": {"min": 5.5, "max": 10},
              "EUR": {"min": 20, "max": 10}, "XYZ": {}}}""");
    Currency usd = Currency.getInstance("USD");

    assertTrue(saved.isValid(), saved.problems().toString());
    assertEquals(
        new TopUpLimits.Limit(new BigDecimal("10"), new BigDecimal("999999.99")),
        saved.config().topUpLimit(usd),
        "never above Stripe's eight digits of cents");
    assertEquals(
        new TopUpLimits.Limit(new BigDecimal("100000"), new BigDecimal("99999999")),
        saved.config().topUpLimit(Currency.getInstance("VND")),
        "a currency left out keeps its default, within Stripe's eight digits");
    assertEquals(
        new TopUpLimits.Limit(new BigDecimal("0.01"), new BigDecimal("999999.99")),
        saved.config().topUpLimit(Currency.getInstance("EUR")),
        "without a default: any amount Stripe takes");
    assertEquals(
        List.of(
            new ConfigProblem("topUpLimits.USD.min", "must be greater than 0"),
            new ConfigProblem("topUpLimits.VND", "amounts in VND have at most 0 decimals"),
            new ConfigProblem("topUpLimits.EUR.max", "must be at least min"),
            new ConfigProblem(
                "topUpLimits.XYZ", "must be a known ISO 4217 currency code, for example USD")),
        broken.problems());
  }

  @Test
  void storeRevenueShareReplacesTheTablesItNames_andRefusesABrokenOneNamingWhy() {
    ConfigParseResult saved =
        parser.parse(
            """
            {"storeRevenueShare": {"USD": {"tiers": [{"from": 0, "platform_rate": 0.2},
               {"from": 1000, "platform_rate": 0.1}], "reset": "calendar_month", "cap": 300,
               "minimum_payout": 50}}}""");
    ConfigParseResult broken =
        parser.parse(
            """
            {"storeRevenueShare": {"USD": {"tiers": [{"from": 10, "platform_rate": 0.2}],
               "reset": "calendar_month"},
              "VND": {"tiers": [{"from": 0, "platform_rate": 1.5}], "reset": "weekly"},
              "XYZ": {}}}""");

    assertTrue(saved.isValid(), saved.problems().toString());
    var usd = saved.config().storeTerms(Currency.getInstance("USD")).orElseThrow();
    assertEquals(new BigDecimal("300.00"), usd.table().capPerPeriod().orElseThrow());
    assertEquals(new BigDecimal("50.00"), usd.minimumPayout());
    assertEquals(
        ShareTable.vndMonthly(),
        saved.config().storeTerms(Currency.getInstance("VND")).orElseThrow().table(),
        "a currency left out keeps its default");
    assertEquals(
        List.of(
            new ConfigProblem(
                "storeRevenueShare.USD", "the first tier must start from 0, not 10.00"),
            new ConfigProblem(
                "storeRevenueShare.VND.tiers[0].platform_rate",
                "must be from 0 to 1 (0.15 is 15 %)"),
            new ConfigProblem(
                "storeRevenueShare.VND.reset", "must be calendar_year, calendar_month or never"),
            new ConfigProblem(
                "storeRevenueShare.XYZ",
                "must be a known ISO 4217 currency code, for example USD")),
        broken.problems());
    assertEquals(
        ShareTable.shopifyLike(),
        broken.config().storeTerms(Currency.getInstance("USD")).orElseThrow().table(),
        "a refused table keeps its default");
  }

  @ParameterizedTest(name = "{0}: the schema names the range the parser checks")
  @CsvSource(
      delimiter = '|',
      value = {
        "invoiceDay | {\"invoiceDay\": 29} | Day of month (1-28) billing periods start, at midnight"
            + " in billingTimeZone | must be a whole number from 1 to 28",
        "billingMode | {\"billingMode\": \"prepaid\"} | usage, subscription or hybrid (plan fee"
            + " plus overage) | must be usage, subscription or hybrid",
        "packExpiryNoticeDays | {\"packExpiryNoticeDays\": 366} | Days (0-365) before a one-time"
            + " pack's validity ends that billing.pack.expiring is sent; 0 sends none"
            + " | must be a whole number from 0 to 365",
      })
  void theSchemaNamesTheRangeTheParserChecks(
      String key, String json, String description, String refusal) {
    assertEquals(description, find(BillingConfigSchema.schema().keys(), key).description());
    assertEquals(List.of(new ConfigProblem(key, refusal)), parser.parse(json).problems());
  }

  @Test
  void schemaListsTheWordsOfAKeyThatTakesOneOfAFew_andNoneForAnyOtherKey() {
    List<ConfigKey> keys = BillingConfigSchema.schema().keys();

    assertEquals(List.of("usage", "subscription", "hybrid"), find(keys, "billingMode").values());
    assertEquals(List.of("exclusive", "inclusive"), find(keys, "taxBehavior").values());
    assertEquals(
        List.of("payment_intents", "stripe_invoices"), find(keys, "stripeCollection").values());
    assertEquals(List.of(), find(keys, "currency").values(), "any currency code");
    assertEquals(List.of(), find(keys, "invoiceDay").values());
    assertEquals(List.of(), find(keys, "stripeSecretKey").values());
    for (ConfigKey key : keys) {
      for (String word : key.values()) {
        String json = "{\"" + key.name() + "\": \"" + word + "\"}";
        assertEquals(List.of(), parser.parse(json).problems(), "the parser takes " + json);
      }
    }
  }

  @Test
  void schemaDeclaresTheStripeSecretsAndTheAuditKeyAsTheOnlyEnvironmentVariablesThePluginReads() {
    assertEquals(
        Set.of("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "BILLING_AUDIT_KEY"),
        BillingConfigSchema.schema().secretEnvironmentVariables());
    assertEquals(
        "STRIPE_SECRET_KEY",
        find(BillingConfigSchema.schema().keys(), "stripeSecretKey").environmentVariable());
  }

  private static String withoutSecrets(JsonNode tree) {
    com.fasterxml.jackson.databind.node.ObjectNode copy = tree.deepCopy();
    copy.remove(secretNames());
    return copy.toString();
  }

  /** The secret keys' names: the effective config writes them, a saved config never has them. */
  static List<String> secretNames() {
    return BillingKeys.ALL.stream().filter(BillingKey::isSecret).map(BillingKey::name).toList();
  }

  private static ConfigKey find(List<ConfigKey> keys, String name) {
    return keys.stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow();
  }

  private static List<String> keys(List<ConfigProblem> problems) {
    return problems.stream().map(ConfigProblem::key).collect(Collectors.toList());
  }
}

package io.streamspace.billing.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.billing.money.Money;
import io.streamspace.plugin.api.config.ConfigProblem;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the JSON the admin saved into a {@link BillingConfig}, merging defaults for absent keys.
 *
 * <p>It refuses, naming the dotted key: unknown keys (typos would otherwise be silently
 * ignored), values of the wrong type or out of range, and secrets (which must come from the
 * environment). A refused key keeps its default in the returned config, so the result is always
 * usable for display.
 */
public final class BillingConfigParser {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final Set<String> KNOWN_KEYS =
      Set.of(
          "enabled",
          "billingMode",
          "computeRates",
          "currencyRates",
          "subscriptionPlans",
          "defaultPlan",
          "invoiceDay",
          "usageCalculationInterval",
          "alertThreshold",
          "autoSuspendOnOverage",
          "gracePeriodDays",
          "stripeEnabled",
          "currency",
          "billingTimeZone",
          "sessionHeartbeatTimeoutMinutes",
          "invoiceGraceMinutes",
          "paymentTermsDays");
  private static final Set<String> RATE_KEYS =
      Set.of("cpu_per_core_hour", "memory_per_gb_hour", "storage_per_gb_month");
  private static final Set<String> PLAN_KEYS =
      Set.of(
          "id",
          "name",
          "price",
          "interval",
          "cpu_limit",
          "memory_limit",
          "storage_limit",
          "prices");

  /**
   * Rates, prices and plan limits: at most 10^12 (a trillion in any currency, beyond any real
   * price, and an invoice of such amounts still fits Stripe's 64-bit minor units) with at most
   * 12 decimals (finer than any currency's minor unit; PostgreSQL cannot even store 1e-20000).
   */
  static final BigDecimal MAX_NUMBER = BigDecimal.TEN.pow(12);

  static final int MAX_DECIMALS = 12;

  private final CronValidator cronValidator;

  public BillingConfigParser(CronValidator cronValidator) {
    this.cronValidator = cronValidator;
  }

  /** Parses saved config JSON; blank text means "nothing saved". */
  public ConfigParseResult parse(String json) {
    BillingConfig d = BillingConfig.defaults();
    Problems problems = new Problems();
    ObjectNode root = readRoot(json, problems);
    refuseSecretsAndUnknownKeys(root, problems);
    Fields f = new Fields(root, "", problems);

    Currency currency =
        f.string(
            "currency",
            d.currency(),
            code -> Money.currency(code).orElse(null),
            "must be a known ISO 4217 currency code, for example USD");
    ComputeRates rates = parseRates(f.object("computeRates"), d.computeRates());
    Map<Currency, ComputeRates> currencyRates =
        parseCurrencyRates(f.object("currencyRates"), currency);
    List<SubscriptionPlan> plans =
        parsePlans(root.get("subscriptionPlans"), d.subscriptionPlans(), problems);
    if (!checkPlanPrices(plans, currency, currencyRates.keySet(), problems)) {
      // the default (no further currencies) keeps every plan priced in every currency
      currencyRates = d.currencyRates();
    }
    String defaultPlan = f.string("defaultPlan", d.defaultPlan(), s -> null);
    if (plans.stream().noneMatch(p -> p.id().equals(defaultPlan))) {
      problems.add("defaultPlan", "must be the id of one of subscriptionPlans");
    }
    return new ConfigParseResult(
        new BillingConfig(
            f.bool("enabled", d.enabled()),
            f.string(
                "billingMode",
                d.billingMode(),
                BillingMode::fromConfigName,
                "must be usage, subscription or hybrid"),
            rates,
            currencyRates,
            plans,
            defaultPlan,
            f.integer("invoiceDay", d.invoiceDay(), 1, 28),
            f.string(
                "usageCalculationInterval",
                d.usageCalculationInterval(),
                s -> cronValidator.problem(s).orElse(null)),
            f.integer("alertThreshold", d.alertThreshold(), 1, 100),
            f.bool("autoSuspendOnOverage", d.autoSuspendOnOverage()),
            f.integer("gracePeriodDays", d.gracePeriodDays(), 0, 365),
            f.bool("stripeEnabled", d.stripeEnabled()),
            currency,
            f.string(
                "billingTimeZone",
                d.billingTimeZone(),
                BillingConfigParser::zone,
                "must be a time zone id, for example UTC or Europe/Paris"),
            Duration.ofMinutes(
                f.integer(
                    "sessionHeartbeatTimeoutMinutes",
                    (int) d.sessionHeartbeatTimeout().toMinutes(),
                    1,
                    1440)),
            Duration.ofMinutes(
                f.integer("invoiceGraceMinutes", (int) d.invoiceGrace().toMinutes(), 0, 10080)),
            f.integer("paymentTermsDays", d.paymentTermsDays(), 0, 365)),
        problems.list);
  }

  private static ObjectNode readRoot(String json, Problems problems) {
    if (json == null || json.isBlank()) {
      return MAPPER.createObjectNode();
    }
    try {
      JsonNode node = MAPPER.readTree(json);
      if (node instanceof ObjectNode object) {
        return object;
      }
      problems.add("$", "config must be a JSON object");
    } catch (JsonProcessingException e) {
      problems.add("$", "config is not valid JSON: " + e.getOriginalMessage());
    }
    return MAPPER.createObjectNode();
  }

  private static void refuseSecretsAndUnknownKeys(ObjectNode root, Problems problems) {
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      SecretSetting secret = secretNamed(name);
      if (secret != null) {
        problems.add(
            name,
            "secrets are not accepted in config: set the environment variable "
                + secret.envVar()
                + " instead");
      } else if (!KNOWN_KEYS.contains(name)) {
        problems.add(name, "unknown key");
      }
    }
  }

  private static SecretSetting secretNamed(String key) {
    for (SecretSetting secret : SecretSetting.values()) {
      if (secret.configKey().equals(key)) {
        return secret;
      }
    }
    return null;
  }

  private static ComputeRates parseRates(Fields f, ComputeRates d) {
    if (f == null) {
      return d;
    }
    f.refuseUnknown(RATE_KEYS);
    return new ComputeRates(
        f.nonNegative("cpu_per_core_hour", d.cpuPerCoreHour()),
        f.nonNegative("memory_per_gb_hour", d.memoryPerGbHour()),
        f.nonNegative("storage_per_gb_month", d.storagePerGbMonth()));
  }

  /** Rates per further currency: each a known ISO code other than the default, all three set. */
  private static Map<Currency, ComputeRates> parseCurrencyRates(Fields f, Currency currency) {
    Map<Currency, ComputeRates> byCurrency = new HashMap<>();
    if (f == null) {
      return byCurrency;
    }
    for (String code : f.names()) {
      Currency other = Money.currency(code).orElse(null);
      Fields rates = f.object(code);
      if (other == null) {
        f.problem(code, "must be a known ISO 4217 currency code, for example VND");
      } else if (other.equals(currency)) {
        f.problem(code, "is the default currency: its rates are computeRates");
      } else if (rates != null) {
        rates.refuseUnknown(RATE_KEYS);
        RATE_KEYS.stream().sorted().forEach(rates::required);
        byCurrency.put(
            other,
            new ComputeRates(
                rates.nonNegative("cpu_per_core_hour", BigDecimal.ZERO),
                rates.nonNegative("memory_per_gb_hour", BigDecimal.ZERO),
                rates.nonNegative("storage_per_gb_month", BigDecimal.ZERO)));
      }
    }
    return byCurrency;
  }

  /**
   * Every plan (saved or default) is priced in every supported currency, and no price has more
   * decimals than its currency: an account is charged in its own currency, never converted.
   * Answers whether every plan has a price in every currency.
   */
  private static boolean checkPlanPrices(
      List<SubscriptionPlan> plans, Currency currency, Set<Currency> others, Problems problems) {
    boolean priced = true;
    for (int i = 0; i < plans.size(); i++) {
      String prefix = "subscriptionPlans[" + i + "].";
      SubscriptionPlan plan = plans.get(i);
      checkDecimals(prefix + "price", plan.price(), currency, problems);
      plan.prices()
          .forEach(
              (in, price) -> {
                String key = prefix + "prices." + in.getCurrencyCode();
                if (in.equals(currency)) {
                  problems.add(key, "is the default currency: give that price as price");
                } else if (!others.contains(in)) {
                  problems.add(key, "is not a supported currency: add its rates to currencyRates");
                } else {
                  checkDecimals(key, price, in, problems);
                }
              });
      List<String> missing =
          others.stream()
              .filter(in -> !plan.prices().containsKey(in))
              .map(in -> prefix + "prices." + in.getCurrencyCode())
              .sorted()
              .toList();
      missing.forEach(
          key ->
              problems.add(
                  key, "is required: every plan needs a price in every supported currency"));
      priced &= missing.isEmpty();
    }
    return priced;
  }

  private static void checkDecimals(
      String key, BigDecimal amount, Currency currency, Problems problems) {
    if (!Money.fitsMinorUnit(amount, currency)) {
      problems.add(
          key,
          "has more decimals than "
              + currency.getCurrencyCode()
              + " has ("
              + Money.minorDigits(currency)
              + ")");
    }
  }

  private static List<SubscriptionPlan> parsePlans(
      JsonNode node, List<SubscriptionPlan> defaults, Problems problems) {
    if (node == null) {
      return defaults;
    }
    if (!node.isArray() || node.isEmpty()) {
      problems.add("subscriptionPlans", "must be a non-empty array of plans");
      return defaults;
    }
    List<SubscriptionPlan> plans = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      String prefix = "subscriptionPlans[" + i + "].";
      if (!(node.get(i) instanceof ObjectNode planNode)) {
        problems.add("subscriptionPlans[" + i + "]", "must be an object");
        continue;
      }
      Fields f = new Fields(planNode, prefix, problems);
      f.refuseUnknown(PLAN_KEYS);
      String id =
          f.required("id") ? f.string("id", "", s -> s.isBlank() ? "must not be blank" : null) : "";
      if (!id.isBlank() && !ids.add(id)) {
        problems.add(prefix + "id", "duplicate plan id " + id);
      }
      f.required("name");
      f.required("price");
      f.required("interval");
      plans.add(
          new SubscriptionPlan(
              id,
              f.string("name", id, s -> null),
              f.nonNegative("price", BigDecimal.ZERO),
              f.string(
                  "interval",
                  "month",
                  s -> s.equals("month") || s.equals("year") ? null : "must be month or year"),
              f.nonNegative("cpu_limit", null),
              f.nonNegative("memory_limit", null),
              f.nonNegative("storage_limit", null),
              parsePrices(f.object("prices"))));
    }
    return plans.size() == node.size() ? plans : defaults;
  }

  /** A plan's prices by ISO code; whether each currency is supported is checked later. */
  private static Map<Currency, BigDecimal> parsePrices(Fields f) {
    Map<Currency, BigDecimal> prices = new HashMap<>();
    if (f == null) {
      return prices;
    }
    for (String code : f.names()) {
      Currency in = Money.currency(code).orElse(null);
      BigDecimal price = f.nonNegative(code, null);
      if (in == null) {
        f.problem(code, "must be a known ISO 4217 currency code, for example VND");
      } else if (price != null) {
        prices.put(in, price);
      }
    }
    return prices;
  }

  private static ZoneId zone(String id) {
    try {
      return ZoneId.of(id);
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** Problems collected while parsing. */
  private static final class Problems {
    private final List<ConfigProblem> list = new ArrayList<>();

    void add(String key, String message) {
      list.add(new ConfigProblem(key, message));
    }
  }

  /** Typed access to the fields of one JSON object, reporting problems under a key prefix. */
  private static final class Fields {
    private final ObjectNode node;
    private final String prefix;
    private final Problems problems;

    Fields(ObjectNode node, String prefix, Problems problems) {
      this.node = node;
      this.prefix = prefix;
      this.problems = problems;
    }

    void problem(String key, String message) {
      problems.add(prefix + key, message);
    }

    /** The object's keys, in the order written. */
    List<String> names() {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      return names;
    }

    Fields object(String key) {
      JsonNode value = node.get(key);
      if (value == null || value.isNull()) {
        return null;
      }
      if (value instanceof ObjectNode object) {
        return new Fields(object, prefix + key + ".", problems);
      }
      problem(key, "must be an object");
      return null;
    }

    void refuseUnknown(Set<String> known) {
      node.fieldNames()
          .forEachRemaining(
              name -> {
                if (!known.contains(name)) {
                  problem(name, "unknown key");
                }
              });
    }

    /** Reports a missing key; returns whether it is present. */
    boolean required(String key) {
      if (node.hasNonNull(key)) {
        return true;
      }
      problem(key, "is required");
      return false;
    }

    boolean bool(String key, boolean fallback) {
      JsonNode value = node.get(key);
      if (value == null) {
        return fallback;
      }
      if (value.isBoolean()) {
        return value.booleanValue();
      }
      problem(key, "must be true or false");
      return fallback;
    }

    int integer(String key, int fallback, int min, int max) {
      JsonNode value = node.get(key);
      if (value == null) {
        return fallback;
      }
      String range = "must be a whole number from " + min + " to " + max;
      if (!value.isNumber()) {
        problem(key, range);
        return fallback;
      }
      BigDecimal number = value.decimalValue();
      if (number.stripTrailingZeros().scale() > 0
          || number.compareTo(BigDecimal.valueOf(min)) < 0
          || number.compareTo(BigDecimal.valueOf(max)) > 0) {
        problem(key, range);
        return fallback;
      }
      return number.intValueExact();
    }

    /** A number from 0 to {@link #MAX_NUMBER} with at most {@link #MAX_DECIMALS} decimals. */
    BigDecimal nonNegative(String key, BigDecimal fallback) {
      JsonNode value = node.get(key);
      if (value == null || value.isNull()) {
        return fallback;
      }
      BigDecimal number = value.isNumber() ? value.decimalValue() : null;
      if (number == null
          || number.signum() < 0
          || number.compareTo(MAX_NUMBER) > 0
          || number.stripTrailingZeros().scale() > MAX_DECIMALS) {
        problem(
            key,
            "must be a number from 0 to "
                + MAX_NUMBER.toPlainString()
                + " with at most "
                + MAX_DECIMALS
                + " decimals");
        return fallback;
      }
      return number;
    }

    /** A string checked by {@code check}, which answers the problem or null when it is fine. */
    String string(String key, String fallback, Function<String, String> check) {
      return string(key, fallback, s -> check.apply(s) == null ? s : null, check);
    }

    /** A string converted by {@code convert}, which answers null when it is not valid. */
    <T> T string(String key, T fallback, Function<String, T> convert, String invalid) {
      return string(key, fallback, convert, s -> invalid);
    }

    /** A string converted by {@code convert} (null: not valid, for the reason {@code why}). */
    private <T> T string(
        String key, T fallback, Function<String, T> convert, Function<String, String> why) {
      JsonNode value = node.get(key);
      if (value == null) {
        return fallback;
      }
      if (!value.isTextual()) {
        problem(key, "must be a string");
        return fallback;
      }
      T converted = convert.apply(value.textValue());
      if (converted == null) {
        problem(key, why.apply(value.textValue()));
        return fallback;
      }
      return converted;
    }
  }
}

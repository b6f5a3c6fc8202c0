package io.streamspace.billing.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Currency;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Writes a {@link BillingConfig} back as config JSON (the keys an admin saves), with each secret
 * shown as {@link SecretSetting#MASK} when the host has it and null otherwise.
 */
public final class EffectiveConfigWriter {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private EffectiveConfigWriter() {}

  /** The config as a JSON tree; {@code secretPresent} tells whether the host holds a secret. */
  public static ObjectNode toTree(BillingConfig config, Predicate<SecretSetting> secretPresent) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("enabled", config.enabled());
    root.put("billingMode", config.billingMode().configName());
    putRates(root.putObject("computeRates"), config.computeRates());
    ObjectNode currencyRates = root.putObject("currencyRates");
    byCode(config.currencyRates())
        .forEach((code, rates) -> putRates(currencyRates.putObject(code), rates));
    ArrayNode plans = root.putArray("subscriptionPlans");
    for (SubscriptionPlan plan : config.subscriptionPlans()) {
      ObjectNode written =
          plans
              .addObject()
              .put("id", plan.id())
              .put("name", plan.name())
              .put("price", plan.price())
              .put("interval", plan.interval())
              .put("cpu_limit", plan.cpuLimit())
              .put("memory_limit", plan.memoryLimit())
              .put("storage_limit", plan.storageLimit());
      ObjectNode prices = written.putObject("prices");
      byCode(plan.prices()).forEach(prices::put);
    }
    root.put("defaultPlan", config.defaultPlan());
    root.put("invoiceDay", config.invoiceDay());
    root.put("usageCalculationInterval", config.usageCalculationInterval());
    root.put("alertThreshold", config.alertThreshold());
    root.put("autoSuspendOnOverage", config.autoSuspendOnOverage());
    root.put("gracePeriodDays", config.gracePeriodDays());
    root.put("stripeEnabled", config.stripeEnabled());
    root.put("currency", config.currency().getCurrencyCode());
    root.put("billingTimeZone", config.billingTimeZone().getId());
    root.put("sessionHeartbeatTimeoutMinutes", config.sessionHeartbeatTimeout().toMinutes());
    root.put("invoiceGraceMinutes", config.invoiceGrace().toMinutes());
    root.put("paymentTermsDays", config.paymentTermsDays());
    for (SecretSetting secret : SecretSetting.values()) {
      root.put(secret.configKey(), secretPresent.test(secret) ? SecretSetting.MASK : null);
    }
    return root;
  }

  private static void putRates(ObjectNode node, ComputeRates rates) {
    node.put("cpu_per_core_hour", rates.cpuPerCoreHour());
    node.put("memory_per_gb_hour", rates.memoryPerGbHour());
    node.put("storage_per_gb_month", rates.storagePerGbMonth());
  }

  /** Entries keyed by ISO code, in code order, so the written config is stable. */
  private static <V> Map<String, V> byCode(Map<Currency, V> byCurrency) {
    Map<String, V> sorted = new TreeMap<>();
    byCurrency.forEach((currency, value) -> sorted.put(currency.getCurrencyCode(), value));
    return sorted;
  }

  /** The config as JSON text. */
  public static String toJson(BillingConfig config, Predicate<SecretSetting> secretPresent) {
    return toTree(config, secretPresent).toPrettyString();
  }

  /** The JSON text of the value at a dotted key ({@code computeRates.cpu_per_core_hour}). */
  static String valueAt(ObjectNode tree, String dottedKey) {
    JsonNode node = tree.at("/" + dottedKey.replace('.', '/'));
    return node.isMissingNode() ? null : node.toString();
  }
}

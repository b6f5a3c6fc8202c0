package io.streamspace.billing.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.plugin.api.config.ConfigKey;
import io.streamspace.plugin.api.config.ConfigSchema;
import java.util.ArrayList;
import java.util.List;

/** Every key the billing config understands, with its type, default and meaning. */
public final class BillingConfigSchema {

  private BillingConfigSchema() {}

  public static ConfigSchema schema() {
    ObjectNode defaults = EffectiveConfigWriter.toTree(BillingConfig.defaults(), s -> false);
    List<ConfigKey> keys = new ArrayList<>();
    Adder add =
        (name, type, description) ->
            keys.add(
                new ConfigKey(
                    name, type, EffectiveConfigWriter.valueAt(defaults, name), description, false));
    add.key("enabled", "boolean", "Whether billing meters sessions");
    add.key("billingMode", "string", "usage, subscription or hybrid (plan fee plus overage)");
    add.key(
        "computeRates",
        "object",
        "Unit prices in the configured currency, each 0 to 10^12 with at most 12 decimals");
    add.key("computeRates.cpu_per_core_hour", "number", "Price of one CPU core for one hour");
    add.key("computeRates.memory_per_gb_hour", "number", "Price of one GB of memory for one hour");
    add.key(
        "computeRates.storage_per_gb_month",
        "number",
        "Price of one GB of storage for one month of 730 hours");
    add.key(
        "currencyRates",
        "object",
        "Unit prices in each further currency accounts may be opened in, keyed by ISO 4217 "
            + "code: {\"VND\": {cpu_per_core_hour, memory_per_gb_hour, storage_per_gb_month}}, "
            + "all three required (0 to 10^12, at most 12 decimals). The supported currencies "
            + "are currency and these keys");
    add.key(
        "subscriptionPlans",
        "array",
        "Plans: id (unique), name, price (0 to 10^12, in currency, no more decimals than it has), "
            + "interval (month or year), cpu_limit, memory_limit, storage_limit, prices (the "
            + "price in each currency of currencyRates, all required)");
    add.key("defaultPlan", "string", "The plan id new accounts start on");
    add.key(
        "invoiceDay",
        "integer",
        "Day of month (1-28) billing periods start, at midnight " + "in billingTimeZone");
    add.key("usageCalculationInterval", "cron", "When calculate-usage runs (5-field Unix cron)");
    add.key("alertThreshold", "integer", "Percent of a quota (1-100) that triggers a warning");
    add.key(
        "autoSuspendOnOverage", "boolean", "Suspend sessions over quota after the grace period");
    add.key("gracePeriodDays", "integer", "Days (0-365) of overage before suspension");
    add.key("stripeEnabled", "boolean", "Take payments through Stripe");
    add.key(
        "currency",
        "string",
        "ISO 4217 currency of computeRates and plan prices, and of new "
            + "accounts unless user.created names another supported currency");
    add.key("billingTimeZone", "string", "Time zone billing periods and date queries are read in");
    add.key(
        "sessionHeartbeatTimeoutMinutes",
        "integer",
        "Minutes (1-1440) without heartbeat after which a session is closed at its last "
            + "heartbeat; also how late events may arrive and still be billed");
    add.key(
        "invoiceGraceMinutes",
        "integer",
        "Minutes (0-10080) an invoice stays a draft after its period ends, so late usage "
            + "still lands on it, before it is finalized and numbered");
    add.key(
        "paymentTermsDays", "integer", "Days (0-365) from finalization to an invoice's due date");
    for (SecretSetting secret : SecretSetting.values()) {
      keys.add(
          ConfigKey.secretFromEnvironment(
              secret.configKey(), secret.envVar(), secret.description()));
    }
    return new ConfigSchema(keys);
  }

  @FunctionalInterface
  private interface Adder {
    void key(String name, String type, String description);
  }
}

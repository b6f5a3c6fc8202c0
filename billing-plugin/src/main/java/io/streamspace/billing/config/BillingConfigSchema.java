package io.streamspace.billing.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.plugin.api.config.ConfigKey;
import io.streamspace.plugin.api.config.ConfigSchema;
import java.util.ArrayList;
import java.util.List;

/**
 * The schema the catalog serves: every key of {@link BillingKeys}, in order, each object key
 * followed by its members ({@code computeRates.cpu_per_core_hour}), with type, default and
 * meaning; a key that takes one of a few words ({@code billingMode}) lists them.
 */
public final class BillingConfigSchema {

  private BillingConfigSchema() {}

  public static ConfigSchema schema() {
    List<ConfigKey> keys = new ArrayList<>();
    for (BillingKey<?> key : BillingKeys.ALL) {
      if (key.isSecret()) {
        keys.add(
            ConfigKey.secretFromEnvironment(
                key.name(), key.environmentVariable(), key.description()));
        continue;
      }
      JsonNode defaultJson = written(key);
      keys.add(
          new ConfigKey(
              key.name(),
              key.type().schemaType(),
              defaultJson.toString(),
              key.description(),
              false,
              null,
              key.type().choices()));
      for (ValueType.Member member : key.type().members()) {
        keys.add(
            new ConfigKey(
                key.name() + "." + member.name(),
                member.schemaType(),
                // an optional member without a default (meterRates.members) shows null
                String.valueOf(defaultJson.get(member.name())),
                member.description(),
                false));
      }
    }
    return new ConfigSchema(keys);
  }

  private static <T> JsonNode written(BillingKey<T> key) {
    return key.type().write(key.defaultValue());
  }
}

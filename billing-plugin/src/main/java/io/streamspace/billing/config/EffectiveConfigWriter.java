package io.streamspace.billing.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Predicate;

/**
 * Writes a {@link BillingConfig} back as config JSON: every key of {@link BillingKeys}, in order,
 * as an admin saves it, with each secret shown as {@link #MASK} when the host has it and null
 * otherwise.
 */
public final class EffectiveConfigWriter {

  /** How a secret the host has is shown. */
  public static final String MASK = "****";

  private EffectiveConfigWriter() {}

  /**
   * The config as a JSON tree; {@code secretPresent} tells, by the name of its environment
   * variable, whether the host holds a secret.
   */
  public static ObjectNode toTree(BillingConfig config, Predicate<String> secretPresent) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    for (BillingKey<?> key : BillingKeys.ALL) {
      if (key.isSecret()) {
        root.put(key.name(), secretPresent.test(key.environmentVariable()) ? MASK : null);
      } else {
        root.set(key.name(), written(key, config));
      }
    }
    return root;
  }

  private static <T> JsonNode written(BillingKey<T> key, BillingConfig config) {
    return key.type().write(config.get(key));
  }

  /** The config as JSON text. */
  public static String toJson(BillingConfig config, Predicate<String> secretPresent) {
    return toTree(config, secretPresent).toPrettyString();
  }
}

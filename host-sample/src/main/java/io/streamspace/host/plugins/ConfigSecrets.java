package io.streamspace.host.plugins;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.plugin.api.config.ConfigKey;
import io.streamspace.plugin.api.config.ConfigSchema;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The secret keys of a plugin's config as the host handles them: they are never in the saved
 * config. {@code GET} shows each masked ({@value #MASK}) when set, null when not, and
 * {@value #UNREADABLE} when stored but this host cannot decrypt it, so a config read, edited and
 * put back carries those placeholders, which mean "as it is"; any other value is taken out of the
 * config, to be stored apart, encrypted.
 */
final class ConfigSecrets {

  /** How a secret that is set is shown. */
  static final String MASK = "****";

  /**
   * How a stored secret this host cannot decrypt is shown: the plugin reads it as unset (the
   * secrets key changed or was lost), so an admin must set it again.
   */
  static final String UNREADABLE = "unreadable: set it again";

  private ConfigSecrets() {}

  /**
   * Removes from {@code config} each secret key of the schema whose value is null or what
   * {@code shown} (the config as {@code GET} shows it) has for it.
   */
  static void dropShown(ObjectNode config, ConfigSchema schema, JsonNode shown) {
    forEachSecret(
        config,
        schema,
        (key, parent, value) -> {
          if (value.isNull() || value.equals(shown.at(pointer(key)))) {
            parent.remove(last(key));
          }
        });
  }

  /** Takes each secret key's value out of {@code config}; answers them by key name. */
  static Map<String, JsonNode> takeOut(ObjectNode config, ConfigSchema schema) {
    Map<String, JsonNode> taken = new LinkedHashMap<>();
    forEachSecret(
        config,
        schema,
        (key, parent, value) -> {
          taken.put(key.name(), value);
          parent.remove(last(key));
        });
    return taken;
  }

  /**
   * Shows each secret key of the schema in {@code shown} by its {@link SecretState}, the state
   * {@code GET /api/health} names: {@link #MASK} when set, null when missing, {@link
   * #UNREADABLE} when this host cannot decrypt it. These, not the health endpoint's words, so
   * that the config read, edited and put back still means "as it is".
   */
  static void mask(ObjectNode shown, PluginSecrets secrets) {
    for (ConfigKey key : secrets.schema().keys()) {
      if (key.secret() && shown.at(pointer(key).head()) instanceof ObjectNode parent) {
        switch (secrets.state(key)) {
          case UNREADABLE -> parent.put(last(key), UNREADABLE);
          case SET -> parent.put(last(key), MASK);
          case MISSING -> parent.putNull(last(key));
        }
      }
    }
  }

  private interface SecretVisitor {
    void visit(ConfigKey key, ObjectNode parent, JsonNode value);
  }

  /** Visits each secret key of the schema that {@code config} holds a value for. */
  private static void forEachSecret(ObjectNode config, ConfigSchema schema, SecretVisitor visitor) {
    for (ConfigKey key : schema.keys()) {
      if (key.secret()
          && config.at(pointer(key).head()) instanceof ObjectNode parent
          && parent.has(last(key))) {
        visitor.visit(key, parent, parent.get(last(key)));
      }
    }
  }

  private static JsonPointer pointer(ConfigKey key) {
    return JsonPointer.compile("/" + key.name().replace('.', '/'));
  }

  private static String last(ConfigKey key) {
    return pointer(key).last().getMatchingProperty();
  }
}

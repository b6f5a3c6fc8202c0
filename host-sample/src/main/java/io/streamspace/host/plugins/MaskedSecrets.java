package io.streamspace.host.plugins;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.plugin.api.config.ConfigKey;
import io.streamspace.plugin.api.config.ConfigSchema;

/**
 * Secrets as an admin sends them back: {@code GET} shows each secret masked, or null when it is
 * not set, so a config read, edited and put back carries those placeholders. They mean "as it
 * is", never a value to store.
 */
final class MaskedSecrets {

  private MaskedSecrets() {}

  /**
   * Removes from {@code config} each secret key of the schema whose value is null or what
   * {@code shown} (the config as {@code GET} shows it) has for it; other values stay, for the
   * plugin to judge.
   */
  static void dropShown(ObjectNode config, ConfigSchema schema, JsonNode shown) {
    for (ConfigKey key : schema.keys()) {
      if (!key.secret()) {
        continue;
      }
      JsonPointer pointer = JsonPointer.compile("/" + key.name().replace('.', '/'));
      JsonNode value = config.at(pointer);
      if (config.at(pointer.head()) instanceof ObjectNode parent
          && (value.isNull() || value.equals(shown.at(pointer)))) {
        parent.remove(pointer.last().getMatchingProperty());
      }
    }
  }
}

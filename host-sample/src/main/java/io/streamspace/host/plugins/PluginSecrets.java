package io.streamspace.host.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.host.secrets.SecretBox;
import io.streamspace.plugin.api.config.ConfigKey;
import io.streamspace.plugin.api.config.ConfigProblem;
import io.streamspace.plugin.api.config.ConfigSchema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One plugin's secrets: those of the host's environment its schema declares, and those an admin
 * set through its config, stored encrypted by secret key. The environment wins. Values are only
 * ever decrypted to hand them to the plugin; nothing here logs one or puts one in a message.
 *
 * @param stored the encrypted values by secret key name, as {@code host_plugins.secrets} holds
 */
record PluginSecrets(
    String pluginId,
    ConfigSchema schema,
    Map<String, String> environment,
    ObjectNode stored,
    SecretBox box) {

  /**
   * Where the secret key stands, the one rule both the health endpoint and the config route show
   * ({@link SecretState}): {@code set} only when the plugin reads a value for it.
   */
  SecretState state(ConfigKey key) {
    if (fromEnvironment(key) != null) {
      return SecretState.SET;
    }
    if (!stored.hasNonNull(key.name())) {
      return SecretState.MISSING;
    }
    return isUnreadable(key) ? SecretState.UNREADABLE : SecretState.SET;
  }

  /** The state of each secret key of the schema, by key name, in the schema's order. */
  Map<String, String> states() {
    Map<String, String> states = new LinkedHashMap<>();
    for (ConfigKey key : schema.keys()) {
      if (key.secret()) {
        states.put(key.name(), state(key).label());
      }
    }
    return states;
  }

  /** Whether the secret key has a value, from the environment or stored. */
  boolean isSet(ConfigKey key) {
    return fromEnvironment(key) != null || stored.has(key.name());
  }

  /** The names of the secret keys that have a value. */
  Set<String> setKeyNames() {
    return schema.keys().stream()
        .filter(key -> key.secret() && isSet(key))
        .map(ConfigKey::name)
        .collect(Collectors.toUnmodifiableSet());
  }

  /**
   * The values the plugin may read, by environment variable: the environment's, else the stored
   * one decrypted. One this host cannot decrypt counts as unset (logged once, see {@link
   * SecretBox#openIfReadable}): the plugin runs without it rather than not at all.
   */
  Map<String, String> readable() {
    Map<String, String> readable = new HashMap<>();
    for (ConfigKey key : schema.keys()) {
      String variable = key.environmentVariable();
      if (variable == null || HostPluginConfig.HOST_SECRETS.contains(variable)) {
        continue;
      }
      Optional<String> value = Optional.ofNullable(fromEnvironment(key));
      if (value.isEmpty() && stored.hasNonNull(key.name())) {
        value = box.openIfReadable(stored.get(key.name()).asText(), place(key.name()));
      }
      value.ifPresent(text -> readable.put(variable, text));
    }
    return Map.copyOf(readable);
  }

  /** Whether the secret key's value is stored, not overridden, and undecryptable here. */
  boolean isUnreadable(ConfigKey key) {
    return whyUnreadable(key).isPresent();
  }

  /**
   * A problem for each stored secret this host cannot decrypt (and the environment does not
   * override), naming its key; the message says why, never a value.
   */
  List<ConfigProblem> unreadable() {
    List<ConfigProblem> problems = new ArrayList<>();
    for (ConfigKey key : schema.keys()) {
      whyUnreadable(key).ifPresent(why -> problems.add(new ConfigProblem(key.name(), why)));
    }
    return problems;
  }

  private Optional<String> whyUnreadable(ConfigKey key) {
    if (key.secret() && fromEnvironment(key) == null && stored.hasNonNull(key.name())) {
      try {
        box.open(stored.get(key.name()).asText(), place(key.name()));
      } catch (SecretBox.UnreadableSecret e) {
        return Optional.of(e.getMessage());
      }
    }
    return Optional.empty();
  }

  /**
   * These secrets with the values an admin gave (taken out of a config) applied: a string is
   * encrypted and stored, an empty string removes the stored one. Anything but a string is a
   * problem naming the key; {@code problems} collects them.
   */
  PluginSecrets with(Map<String, JsonNode> given, List<ConfigProblem> problems) {
    ObjectNode edited = stored.deepCopy();
    given.forEach(
        (name, value) -> {
          if (!value.isTextual()) {
            problems.add(new ConfigProblem(name, "must be a string"));
          } else if (value.textValue().isEmpty()) {
            edited.remove(name);
          } else {
            edited.put(name, box.seal(value.textValue(), place(name)));
          }
        });
    return new PluginSecrets(pluginId, schema, environment, edited, box);
  }

  /**
   * The environment's value for the key; null when it has none, the variable is the host's own,
   * or it is empty ({@code STRIPE_SECRET_KEY=} in a compose file): an empty secret is none, so
   * it is neither handed to the plugin nor shown as set.
   */
  private String fromEnvironment(ConfigKey key) {
    String variable = key.environmentVariable();
    if (variable == null || HostPluginConfig.HOST_SECRETS.contains(variable)) {
      return null;
    }
    String value = environment.get(variable);
    return value == null || value.isEmpty() ? null : value;
  }

  /** Where a stored value belongs, bound into its encryption: {@code billing/stripeSecretKey}. */
  private String place(String keyName) {
    return pluginId + "/" + keyName;
  }
}

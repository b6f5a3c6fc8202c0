package io.streamspace.host.plugins;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.common.http.Json;
import io.streamspace.host.secrets.SecretsKey;
import io.streamspace.plugin.api.config.PluginConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plugin's saved configuration and the secrets its schema declares. Only those are copied in:
 * the host's own secrets (the admin token, the database password) never reach a plugin. Nothing
 * here logs or prints a secret's value.
 */
final class HostPluginConfig implements PluginConfig {

  private static final Logger log = LoggerFactory.getLogger(HostPluginConfig.class);

  /** The host's own secrets: no plugin reads them, whatever its schema declares. */
  static final Set<String> HOST_SECRETS =
      Set.of(
          "BILLING_ADMIN_TOKEN",
          "BILLING_DB_URL",
          "BILLING_DB_USER",
          "BILLING_DB_PASSWORD",
          SecretsKey.ENVIRONMENT_VARIABLE);

  private final String pluginId;
  private final String json;
  private final Map<String, Object> map;
  private final Set<String> declared;
  private final Map<String, String> secrets;
  private final Set<String> undeclaredAskedFor = ConcurrentHashMap.newKeySet();

  /**
   * @param environment the secrets the host has for this plugin, by environment variable: its
   *     environment's, else the ones an admin stored (see {@link PluginSecrets#readable})
   * @param declared    the environment variables the plugin's schema declares
   */
  @SuppressWarnings("unchecked")
  HostPluginConfig(
      String pluginId,
      String json,
      ObjectMapper mapper,
      Map<String, String> environment,
      Set<String> declared) {
    this.pluginId = pluginId;
    this.json = json;
    Object plain = Json.toPlainValue(Json.parseOrNull(mapper, json));
    this.map = plain instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    this.declared = Set.copyOf(declared);
    for (String name : this.declared) {
      if (HOST_SECRETS.contains(name)) {
        log.warn(
            "Plugin {} declares the host's own secret {}; it will read nothing for it",
            pluginId,
            name);
      }
    }
    Map<String, String> readable = new HashMap<>();
    for (String name : this.declared) {
      String value = HOST_SECRETS.contains(name) ? null : environment.get(name);
      if (value != null) {
        readable.put(name, value);
      }
    }
    this.secrets = Map.copyOf(readable);
  }

  @Override
  public String json() {
    return json;
  }

  @Override
  public Map<String, Object> asMap() {
    return map;
  }

  @Override
  public Optional<String> secret(String name) {
    if (!declared.contains(name) && undeclaredAskedFor.add(name)) {
      log.warn(
          "Plugin {} asked for secret {}, which its config schema does not declare; answered empty",
          pluginId,
          name);
    }
    return Optional.ofNullable(secrets.get(name));
  }

  @Override
  public String toString() {
    return "PluginConfig" + json;
  }
}

package io.streamspace.host.plugins;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.host.http.Json;
import io.streamspace.plugin.api.config.PluginConfig;
import java.util.Map;
import java.util.Optional;

/**
 * A plugin's saved configuration and its view of the host's secrets. Secrets are looked up by
 * name only; nothing here logs or prints them.
 */
final class HostPluginConfig implements PluginConfig {

  private final String json;
  private final Map<String, Object> map;
  private final Map<String, String> secrets;

  @SuppressWarnings("unchecked")
  HostPluginConfig(String json, ObjectMapper mapper, Map<String, String> secrets) {
    this.json = json;
    Object plain = Json.toPlainValue(Json.parseOrNull(mapper, json));
    this.map = plain instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    this.secrets = secrets;
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
    return Optional.ofNullable(secrets.get(name));
  }

  @Override
  public String toString() {
    return "PluginConfig" + json;
  }
}

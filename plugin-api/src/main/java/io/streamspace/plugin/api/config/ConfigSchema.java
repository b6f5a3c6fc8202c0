package io.streamspace.plugin.api.config;

import java.util.List;

/**
 * The keys a plugin's configuration understands.
 *
 * @param keys every key, nested ones in dotted form ({@code computeRates.cpu_per_core_hour})
 *
 * <p>Stable since 0.1.
 */
public record ConfigSchema(List<ConfigKey> keys) {

  public ConfigSchema {
    keys = List.copyOf(keys);
  }
}

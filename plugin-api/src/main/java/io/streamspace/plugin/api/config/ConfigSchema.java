package io.streamspace.plugin.api.config;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The keys a plugin's configuration understands.
 *
 * @param keys every key, nested ones in dotted form ({@code computeRates.cpu_per_core_hour})
 *
 * <p>Stable since 0.1; {@link #secretEnvironmentVariables()} since 0.2.
 */
public record ConfigSchema(List<ConfigKey> keys) {

  public ConfigSchema {
    keys = List.copyOf(keys);
  }

  /**
   * The environment variables the secret keys name: the only secrets the host lets the plugin
   * read.
   *
   * @since 0.2
   */
  public Set<String> secretEnvironmentVariables() {
    return keys.stream()
        .map(ConfigKey::environmentVariable)
        .filter(Objects::nonNull)
        .collect(Collectors.toUnmodifiableSet());
  }
}

package io.streamspace.plugin.api.config;

import java.util.Objects;

/**
 * One configuration key.
 *
 * @param name         dotted key name, for example {@code computeRates.cpu_per_core_hour}
 * @param type         one of {@code string}, {@code number}, {@code integer}, {@code boolean},
 *                     {@code cron}, {@code array}, {@code object}
 * @param defaultJson  the default value as JSON text, or null when there is none
 * @param description  what the key does, for admins
 * @param secret       true when the value is a secret: it comes from the environment variable
 *                     named in the description and is always shown masked
 *
 * <p>Stable since 0.1.
 */
public record ConfigKey(
    String name, String type, String defaultJson, String description, boolean secret) {

  public ConfigKey {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
  }
}

package io.streamspace.plugin.api.config;

import java.util.Map;
import java.util.Optional;

/**
 * A plugin's configuration as the admin saved it (defaults are the plugin's business), plus its
 * secrets. Secrets never live in the saved configuration: the host reads them from its
 * environment (or a secrets file), and they must never be logged or echoed back.
 *
 * <p>Stable since 0.1.
 */
public interface PluginConfig {

  /** The saved configuration as JSON object text; {@code "{}"} when nothing was saved. */
  String json();

  /**
   * The saved configuration as plain Java values: {@code Map<String, Object>} for objects,
   * {@code List<Object>} for arrays, {@code String}, {@code java.math.BigDecimal} for numbers,
   * {@code Boolean}, and null. Unmodifiable.
   */
  Map<String, Object> asMap();

  /** A secret by name (for example {@code STRIPE_SECRET_KEY}), if the host has it. */
  Optional<String> secret(String name);
}

package io.streamspace.plugin.api.config;

import java.util.Map;
import java.util.Optional;

/**
 * A plugin's configuration as the admin saved it (defaults are the plugin's business), plus its
 * secrets. Secrets never live in the saved configuration: the host reads them from its
 * environment or, since 0.2, from what an admin set for a secret key of the schema, which the host
 * stores apart and encrypted (the environment wins). They must never be logged or echoed back.
 *
 * <p>Stable since 0.1; since 0.2 {@link #secret} answers only declared names.
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

  /**
   * A secret by the name of its environment variable (for example {@code STRIPE_SECRET_KEY}), if
   * the host has it: from its environment, else (since 0.2) the value an admin set for the key
   * that declares that variable. Since 0.2 the host answers only for the names the plugin's
   * {@link ConfigSchema} declares ({@link ConfigKey#environmentVariable()}), and empty for any
   * other name: a plugin never reads the host's own secrets or another plugin's. A plugin that is
   * not a {@link ConfigurablePlugin} declares none.
   */
  Optional<String> secret(String name);
}

package io.streamspace.plugin.api.config;

import io.streamspace.plugin.api.PluginContext;
import java.util.List;
import java.util.Set;

/**
 * An optional capability of a {@link io.streamspace.plugin.api.PlatformPlugin}: its configuration
 * can be described, validated and changed at run time from the host's admin endpoints.
 *
 * <p>The host stores what the admin saves only after {@link #validateConfig} found no problem,
 * then calls {@link #onConfigChanged} so the change takes effect without a restart.
 *
 * <p>Stable since 0.1; {@link #validateConfig(String, Set)} since 0.2.
 */
public interface ConfigurablePlugin {

  /** Every key the plugin understands, with its default. */
  ConfigSchema configSchema();

  /**
   * Checks a configuration the admin wants to save (JSON object text).
   *
   * @return every problem found, each naming its key; empty when the configuration is valid
   */
  List<ConfigProblem> validateConfig(String configJson);

  /**
   * Checks a configuration the admin wants to save, knowing which secrets will be set once it is
   * saved, without seeing their values: a rule such as "this feature needs that secret" can then
   * name the missing key. The JSON never holds a secret's value; the host keeps secrets apart.
   * The host calls this one; by default it is {@link #validateConfig(String)}.
   *
   * @param secretsSet the names of the schema's secret keys that will have a value, from the
   *     host's environment or stored by the host
   * @return every problem found, each naming its key; empty when the configuration is valid
   * @since 0.2 (stable since 0.2)
   */
  default List<ConfigProblem> validateConfig(String configJson, Set<String> secretsSet) {
    return validateConfig(configJson);
  }

  /**
   * The configuration in effect for the given saved JSON: defaults merged in and every secret
   * masked. This is what admins are shown.
   */
  String effectiveConfig(String configJson);

  /** The saved configuration changed; {@code context.config()} already returns the new one. */
  void onConfigChanged(PluginContext context);
}

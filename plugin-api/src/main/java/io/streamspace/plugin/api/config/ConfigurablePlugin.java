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

  /**
   * The host is saving a change that {@link #validateConfig(String, Set)} accepted, in a
   * transaction it has not committed yet. The plugin may write on {@code saving.connection()}
   * what must not exist without the change, nor the change without it (an audit entry), and may
   * still object: any problem returned, or any exception thrown, rolls the change back, so
   * nothing is saved and the admin is shown the problems. By default nothing is written and
   * nothing objected to.
   *
   * <p>It runs once, on the node that saves the change; other nodes are only handed the new
   * configuration ({@link #onConfigChanged}).
   *
   * @return the plugin's objections, each naming its key (or {@code reason}); empty to save
   * @throws java.sql.SQLException when writing failed: the change is not saved
   * @since 0.3 (stable since 0.3)
   */
  default List<ConfigProblem> onConfigSaving(ConfigSaving saving) throws java.sql.SQLException {
    return List.of();
  }

  /** The saved configuration changed; {@code context.config()} already returns the new one. */
  void onConfigChanged(PluginContext context);
}

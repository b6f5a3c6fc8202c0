package io.streamspace.plugin.api.config;

import io.streamspace.plugin.api.PluginContext;
import java.util.List;

/**
 * An optional capability of a {@link io.streamspace.plugin.api.PlatformPlugin}: its configuration
 * can be described, validated and changed at run time from the host's admin endpoints.
 *
 * <p>The host stores what the admin saves only after {@link #validateConfig} found no problem,
 * then calls {@link #onConfigChanged} so the change takes effect without a restart.
 *
 * <p>Stable since 0.1.
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
   * The configuration in effect for the given saved JSON: defaults merged in and every secret
   * masked. This is what admins are shown.
   */
  String effectiveConfig(String configJson);

  /** The saved configuration changed; {@code context.config()} already returns the new one. */
  void onConfigChanged(PluginContext context);
}

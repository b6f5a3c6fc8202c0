package io.streamspace.host;

import io.streamspace.host.openapi.RouteCoverage;
import io.streamspace.host.plugins.ManagedPlugin;
import io.streamspace.host.plugins.PluginDataPurge;
import io.streamspace.plugin.api.config.PluginConfig;

/** What tests outside this package read of a host's started plugins. */
public final class HostPlugins {

  private HostPlugins() {}

  /** The config a started plugin reads, secrets included. */
  public static PluginConfig configOf(Host host, String pluginId) {
    return host.plugins().active().stream()
        .filter(plugin -> plugin.id().equals(pluginId))
        .findFirst()
        .orElseThrow(() -> new AssertionError("plugin " + pluginId + " is not started"))
        .context()
        .config();
  }

  /** Purges a plugin with the host's {@link PluginDataPurge}, handing it the loaded extension. */
  public static PluginDataPurge.Purged purge(Host host, String pluginId) {
    return host.pluginDataPurge()
        .purge(pluginId, host.plugins().find(pluginId).map(ManagedPlugin::extension).orElse(null));
  }

  /**
   * One look of the node's plugin state watch, run on the caller's thread: a test applies what
   * other nodes changed when it chooses, rather than waiting for the watch's next look.
   */
  public static void lookForChangesFromOtherNodes(Host host) {
    host.plugins().applyChangesFromOtherNodes();
  }

  /**
   * A started plugin's routes against its description ({@code HttpRoutes.describe}): what one
   * lacks of the other. A plugin that described nothing has every route undescribed.
   */
  public static RouteCoverage.Report describedRoutes(Host host, String pluginId) {
    return RouteCoverage.ofPlugin(host.pluginRoutes(), pluginId);
  }
}

package io.streamspace.host.plugins;

/** Told when a plugin's code starts and stops on this node (the journal's consumers are). */
public interface PluginLifecycleListener {

  /** The plugin has started: its hooks may be called. */
  void started(ActivePlugin plugin);

  /** The plugin is about to stop: its hooks must not be called once this returns. */
  void stopping(String pluginId);
}

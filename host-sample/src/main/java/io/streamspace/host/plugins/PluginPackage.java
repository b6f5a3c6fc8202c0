package io.streamspace.host.plugins;

import io.streamspace.plugin.api.PlatformPlugin;

/**
 * A plugin the host can offer: its descriptor, its one {@link PlatformPlugin} extension, and how
 * to start and stop its code. Usually a PF4J plugin from the plugins folder; tests and embedders
 * may hand plugins in-process.
 */
public interface PluginPackage {

  /** The descriptor fields shown in the catalog. */
  record Descriptor(
      String id, String version, String description, String provider, String license) {}

  Descriptor descriptor();

  /** The plugin's extension; the same object for the host's whole run. */
  PlatformPlugin extension();

  /** Starts the plugin's code (PF4J's {@code Plugin.start}). */
  void start();

  /** Stops the plugin's code. */
  void stop();
}

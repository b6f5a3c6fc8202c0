package io.streamspace.host.plugins;

import io.streamspace.plugin.api.PlatformPlugin;

/**
 * A plugin handed to the host as an object rather than found in the plugins folder: the seam
 * tests use for recording or fake plugins. It has no code of its own to start or stop.
 */
public record InProcessPluginPackage(Descriptor descriptor, PlatformPlugin extension)
    implements PluginPackage {

  /** A plugin with the given id, version {@code 0.0.0-inprocess}. */
  public static InProcessPluginPackage of(String id, PlatformPlugin extension) {
    return new InProcessPluginPackage(
        new Descriptor(id, "0.0.0-inprocess", "in-process plugin " + id, "host", null), extension);
  }

  @Override
  public void start() {}

  @Override
  public void stop() {}
}

package io.streamspace.host.plugins;

import io.streamspace.plugin.api.PlatformPlugin;
import java.util.ArrayList;
import java.util.List;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/**
 * A PF4J plugin from the plugins folder. Its extension is created once and cached: PF4J's
 * default extension factory makes a new instance on every lookup, and the host needs one object
 * to hold the plugin's state across hooks.
 */
final class Pf4jPluginPackage implements PluginPackage {

  private final PluginManager manager;
  private final PluginWrapper wrapper;
  private final Descriptor descriptor;
  private PlatformPlugin extension;

  Pf4jPluginPackage(PluginManager manager, PluginWrapper wrapper) {
    this.manager = manager;
    this.wrapper = wrapper;
    PluginDescriptor d = wrapper.getDescriptor();
    this.descriptor =
        new Descriptor(
            d.getPluginId(),
            d.getVersion(),
            d.getPluginDescription(),
            d.getProvider(),
            d.getLicense());
  }

  /** Finds every plugin in the folder as PF4J loaded them (zips unpacked). */
  static List<PluginPackage> discover(PluginManager manager) {
    manager.loadPlugins();
    List<PluginPackage> packages = new ArrayList<>();
    for (PluginWrapper wrapper : manager.getPlugins()) {
      packages.add(new Pf4jPluginPackage(manager, wrapper));
    }
    return packages;
  }

  @Override
  public Descriptor descriptor() {
    return descriptor;
  }

  /**
   * Instantiates the plugin's one {@link PlatformPlugin} extension from its
   * {@code extensions.idx}, also while the plugin is stopped, so the catalog can show its config
   * schema before anyone enables it.
   */
  @Override
  public synchronized PlatformPlugin extension() {
    if (extension == null) {
      extension = findExtension();
    }
    return extension;
  }

  private PlatformPlugin findExtension() {
    String pluginId = descriptor.id();
    List<Class<?>> found = new ArrayList<>();
    for (String className : manager.getExtensionClassNames(pluginId)) {
      try {
        Class<?> type = wrapper.getPluginClassLoader().loadClass(className);
        if (PlatformPlugin.class.isAssignableFrom(type)) {
          found.add(type);
        }
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(
            "Plugin " + pluginId + " lists missing class " + className, e);
      }
    }
    if (found.size() != 1) {
      throw new IllegalStateException(
          "Plugin "
              + pluginId
              + " must have exactly one PlatformPlugin extension, found "
              + found.size()
              + " (is META-INF/extensions.idx in its classes?)");
    }
    return (PlatformPlugin) manager.getExtensionFactory().create(found.get(0));
  }

  @Override
  public void start() {
    PluginState state = manager.startPlugin(descriptor.id());
    if (state != PluginState.STARTED) {
      throw new IllegalStateException(
          "PF4J could not start plugin " + descriptor.id() + ": " + state);
    }
  }

  @Override
  public void stop() {
    manager.stopPlugin(descriptor.id());
  }
}

package io.streamspace.host.plugins;

import io.streamspace.host.catalog.FetchedRelease;
import io.streamspace.host.catalog.PluginApiVersion;
import io.streamspace.plugin.api.PlatformPlugin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Function;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginWrapper;
import org.pf4j.util.FileUtils;

/**
 * The plugins folder and the PF4J manager loading it: which zips are there, and swapping them at
 * runtime. The folder holds exactly the installed zip of each plugin (PF4J unpacks each next to
 * it); a zip set aside during an update is renamed {@code <name>.zip.previous}, which PF4J
 * ignores, until the update is known to have worked.
 */
final class PluginPackages implements AutoCloseable {

  /** A plugin's zip set aside, its code unloaded: put back, or discarded once not needed. */
  record Aside(Path zip, Path original) {}

  private final Path folder;
  private final PluginManager pf4j;

  PluginPackages(Path folder) {
    this.folder = folder;
    this.pf4j = new DefaultPluginManager(folder);
    // PF4J then checks each plugin's plugin.requires against the plugin-api it is given
    pf4j.setSystemVersion(PluginApiVersion.current());
  }

  boolean folderExists() {
    return Files.isDirectory(folder);
  }

  /** Every plugin in the folder, loaded (zips unpacked). */
  List<PluginPackage> discover() {
    return Pf4jPluginPackage.discover(pf4j);
  }

  /** Whether the plugin's code came from the plugins folder (not handed in-process). */
  boolean holds(String pluginId) {
    return pf4j.getPlugin(pluginId) != null;
  }

  /**
   * Asks a fetched release's own code something (its config validation, say) without loading it
   * into the host: a throwaway PF4J manager loads it from the staging folder and forgets it.
   */
  <T> T inspect(FetchedRelease release, Function<PlatformPlugin, T> question) {
    Path staging = release.zip().getParent();
    PluginManager throwaway = new DefaultPluginManager(staging);
    String id = throwaway.loadPlugin(release.zip());
    try {
      return question.apply(new Pf4jPluginPackage(throwaway, throwaway.getPlugin(id)).extension());
    } finally {
      throwaway.unloadPlugin(id);
      deleteUnpacked(release.zip());
    }
  }

  /** Moves a fetched release into the folder as {@code <id>-<version>.zip} and loads it. */
  PluginPackage add(FetchedRelease release) {
    Path zip = folder.resolve(release.pluginId() + "-" + release.version() + ".zip");
    try {
      Files.createDirectories(folder);
      Files.move(release.zip(), zip, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("moving " + release.zip() + " into " + folder, e);
    }
    try {
      return load(zip);
    } catch (RuntimeException e) {
      deleteUnpacked(zip);
      FileUtils.optimisticDelete(zip);
      throw e;
    }
  }

  /** Unloads the plugin's code (it must be stopped) and renames its zip aside. */
  Aside setAside(String pluginId) {
    Path zip = zipOf(pluginId);
    pf4j.unloadPlugin(pluginId);
    deleteUnpacked(zip);
    Path aside = zip.resolveSibling(zip.getFileName() + ".previous");
    move(zip, aside);
    return new Aside(aside, zip);
  }

  /** Puts a zip set aside back and loads it again. */
  PluginPackage putBack(Aside aside) {
    move(aside.zip(), aside.original());
    return load(aside.original());
  }

  void discard(Aside aside) {
    FileUtils.optimisticDelete(aside.zip());
  }

  /** Unloads the plugin's code (it must be stopped) and deletes its zip and unpacked folder. */
  void remove(String pluginId) {
    Path zip = zipOf(pluginId);
    pf4j.unloadPlugin(pluginId);
    deleteUnpacked(zip);
    FileUtils.optimisticDelete(zip);
  }

  private PluginPackage load(Path zip) {
    String id = pf4j.loadPlugin(zip);
    return new Pf4jPluginPackage(pf4j, pf4j.getPlugin(id));
  }

  /** The zip PF4J unpacked the plugin from (or its folder, for one dropped in unpacked). */
  private Path zipOf(String pluginId) {
    PluginWrapper wrapper = pf4j.getPlugin(pluginId);
    Path unpacked = wrapper.getPluginPath();
    Path zip = unpacked.resolveSibling(unpacked.getFileName() + ".zip");
    return Files.exists(zip) ? zip : unpacked;
  }

  private static void deleteUnpacked(Path zip) {
    String name = zip.getFileName().toString();
    if (!name.endsWith(".zip")) {
      return;
    }
    Path unpacked = zip.resolveSibling(name.substring(0, name.length() - ".zip".length()));
    try {
      if (Files.isDirectory(unpacked)) {
        FileUtils.delete(unpacked);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("deleting " + unpacked, e);
    }
  }

  private static void move(Path from, Path to) {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("moving " + from + " to " + to, e);
    }
  }

  @Override
  public void close() {
    pf4j.unloadPlugins();
  }
}

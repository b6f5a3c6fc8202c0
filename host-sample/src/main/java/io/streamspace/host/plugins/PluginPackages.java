package io.streamspace.host.plugins;

import io.streamspace.host.catalog.FetchedRelease;
import io.streamspace.host.catalog.PluginApiVersion;
import io.streamspace.plugin.api.PlatformPlugin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.pf4j.CompoundPluginDescriptorFinder;
import org.pf4j.DefaultPluginManager;
import org.pf4j.ManifestPluginDescriptorFinder;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;
import org.pf4j.PluginRuntimeException;
import org.pf4j.PluginWrapper;
import org.pf4j.PropertiesPluginDescriptorFinder;
import org.pf4j.util.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins folder and the PF4J manager loading it: which zips are there, and swapping them at
 * runtime. The folder holds exactly the installed zip of each plugin (PF4J unpacks each next to
 * it); a zip set aside during an update is renamed {@code <name>.zip.previous}, which PF4J
 * ignores, until the update is known to have worked.
 */
final class PluginPackages implements AutoCloseable {

  /** A plugin's zip set aside, its code unloaded: put back, or discarded once not needed. */
  record Aside(Path zip, Path original) {}

  private static final Logger log = LoggerFactory.getLogger(PluginPackages.class);
  private static final String PREVIOUS = ".previous";

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

  /**
   * Every plugin in the folder, loaded (zips unpacked), each the version the host_plugins row
   * names. An update a crash interrupted left the old package set aside ({@code
   * <name>.previous}): it is put back when it is that version, and deleted otherwise. A package
   * of another version is deleted: the node then fetches the installed release, as it does one
   * another node installed ({@link ChangesFromOtherNodes}).
   *
   * @param installedVersions by plugin id, the package version each plugin installed from a
   *     repository runs (none for one put in by hand)
   */
  List<PluginPackage> discover(Map<String, String> installedVersions) {
    // in a hidden folder PF4J does not load them: an unpacked folder set aside would be a second
    // copy of its plugin
    Path asides = folder.resolve(PREVIOUS);
    List<Path> setAside = moveSetAsideInto(asides);
    List<PluginPackage> found = Pf4jPluginPackage.discover(pf4j);
    for (Path aside : setAside) {
      putBackIfInstalled(aside, installedVersions);
    }
    delete(asides);
    for (PluginPackage loaded : found) {
      String id = loaded.descriptor().id();
      String installed = installedVersions.get(id);
      if (installed != null && holds(id) && !installed.equals(versionOf(id))) {
        log.info(
            "Plugin {} {} in the plugins folder is not the installed {}: deleted, the installed"
                + " release is fetched",
            id,
            versionOf(id),
            installed);
        remove(id);
      }
    }
    return pf4j.getPlugins().stream()
        .map(wrapper -> (PluginPackage) new Pf4jPluginPackage(pf4j, wrapper))
        .toList();
  }

  private List<Path> moveSetAsideInto(Path asides) {
    List<Path> moved = new ArrayList<>();
    try (Stream<Path> entries = Files.list(folder)) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (name.endsWith(PREVIOUS) && !name.equals(PREVIOUS)) {
          Files.createDirectories(asides);
          Path target = asides.resolve(name.substring(0, name.length() - PREVIOUS.length()));
          move(entry, target);
          moved.add(target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + folder, e);
    }
    return moved;
  }

  /** Puts back a package an interrupted update set aside when it is the installed version. */
  private void putBackIfInstalled(Path aside, Map<String, String> installedVersions) {
    PluginDescriptor descriptor;
    try {
      descriptor =
          new CompoundPluginDescriptorFinder()
              .add(new PropertiesPluginDescriptorFinder())
              .add(new ManifestPluginDescriptorFinder())
              .find(aside);
    } catch (PluginRuntimeException e) {
      log.warn("Deleted {}{}: not a plugin ({})", aside.getFileName(), PREVIOUS, e.getMessage());
      return;
    }
    String id = descriptor.getPluginId();
    String version = descriptor.getVersion();
    if (!version.equals(installedVersions.get(id)) || version.equals(versionOf(id))) {
      log.info(
          "Plugin {}: deleted {}, set aside by an update, not the installed version", id, version);
      return;
    }
    if (holds(id)) {
      remove(id);
    }
    Path original = folder.resolve(aside.getFileName());
    move(aside, original);
    load(original);
    log.info("Plugin {}: an update was interrupted; the installed {} put back", id, version);
  }

  /** The version of the plugin PF4J holds, or null when it holds none. */
  private String versionOf(String pluginId) {
    PluginWrapper wrapper = pf4j.getPlugin(pluginId);
    return wrapper == null ? null : wrapper.getDescriptor().getVersion();
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

  /**
   * Moves a fetched release into the folder as {@code <id>-<version>.zip} and loads it. The
   * plugin PF4J loads must be the release's id and version (a zip can show one descriptor to the
   * catalog's check and another to PF4J): else it is unloaded and deleted, and refused.
   */
  PluginPackage add(FetchedRelease release) {
    Path zip = folder.resolve(release.pluginId() + "-" + release.version() + ".zip");
    try {
      Files.createDirectories(folder);
      Files.move(release.zip(), zip, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("moving " + release.zip() + " into " + folder, e);
    }
    String loaded = null;
    try {
      loaded = pf4j.loadPlugin(zip);
      PluginDescriptor descriptor = pf4j.getPlugin(loaded).getDescriptor();
      if (!descriptor.getPluginId().equals(release.pluginId())
          || !descriptor.getVersion().equals(release.version())) {
        throw new IllegalStateException(
            zip.getFileName()
                + " loads as plugin "
                + descriptor.getPluginId()
                + " "
                + descriptor.getVersion()
                + ", not the release "
                + release.pluginId()
                + " "
                + release.version());
      }
      return new Pf4jPluginPackage(pf4j, pf4j.getPlugin(loaded));
    } catch (RuntimeException e) {
      if (loaded != null) {
        pf4j.unloadPlugin(loaded);
      }
      deleteUnpacked(zip);
      delete(zip);
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
    delete(aside.zip());
  }

  /** Unloads the plugin's code (it must be stopped) and deletes its zip and unpacked folder. */
  void remove(String pluginId) {
    Path zip = zipOf(pluginId);
    pf4j.unloadPlugin(pluginId);
    deleteUnpacked(zip);
    delete(zip);
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
    delete(zip.resolveSibling(name.substring(0, name.length() - ".zip".length())));
  }

  /** Deletes a file, or a folder with everything in it; nothing when it is not there. */
  private static void delete(Path path) {
    try {
      if (Files.exists(path)) {
        FileUtils.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("deleting " + path, e);
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

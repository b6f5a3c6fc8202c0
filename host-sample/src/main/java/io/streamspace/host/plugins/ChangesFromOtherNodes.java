package io.streamspace.host.plugins;

import io.streamspace.host.catalog.FetchedRelease;
import io.streamspace.host.catalog.PluginReleases;
import io.streamspace.host.catalog.ReleaseRefused;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies on this node what other nodes changed in {@code host_plugins}: enabling, disabling and
 * config changes, and the packages they installed, updated, uninstalled or purged.
 *
 * <p>Locking: {@link #apply()} reads the states and fetches releases holding no lock, then takes
 * the registry's monitor to change what runs here; every private method below expects that
 * monitor held. It never takes a plugin's operation lock: it applies operations that already
 * happened, and a state read before an operation made here meanwhile is older than it, and left
 * alone.
 */
final class ChangesFromOtherNodes {

  // under the registry's name: the lines are the registry's, as they were before it was split
  private static final Logger log = LoggerFactory.getLogger(PluginRegistry.class);

  private final PluginRegistry registry;
  private final PluginStateStore store;
  private final PluginPackages packages;
  private final PluginReleases releases;
  // "<id> <version>" of releases installed elsewhere this node could not fetch; logged once
  private final Set<String> unfetchable = ConcurrentHashMap.newKeySet();

  ChangesFromOtherNodes(
      PluginRegistry registry,
      PluginStateStore store,
      PluginPackages packages,
      PluginReleases releases) {
    this.registry = registry;
    this.store = store;
    this.packages = packages;
    this.releases = releases;
  }

  /** See {@link PluginRegistry#applyChangesFromOtherNodes}. */
  void apply() {
    Map<String, PluginStateStore.StoredState> stored = store.loadAll();
    Map<String, FetchedRelease> fetched = fetchInstalledElsewhere(stored);
    try {
      synchronized (registry) {
        if (!registry.ready()) {
          return;
        }
        for (Map.Entry<String, PluginStateStore.StoredState> entry : stored.entrySet()) {
          ManagedPlugin plugin = registry.loaded(entry.getKey());
          PluginStateStore.StoredState state = entry.getValue();
          if (plugin != null && state.version() <= plugin.version()) {
            continue;
          }
          FetchedRelease release = fetched.get(entry.getKey());
          if (release != null) {
            plugin = loadInstalledElsewhere(plugin, release);
          } else if (plugin != null && !state.installed() && packages.holds(plugin.id())) {
            unloadUninstalledElsewhere(plugin);
            continue;
          }
          if (plugin != null) {
            applyFromAnotherNode(plugin, state);
          }
        }
        for (ManagedPlugin plugin : registry.all()) {
          // purged on another node: its row is gone (read again: one installed here since the
          // snapshot has a row the snapshot lacks)
          if (!stored.containsKey(plugin.id())
              && packages.holds(plugin.id())
              && !store.loadAll().containsKey(plugin.id())) {
            unloadUninstalledElsewhere(plugin);
          }
        }
      }
    } finally {
      fetched.values().forEach(PluginPackageLifecycle::deleteLeftover);
    }
  }

  /**
   * The releases other nodes installed that this node does not run, fetched and verified. Runs
   * holding no lock ({@link PluginRegistry#find} takes the monitor for a moment).
   */
  private Map<String, FetchedRelease> fetchInstalledElsewhere(
      Map<String, PluginStateStore.StoredState> stored) {
    Map<String, FetchedRelease> fetched = new LinkedHashMap<>();
    stored.forEach(
        (id, state) -> {
          PluginStateStore.InstalledPackage wanted = state.installedPackage();
          ManagedPlugin local = registry.find(id).orElse(null);
          boolean keep =
              local != null
                  && (local.descriptor().version().equals(wanted.version())
                      || !packages.holds(id)); // handed in-process: it hides any package
          if (!state.installed() || wanted.version() == null || keep) {
            return;
          }
          String release = id + " " + wanted.version();
          try {
            FetchedRelease fetch = releases.fetch(id, wanted.version());
            if (!fetch.sha512().equalsIgnoreCase(wanted.sha512())) {
              PluginPackageLifecycle.deleteLeftover(fetch);
              throw new ReleaseRefused(
                  ReleaseRefused.Reason.CHECKSUM_MISMATCH,
                  "its SHA-512 is not the one installed on the other node");
            }
            fetched.put(id, fetch);
            unfetchable.remove(release);
          } catch (ReleaseRefused e) {
            if (unfetchable.add(release)) {
              log.error(
                  "Plugin {} installed on another node cannot be fetched here: {}",
                  release,
                  e.getMessage());
            }
          }
        });
    return fetched;
  }

  /** Swaps in the release another node installed or updated to; returns the plugin now. */
  private ManagedPlugin loadInstalledElsewhere(ManagedPlugin local, FetchedRelease release) {
    if (local != null) {
      registry.stop(local);
      packages.remove(local.id());
    }
    ManagedPlugin plugin;
    try {
      plugin = new ManagedPlugin(packages.add(release));
    } catch (RuntimeException e) {
      log.error(
          "Plugin {} {} installed on another node could not be loaded here",
          release.pluginId(),
          release.version(),
          e);
      registry.forget(release.pluginId());
      registry.refreshActive();
      return null;
    }
    registry.put(plugin.id(), plugin);
    log.info("Plugin {} {} installed on another node; loaded here", plugin.id(), release.version());
    return plugin;
  }

  private void unloadUninstalledElsewhere(ManagedPlugin plugin) {
    registry.stop(plugin);
    packages.remove(plugin.id());
    registry.forget(plugin.id());
    registry.refreshActive();
    log.info("Plugin {} uninstalled on another node; unloaded here", plugin.id());
  }

  private void applyFromAnotherNode(ManagedPlugin plugin, PluginStateStore.StoredState stored) {
    List<String> changes = new ArrayList<>();
    boolean runs = stored.installed() && stored.enabled();
    if (runs != (plugin.installed() && plugin.enabled())) {
      changes.add(runs ? "enabled" : "disabled");
    }
    if (!stored.configJson().equals(plugin.configJson())) {
      List<String> keys =
          ConfigChange.changedKeys(
              registry.object(plugin.configJson()), registry.object(stored.configJson()));
      changes.add("config keys " + String.join(", ", keys));
    }
    if (!stored.secretsJson().equals(plugin.secretsJson())) {
      List<String> keys =
          ConfigChange.changedKeys(
              registry.object(plugin.secretsJson()), registry.object(stored.secretsJson()));
      changes.add("secret keys " + String.join(", ", keys));
    }
    try {
      registry.apply(plugin, stored);
    } catch (RuntimeException e) {
      log.error("Plugin {}: applying a change made on another node failed", plugin.id(), e);
      return;
    }
    if (!changes.isEmpty()) {
      log.info(
          "Plugin {} changed on another node ({}); now {} here",
          plugin.id(),
          String.join("; ", changes),
          plugin.state().label());
    }
  }
}

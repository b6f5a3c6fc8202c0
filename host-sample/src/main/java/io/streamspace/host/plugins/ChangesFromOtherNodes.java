package io.streamspace.host.plugins;

import io.streamspace.common.time.Backoff;
import io.streamspace.host.catalog.FetchedRelease;
import io.streamspace.host.catalog.PluginReleases;
import io.streamspace.host.catalog.ReleaseRefused;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
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
 * <p>Locking: {@link #apply()} reads the states holding no lock, to find the plugins whose state
 * is newer than what this node applied. It leaves alone a plugin whose operation lock is held (an
 * install, update or uninstall runs, here or on another node): its outcome is applied at a later
 * look. It only tries that lock, and lets it go at once: following a change, which may take a
 * download and a start, never holds up an admin's operation. It reads the row again, fetches the
 * release it names, and then takes the registry's monitor, reads the row once more and applies
 * that: what it applies is never older than what an operation made here meanwhile (an uninstall
 * while the release downloaded, say). Every private method below that changes what runs expects
 * that monitor held.
 *
 * <p>A release that cannot be fetched or loaded here is logged once (ERROR) and tried again
 * after a back-off (10 s, doubling to 10 minutes), not at every look.
 */
final class ChangesFromOtherNodes {

  private static final Backoff RETRY = new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(10));

  // under the registry's name: the lines are the registry's, as they were before it was split
  private static final Logger log = LoggerFactory.getLogger(PluginRegistry.class);

  /** A release that failed here ({@code "<id> <version> <sha512>"}), tried again at retryAt. */
  private record Failed(String release, Instant retryAt, Duration backoff) {}

  private final PluginRegistry registry;
  private final PluginStateStore store;
  private final PluginPackages packages;
  private final PluginReleases releases;
  private final PluginOperationLock operationLock;
  private final Clock clock;
  // the release each plugin id last failed to fetch or load here
  private final Map<String, Failed> failed = new ConcurrentHashMap<>();

  ChangesFromOtherNodes(
      PluginRegistry registry,
      PluginStateStore store,
      PluginPackages packages,
      PluginReleases releases,
      PluginOperationLock operationLock,
      Clock clock) {
    this.registry = registry;
    this.store = store;
    this.packages = packages;
    this.releases = releases;
    this.operationLock = operationLock;
    this.clock = clock;
  }

  /** See {@link PluginRegistry#applyChangesFromOtherNodes}. */
  void apply() {
    if (!registry.ready()) {
      return;
    }
    Map<String, PluginStateStore.StoredState> stored = store.loadAll();
    Set<String> changed = new LinkedHashSet<>();
    stored.forEach(
        (id, state) -> {
          ManagedPlugin local = registry.find(id).orElse(null);
          boolean newer =
              local != null
                  ? state.version() > local.version()
                  : state.installed() && state.installedPackage().version() != null;
          if (newer && (local != null || !waiting(id, state.installedPackage()))) {
            changed.add(id);
          }
        });
    for (ManagedPlugin plugin : registry.all()) {
      if (!stored.containsKey(plugin.id()) && packages.holds(plugin.id())) {
        changed.add(plugin.id()); // purged on another node: its row is gone
      }
    }
    changed.forEach(this::follow);
  }

  /** Applies the plugin's stored state here, unless an operation on it is running. */
  private void follow(String id) {
    if (operationLock.isHeld(id)) {
      return;
    }
    FetchedRelease release = fetchIfNotRunHere(id, store.load(id).orElse(null));
    try {
      synchronized (registry) {
        if (registry.ready()) {
          applyHere(id, store.load(id).orElse(null), release);
        }
      }
    } finally {
      if (release != null) {
        PluginPackageLifecycle.deleteLeftover(release);
      }
    }
  }

  private void applyHere(String id, PluginStateStore.StoredState state, FetchedRelease release) {
    ManagedPlugin plugin = registry.loaded(id);
    if (state == null) {
      if (plugin != null && packages.holds(id)) {
        unloadUninstalledElsewhere(plugin);
      }
      return;
    }
    if (plugin != null && state.version() <= plugin.version()) {
      return; // applied here already (a config change made here meanwhile, say)
    }
    if (release != null && state.installed() && names(state, release)) {
      plugin = loadInstalledElsewhere(plugin, release);
    } else if (plugin != null && !state.installed() && packages.holds(id)) {
      unloadUninstalledElsewhere(plugin);
      return;
    }
    if (plugin != null) {
      applyFromAnotherNode(plugin, state);
    }
  }

  /** Whether the row names this release (not one installed or uninstalled since the fetch). */
  private static boolean names(PluginStateStore.StoredState state, FetchedRelease release) {
    return release.version().equals(state.installedPackage().version())
        && release.sha512().equalsIgnoreCase(state.installedPackage().sha512());
  }

  /**
   * The release the plugin's row names, fetched and verified, when this node does not run it and
   * has not applied that row yet (and is not backing off from it); else null. Runs holding no
   * lock ({@link PluginRegistry#find} takes the monitor for a moment).
   */
  private FetchedRelease fetchIfNotRunHere(String id, PluginStateStore.StoredState state) {
    if (state == null || !state.installed() || state.installedPackage().version() == null) {
      return null;
    }
    PluginStateStore.InstalledPackage wanted = state.installedPackage();
    ManagedPlugin local = registry.find(id).orElse(null);
    boolean keep =
        local != null
            && (local.version() >= state.version()
                || local.descriptor().version().equals(wanted.version())
                || !packages.holds(id)); // handed in-process: it hides any package
    if (keep || waiting(id, wanted)) {
      return null;
    }
    try {
      FetchedRelease fetch = releases.fetch(id, wanted.version());
      if (!fetch.sha512().equalsIgnoreCase(wanted.sha512())) {
        PluginPackageLifecycle.deleteLeftover(fetch);
        throw new ReleaseRefused(
            ReleaseRefused.Reason.CHECKSUM_MISMATCH,
            "its SHA-512 is not the one installed on the other node");
      }
      return fetch;
    } catch (ReleaseRefused e) {
      if (failedHere(id, wanted)) {
        log.error(
            "Plugin {} {} installed on another node cannot be fetched here: {}",
            id,
            wanted.version(),
            e.getMessage());
      }
      return null;
    }
  }

  /** Whether the release failed here and its next try is not due yet. */
  private boolean waiting(String id, PluginStateStore.InstalledPackage wanted) {
    Failed last = failed.get(id);
    return last != null
        && last.release().equals(releaseOf(id, wanted))
        && clock.instant().isBefore(last.retryAt());
  }

  /** Remembers a failure and when to try again; true when it is the release's first. */
  private boolean failedHere(String id, PluginStateStore.InstalledPackage wanted) {
    String release = releaseOf(id, wanted);
    Failed last = failed.get(id);
    boolean first = last == null || !last.release().equals(release);
    Duration wait = first ? RETRY.first() : RETRY.next(last.backoff());
    failed.put(id, new Failed(release, clock.instant().plus(wait), wait));
    return first;
  }

  private static String releaseOf(String id, PluginStateStore.InstalledPackage wanted) {
    return id + " " + wanted.version() + " " + wanted.sha512();
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
      if (failedHere(release.pluginId(), PluginPackageLifecycle.packageOf(release))) {
        log.error(
            "Plugin {} {} installed on another node could not be loaded here",
            release.pluginId(),
            release.version(),
            e);
      }
      registry.forget(release.pluginId());
      registry.refreshActive();
      return null;
    }
    failed.remove(plugin.id());
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

package io.streamspace.host.plugins;

import static io.streamspace.host.plugins.PluginHistory.Operation.INSTALL;
import static io.streamspace.host.plugins.PluginHistory.Operation.PURGE;
import static io.streamspace.host.plugins.PluginHistory.Operation.UNINSTALL;
import static io.streamspace.host.plugins.PluginHistory.Operation.UPDATE;
import static io.streamspace.host.plugins.PluginHistory.Outcome.FAILED;
import static io.streamspace.host.plugins.PluginHistory.Outcome.OK;
import static io.streamspace.host.plugins.PluginHistory.Outcome.ROLLED_BACK;

import io.streamspace.common.http.ApiException;
import io.streamspace.host.catalog.FetchedRelease;
import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.plugin.api.config.ConfigProblem;
import io.streamspace.plugin.api.config.ConfigurablePlugin;
import io.streamspace.plugin.api.http.HttpStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs, updates (rolling back a version that does not start) and uninstalls (purging on
 * request) plugin packages at runtime, and records each operation in {@link PluginHistory}. The
 * {@link PluginRegistry} keeps which plugins exist and runs them; this class changes which code
 * it holds.
 *
 * <p>Locking: each operation takes the plugin's cluster-wide lock and then the registry's monitor
 * through {@link PluginRegistry#operate}, so it never overlaps another operation on the plugin,
 * here or on another node; everything below runs with both held.
 */
final class PluginPackageLifecycle {

  // under the registry's name: the lines are the registry's, as they were before it was split
  private static final Logger log = LoggerFactory.getLogger(PluginRegistry.class);

  private final PluginRegistry registry;
  private final PluginStateStore store;
  private final PluginPackages packages;
  private final PluginHistory history;
  private final PluginRegistry.Services services;

  PluginPackageLifecycle(
      PluginRegistry registry,
      PluginStateStore store,
      PluginPackages packages,
      PluginHistory history,
      PluginRegistry.Services services) {
    this.registry = registry;
    this.store = store;
    this.packages = packages;
    this.history = history;
    this.services = services;
  }

  /** See {@link PluginRegistry#installPresent}. */
  void installPresent(String pluginId, String actor) {
    registry.operate(
        pluginId,
        () -> {
          ManagedPlugin plugin = registry.require(pluginId);
          refuseInstalled(pluginId, plugin);
          registry.apply(plugin, store.saveEnabled(pluginId, true));
          registry.recordStart(plugin, INSTALL, null, actor);
        });
  }

  /**
   * See {@link PluginRegistry#install}. The row is written (disabled) before the zip moves into
   * the plugins folder: a crash in between leaves an installed plugin whose package this node
   * fetches again, never a zip that starts enabled at the next start.
   */
  void install(FetchedRelease release, String actor) {
    String id = release.pluginId();
    try {
      registry.operate(
          id,
          () -> {
            ManagedPlugin present = registry.loaded(id);
            refuseInstalled(id, present);
            if (present != null) {
              throw new PluginOperationRefused(
                  PluginOperationRefused.Reason.ALREADY_INSTALLED,
                  "plugin "
                      + id
                      + " "
                      + present.descriptor().version()
                      + " is in the plugins folder; install it without a version");
            }
            PluginStateStore.StoredState state =
                store
                    .installPackage(id, packageOf(release))
                    .orElseThrow(() -> alreadyInstalled(id, release.version()));
            ManagedPlugin plugin;
            try {
              plugin = new ManagedPlugin(packages.add(release));
            } catch (RuntimeException e) {
              log.warn("Plugin {} {}: PF4J could not load it", id, release.version(), e);
              store.uninstall(id);
              String reason = loadFailure(e);
              history.record(id, INSTALL, null, release.version(), actor, FAILED, reason);
              throw new PluginOperationRefused(
                  PluginOperationRefused.Reason.INSTALL_FAILED,
                  "plugin " + id + " " + release.version() + " could not be loaded: " + reason);
            }
            registry.put(id, plugin);
            registry.apply(plugin, state);
            history.record(id, INSTALL, null, release.version(), actor, OK, null);
          });
    } finally {
      deleteLeftover(release);
    }
  }

  /** See {@link PluginRegistry#update}. */
  void update(FetchedRelease release, String actor) {
    String id = release.pluginId();
    try {
      registry.operate(id, () -> swap(requirePackaged(id), release, actor));
    } finally {
      deleteLeftover(release);
    }
  }

  private void swap(ManagedPlugin old, FetchedRelease release, String actor) {
    String id = old.id();
    String from = old.descriptor().version();
    List<ConfigProblem> problems = packages.inspect(release, code -> validateSaved(old, code));
    if (!problems.isEmpty()) {
      history.record(
          id,
          UPDATE,
          from,
          release.version(),
          actor,
          FAILED,
          "config refused: " + describe(problems));
      throw new PluginOperationRefused(
          PluginOperationRefused.Reason.CONFIG_REFUSED,
          "plugin "
              + id
              + " "
              + release.version()
              + " refuses the saved config: "
              + describe(problems),
          problems);
    }
    PluginStateStore.StoredState before = stateOf(old, old.installedPackage());
    registry.stop(old);
    PluginPackages.Aside aside = packages.setAside(id);
    String reason;
    try {
      ManagedPlugin fresh = new ManagedPlugin(packages.add(release));
      registry.put(id, fresh);
      // recorded only once it runs here, so other nodes never take a version that fails to start
      registry.apply(fresh, stateOf(old, packageOf(release)));
      reason = fresh.state() == ManagedPlugin.State.FAILED ? fresh.failure() : null;
      if (reason == null) {
        fresh.decided(store.savePackage(id, packageOf(release)));
      }
    } catch (RuntimeException e) {
      log.error("Plugin {}: loading {} failed", id, release.version(), e);
      reason = firstLine(e);
    }
    if (reason == null) {
      packages.discard(aside);
      history.record(id, UPDATE, from, release.version(), actor, OK, null);
      return;
    }
    if (packages.holds(id)) {
      packages.remove(id);
    }
    ManagedPlugin back = new ManagedPlugin(packages.putBack(aside));
    registry.put(id, back);
    registry.apply(back, before);
    history.record(id, UPDATE, from, release.version(), actor, ROLLED_BACK, reason);
    throw new PluginOperationRefused(
        PluginOperationRefused.Reason.UPDATE_FAILED,
        "plugin "
            + id
            + " "
            + release.version()
            + " failed to start ("
            + reason
            + "); "
            + from
            + " runs again");
  }

  /** The stored state this node last applied for {@code plugin}, {@code installed} its package. */
  private static PluginStateStore.StoredState stateOf(
      ManagedPlugin plugin, PluginStateStore.InstalledPackage installed) {
    return new PluginStateStore.StoredState(
        plugin.installed(),
        plugin.enabled(),
        plugin.configJson(),
        plugin.secretsJson(),
        plugin.version(),
        installed);
  }

  /** See {@link PluginRegistry#uninstall}. */
  void uninstall(String pluginId, String actor, boolean purge) {
    registry.operate(
        pluginId,
        () -> {
          ManagedPlugin plugin = requirePackaged(pluginId);
          String version = plugin.descriptor().version();
          if (purge) {
            purge(plugin);
          }
          registry.stop(plugin);
          services.scheduler().pausePlugin(pluginId);
          packages.remove(pluginId);
          registry.forget(pluginId);
          if (!purge) {
            store.uninstall(pluginId);
          }
          registry.refreshActive();
          history.record(pluginId, purge ? PURGE : UNINSTALL, version, null, actor, OK, null);
        });
  }

  private void purge(ManagedPlugin plugin) {
    if (plugin.enabled()) {
      throw new ApiException(
          HttpStatus.CONFLICT,
          "plugin_enabled",
          "plugin "
              + plugin.id()
              + " is enabled: disable it first (every node stops it within"
              + " seconds), then uninstall it with purge");
    }
    new PluginDataPurge(services.dataSource(), services.scheduler())
        .purge(plugin.id(), plugin.extension());
  }

  /**
   * Refuses when the plugin's row says installed, on whichever node that happened: this node's
   * memory may not have caught up yet.
   */
  private void refuseInstalled(String pluginId, ManagedPlugin local) {
    PluginStateStore.StoredState row = store.load(pluginId).orElse(null);
    if (row != null && row.installed()) {
      String version = row.installedPackage().version();
      if (version == null && local != null) {
        version = local.descriptor().version(); // put in the plugins folder by hand
      }
      throw alreadyInstalled(pluginId, version);
    }
  }

  private static PluginOperationRefused alreadyInstalled(String pluginId, String version) {
    return new PluginOperationRefused(
        PluginOperationRefused.Reason.ALREADY_INSTALLED,
        "plugin "
            + pluginId
            + (version == null ? "" : " " + version)
            + " is installed; POST /api/admin/plugins/"
            + pluginId
            + "/update to change it");
  }

  /**
   * An installed plugin whose code came from the plugins folder. Installed is the row's word (an
   * uninstall on another node this node has not applied yet is seen), not this node's memory.
   */
  private ManagedPlugin requirePackaged(String pluginId) {
    ManagedPlugin plugin = registry.loaded(pluginId);
    boolean installed =
        store.load(pluginId).map(PluginStateStore.StoredState::installed).orElse(false);
    if (!installed) {
      throw new PluginOperationRefused(
          PluginOperationRefused.Reason.NOT_INSTALLED, "plugin " + pluginId + " is not installed");
    }
    if (plugin == null) {
      throw new PluginOperationRefused(
          PluginOperationRefused.Reason.OPERATION_IN_PROGRESS,
          "plugin "
              + pluginId
              + " was installed on another node and this node does not run it yet; try again"
              + " in a moment");
    }
    if (!packages.holds(pluginId)) {
      throw new PluginOperationRefused(
          PluginOperationRefused.Reason.NOT_A_PACKAGE,
          "plugin " + pluginId + " was handed to the host in-process; it has no package");
    }
    return plugin;
  }

  /** The saved config as the new version of the plugin judges it (no objections when none). */
  private List<ConfigProblem> validateSaved(ManagedPlugin plugin, PlatformPlugin newCode) {
    if (!(newCode instanceof ConfigurablePlugin configurable)) {
      return List.of();
    }
    PluginSecrets secrets =
        new PluginSecrets(
            plugin.id(),
            configurable.configSchema(),
            services.secrets(),
            registry.object(plugin.secretsJson()),
            services.secretBox());
    return configurable.validateConfig(plugin.configJson(), secrets.setKeyNames());
  }

  /**
   * Why PF4J could not load a package, for the answer: its own words, except where PF4J fails
   * inside itself (a NullPointerException when it could not unpack or read the zip), which says
   * nothing to an admin; the log has the stack either way.
   */
  private static String loadFailure(RuntimeException e) {
    return e instanceof NullPointerException
        ? "PF4J could not unpack or read it (the host's log has the cause)"
        : firstLine(e);
  }

  private static String firstLine(Throwable e) {
    return e.toString().lines().findFirst().orElse("");
  }

  private static String describe(List<ConfigProblem> problems) {
    return String.join("; ", problems.stream().map(p -> p.key() + ": " + p.message()).toList());
  }

  static PluginStateStore.InstalledPackage packageOf(FetchedRelease release) {
    return new PluginStateStore.InstalledPackage(
        release.version(), release.sha512(), release.url());
  }

  /** The fetched zip, if an operation left it in the staging folder (it was refused). */
  static void deleteLeftover(FetchedRelease release) {
    try {
      Files.deleteIfExists(release.zip());
    } catch (IOException e) {
      log.warn("Could not delete the fetched {}", release.zip(), e);
    }
  }
}

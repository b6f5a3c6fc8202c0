package io.streamspace.host.plugins;

import static io.streamspace.host.plugins.PluginHistory.Operation.DISABLE;
import static io.streamspace.host.plugins.PluginHistory.Operation.ENABLE;
import static io.streamspace.host.plugins.PluginHistory.Operation.INSTALL;
import static io.streamspace.host.plugins.PluginHistory.Operation.PURGE;
import static io.streamspace.host.plugins.PluginHistory.Operation.UNINSTALL;
import static io.streamspace.host.plugins.PluginHistory.Operation.UPDATE;
import static io.streamspace.host.plugins.PluginHistory.Outcome.FAILED;
import static io.streamspace.host.plugins.PluginHistory.Outcome.OK;
import static io.streamspace.host.plugins.PluginHistory.Outcome.ROLLED_BACK;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.host.catalog.FetchedRelease;
import io.streamspace.host.catalog.PluginReleases;
import io.streamspace.host.catalog.ReleaseRefused;
import io.streamspace.host.http.ApiException;
import io.streamspace.host.http.Json;
import io.streamspace.host.http.PluginRouteTable;
import io.streamspace.host.jobs.HostScheduler;
import io.streamspace.host.platform.EventLog;
import io.streamspace.host.secrets.SecretBox;
import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.plugin.api.config.ConfigProblem;
import io.streamspace.plugin.api.config.ConfigSchema;
import io.streamspace.plugin.api.config.ConfigurablePlugin;
import io.streamspace.plugin.api.event.DeadLetters;
import io.streamspace.plugin.api.http.HttpStatus;
import io.streamspace.plugin.api.session.SessionControl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every plugin the host knows (the plugins folder plus in-process ones), their admin state
 * ({@code host_plugins}) and their lifecycle. Enabling starts the plugin's code, builds its
 * context and calls {@code onLoad}; disabling calls {@code onUnload}, drops its routes, pauses
 * its jobs and stops its code.
 */
public final class PluginRegistry implements AutoCloseable {

  /** What the registry needs from the rest of the host. */
  public record Services(
      DataSource dataSource,
      Clock clock,
      Map<String, String> secrets,
      ObjectMapper mapper,
      HostScheduler scheduler,
      PluginRouteTable routes,
      EventLog events,
      SessionControl sessions,
      Function<String, DeadLetters> deadLetters,
      PluginLifecycleListener lifecycle,
      SecretBox secretBox,
      PluginReleases releases) {}

  private static final Logger log = LoggerFactory.getLogger(PluginRegistry.class);

  private final Services services;
  private final PluginStateStore store;
  private final PluginPackages packages;
  private final PluginHistory history;
  private final PluginOperationLock operationLock;
  private final Map<String, ManagedPlugin> plugins = new LinkedHashMap<>();
  // "<id> <version>" of releases installed elsewhere this node could not fetch; logged once
  private final Set<String> unfetchable = ConcurrentHashMap.newKeySet();
  private volatile List<ActivePlugin> active = List.of();
  private volatile boolean ready;

  /**
   * @param pluginsDir folder of PF4J plugin zips or directories; may be missing
   * @param inProcess  plugins handed over as objects (tests); an id here hides a folder plugin
   */
  public PluginRegistry(Path pluginsDir, List<PluginPackage> inProcess, Services services) {
    this.services = services;
    this.store = new PluginStateStore(services.dataSource(), services.clock());
    this.packages = new PluginPackages(pluginsDir);
    this.history = new PluginHistory(services.dataSource(), services.clock());
    this.operationLock = new PluginOperationLock(services.dataSource());
    List<PluginPackage> found = new ArrayList<>();
    if (packages.folderExists()) {
      found.addAll(packages.discover());
    } else {
      // a fresh host: nothing installed yet, the first install makes the folder
      log.info("Plugins folder {} does not exist yet; no plugins loaded from it", pluginsDir);
    }
    found.addAll(inProcess);
    for (PluginPackage pluginPackage : found) {
      plugins.put(pluginPackage.descriptor().id(), new ManagedPlugin(pluginPackage));
    }
  }

  /** Reads each plugin's stored state (installing new ones) and starts the enabled ones. */
  public synchronized void startAll() {
    for (ManagedPlugin plugin : plugins.values()) {
      apply(plugin, store.loadOrInstall(plugin.id()));
    }
    ready = true;
  }

  /** True once {@link #startAll()} has run. */
  public boolean ready() {
    return ready;
  }

  /** The started plugins, in a stable order; cheap to call per request. */
  public List<ActivePlugin> active() {
    return active;
  }

  /** Whether a plugin's code is running on this node (jobs and hooks may run). */
  public boolean isStarted(String pluginId) {
    ManagedPlugin plugin = plugins.get(pluginId);
    return plugin != null && plugin.state() == ManagedPlugin.State.STARTED;
  }

  public synchronized List<ManagedPlugin> all() {
    return List.copyOf(plugins.values());
  }

  public synchronized Optional<ManagedPlugin> find(String pluginId) {
    return Optional.ofNullable(plugins.get(pluginId));
  }

  /** The plugin's lifecycle operations, newest first. */
  public List<PluginHistory.Entry> history(String pluginId) {
    return history.of(pluginId);
  }

  /**
   * Installs a plugin the plugins folder already holds (put there by hand, or in-process) and
   * not installed: marks it installed and enabled, starting it, as the host always did.
   *
   * @throws PluginOperationRefused {@code ALREADY_INSTALLED} when it is installed
   */
  public void installPresent(String pluginId, String actor) {
    operate(
        pluginId,
        () -> {
          ManagedPlugin plugin = require(pluginId);
          refuseInstalled(plugin);
          apply(plugin, store.saveEnabled(pluginId, true));
          recordStart(plugin, INSTALL, null, actor);
        });
  }

  /**
   * Installs a fetched release: moves its zip into the plugins folder, loads it into the running
   * PF4J manager and records it installed but disabled, so that its config can be set before
   * it is enabled. A plugin installed before keeps the config and secrets it had.
   *
   * @throws PluginOperationRefused {@code ALREADY_INSTALLED}, {@code INSTALL_FAILED}, {@code
   *     OPERATION_IN_PROGRESS}; the fetched zip is deleted
   */
  public void install(FetchedRelease release, String actor) {
    String id = release.pluginId();
    try {
      operate(
          id,
          () -> {
            ManagedPlugin present = plugins.get(id);
            if (present != null) {
              refuseInstalled(present);
              throw new PluginOperationRefused(
                  PluginOperationRefused.Reason.ALREADY_INSTALLED,
                  "plugin "
                      + id
                      + " "
                      + present.descriptor().version()
                      + " is in the plugins folder; install it without a version");
            }
            ManagedPlugin plugin;
            try {
              plugin = new ManagedPlugin(packages.add(release));
            } catch (RuntimeException e) {
              String reason = firstLine(e);
              history.record(id, INSTALL, null, release.version(), actor, FAILED, reason);
              throw new PluginOperationRefused(
                  PluginOperationRefused.Reason.INSTALL_FAILED,
                  "plugin " + id + " " + release.version() + " could not be loaded: " + reason);
            }
            plugins.put(id, plugin);
            apply(plugin, store.installPackage(id, packageOf(release)));
            history.record(id, INSTALL, null, release.version(), actor, OK, null);
          });
    } finally {
      deleteLeftover(release);
    }
  }

  /**
   * Updates an installed plugin to a fetched release. The new version first validates the saved
   * config (refused: nothing changes). Then the old one stops (its {@code onUnload} flushes),
   * its code is unloaded and its zip set aside, and the new one is loaded and, if the plugin is
   * enabled, started (its migrations run in {@code onLoad}). If it fails to start it is unloaded
   * and the old version is put back and started again. The journal cursor stays where the old
   * version left it either way, and the plugin's Quartz jobs keep their triggers.
   *
   * @throws PluginOperationRefused {@code NOT_INSTALLED}, {@code NOT_A_PACKAGE}, {@code
   *     CONFIG_REFUSED}, {@code UPDATE_FAILED} (rolled back), {@code OPERATION_IN_PROGRESS}
   */
  public void update(FetchedRelease release, String actor) {
    String id = release.pluginId();
    try {
      operate(id, () -> swap(requirePackaged(id), release, actor));
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
    PluginStateStore.InstalledPackage oldPackage = old.installedPackage();
    stop(old);
    PluginPackages.Aside aside = packages.setAside(id);
    String reason;
    try {
      ManagedPlugin fresh = new ManagedPlugin(packages.add(release));
      plugins.put(id, fresh);
      apply(fresh, store.savePackage(id, packageOf(release)));
      reason = fresh.state() == ManagedPlugin.State.FAILED ? fresh.failure() : null;
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
    plugins.put(id, back);
    apply(back, store.savePackage(id, oldPackage));
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

  /**
   * Uninstalls a plugin: stops it, pauses its jobs, unloads its code and deletes its zip and
   * unpacked folder. Its {@code host_plugins} row stays (not installed), with its config and
   * secrets, and so do its own tables and journal cursor: installing it again carries on.
   *
   * <p>With {@code purge}, its data goes too ({@link PluginDataPurge}), while its code is still
   * loaded to drop its tables: the plugin must be disabled first, so that no node runs it; a
   * refused purge changes nothing, the plugin stays installed.
   *
   * @throws PluginOperationRefused {@code NOT_INSTALLED}, {@code NOT_A_PACKAGE}, {@code
   *     OPERATION_IN_PROGRESS}
   * @throws io.streamspace.host.http.ApiException 409 {@code plugin_enabled} or {@code
   *     plugin_running} when a purge is refused
   */
  public void uninstall(String pluginId, String actor, boolean purge) {
    operate(
        pluginId,
        () -> {
          ManagedPlugin plugin = requirePackaged(pluginId);
          String version = plugin.descriptor().version();
          if (purge) {
            purge(plugin);
          }
          stop(plugin);
          services.scheduler().pausePlugin(pluginId);
          packages.remove(pluginId);
          plugins.remove(pluginId);
          if (!purge) {
            store.uninstall(pluginId);
          }
          refreshActive();
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

  /** Enables (and installs) a plugin and starts it. Idempotent. */
  public void enable(String pluginId, String actor) {
    operate(
        pluginId,
        () -> {
          ManagedPlugin plugin = require(pluginId);
          apply(plugin, store.saveEnabled(pluginId, true));
          recordStart(plugin, ENABLE, plugin.descriptor().version(), actor);
        });
  }

  /** Disables a plugin: no hooks, no routes, no jobs. Idempotent. */
  public void disable(String pluginId, String actor) {
    operate(
        pluginId,
        () -> {
          ManagedPlugin plugin = require(pluginId);
          apply(plugin, store.saveEnabled(pluginId, false));
          String version = plugin.descriptor().version();
          history.record(pluginId, DISABLE, version, version, actor, OK, null);
        });
  }

  /**
   * Runs an operation on one plugin holding its cluster-wide lock, then the registry's: it never
   * overlaps another operation on the plugin, on this node or another.
   *
   * @throws PluginOperationRefused {@code OPERATION_IN_PROGRESS} when one is running: a second
   *     caller is refused, not queued
   */
  private void operate(String pluginId, Runnable operation) {
    try (PluginOperationLock.Held held = operationLock.take(pluginId)) {
      synchronized (this) {
        operation.run();
      }
    } catch (PluginOperationLock.InProgress e) {
      throw new PluginOperationRefused(
          PluginOperationRefused.Reason.OPERATION_IN_PROGRESS, e.getMessage());
    }
  }

  private void recordStart(
      ManagedPlugin plugin, PluginHistory.Operation operation, String from, String actor) {
    boolean failed = plugin.state() == ManagedPlugin.State.FAILED;
    history.record(
        plugin.id(),
        operation,
        from,
        plugin.descriptor().version(),
        actor,
        failed ? FAILED : OK,
        failed ? plugin.failure() : null);
  }

  private static void refuseInstalled(ManagedPlugin plugin) {
    if (plugin.installed()) {
      throw new PluginOperationRefused(
          PluginOperationRefused.Reason.ALREADY_INSTALLED,
          "plugin "
              + plugin.id()
              + " "
              + plugin.descriptor().version()
              + " is installed; POST /api/admin/plugins/"
              + plugin.id()
              + "/update to change it");
    }
  }

  /** An installed plugin whose code came from the plugins folder. */
  private ManagedPlugin requirePackaged(String pluginId) {
    ManagedPlugin plugin = plugins.get(pluginId);
    if (plugin == null || !plugin.installed()) {
      throw new PluginOperationRefused(
          PluginOperationRefused.Reason.NOT_INSTALLED, "plugin " + pluginId + " is not installed");
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
            object(plugin.secretsJson()),
            services.secretBox());
    return configurable.validateConfig(plugin.configJson(), secrets.setKeyNames());
  }

  private static String firstLine(Throwable e) {
    return e.toString().lines().findFirst().orElse("");
  }

  private static String describe(List<ConfigProblem> problems) {
    return String.join("; ", problems.stream().map(p -> p.key() + ": " + p.message()).toList());
  }

  private void stop(ManagedPlugin plugin) {
    if (plugin.state() == ManagedPlugin.State.STARTED) {
      deactivate(plugin);
    } else {
      stopCode(plugin);
    }
  }

  private static PluginStateStore.InstalledPackage packageOf(FetchedRelease release) {
    return new PluginStateStore.InstalledPackage(
        release.version(), release.sha512(), release.url());
  }

  /** The fetched zip, if an operation left it in the staging folder (it was refused). */
  private static void deleteLeftover(FetchedRelease release) {
    try {
      Files.deleteIfExists(release.zip());
    } catch (IOException e) {
      log.warn("Could not delete the fetched {}", release.zip(), e);
    }
  }

  /**
   * Applies here what other nodes changed: each plugin whose stored state is newer than the one
   * this node applied last is started, stopped or handed its new config, as if the change had
   * been made here, and one INFO line says so. A plugin another node installed or updated is
   * fetched (its SHA-512 checked against the stored one) and loaded first; one another node
   * uninstalled is unloaded and its zip deleted. The states are read, and releases fetched,
   * before the registry's lock is taken, so a slow database or repository holds up no admin
   * call; a state read before a change made here meanwhile is older than it, and left alone.
   */
  public void applyChangesFromOtherNodes() {
    Map<String, PluginStateStore.StoredState> stored = store.loadAll();
    Map<String, FetchedRelease> fetched = fetchInstalledElsewhere(stored);
    try {
      synchronized (this) {
        if (!ready) {
          return;
        }
        for (Map.Entry<String, PluginStateStore.StoredState> entry : stored.entrySet()) {
          ManagedPlugin plugin = plugins.get(entry.getKey());
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
        for (ManagedPlugin plugin : List.copyOf(plugins.values())) {
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
      fetched.values().forEach(PluginRegistry::deleteLeftover);
    }
  }

  /** The releases other nodes installed that this node does not run, fetched and verified. */
  private Map<String, FetchedRelease> fetchInstalledElsewhere(
      Map<String, PluginStateStore.StoredState> stored) {
    Map<String, FetchedRelease> fetched = new LinkedHashMap<>();
    stored.forEach(
        (id, state) -> {
          PluginStateStore.InstalledPackage wanted = state.installedPackage();
          ManagedPlugin local = find(id).orElse(null);
          boolean keep =
              local != null
                  && (local.descriptor().version().equals(wanted.version())
                      || !packages.holds(id)); // handed in-process: it hides any package
          if (!state.installed() || wanted.version() == null || keep) {
            return;
          }
          String release = id + " " + wanted.version();
          try {
            FetchedRelease fetch = services.releases().fetch(id, wanted.version());
            if (!fetch.sha512().equalsIgnoreCase(wanted.sha512())) {
              deleteLeftover(fetch);
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
      stop(local);
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
      plugins.remove(release.pluginId());
      refreshActive();
      return null;
    }
    plugins.put(plugin.id(), plugin);
    log.info("Plugin {} {} installed on another node; loaded here", plugin.id(), release.version());
    return plugin;
  }

  private void unloadUninstalledElsewhere(ManagedPlugin plugin) {
    stop(plugin);
    packages.remove(plugin.id());
    plugins.remove(plugin.id());
    refreshActive();
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
          ConfigChange.changedKeys(object(plugin.configJson()), object(stored.configJson()));
      changes.add("config keys " + String.join(", ", keys));
    }
    if (!stored.secretsJson().equals(plugin.secretsJson())) {
      List<String> keys =
          ConfigChange.changedKeys(object(plugin.secretsJson()), object(stored.secretsJson()));
      changes.add("secret keys " + String.join(", ", keys));
    }
    try {
      apply(plugin, stored);
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

  /**
   * Makes this node run a plugin as its stored state says: started while installed and enabled
   * (one that failed to start is tried again), handed its new config while it runs on, stopped
   * and its jobs paused otherwise.
   */
  private void apply(ManagedPlugin plugin, PluginStateStore.StoredState stored) {
    boolean configChanged =
        !stored.configJson().equals(plugin.configJson())
            || !stored.secretsJson().equals(plugin.secretsJson());
    plugin.decided(stored);
    if (!stored.installed() || !stored.enabled()) {
      if (plugin.state() == ManagedPlugin.State.STARTED) {
        deactivate(plugin);
      }
      services.scheduler().pausePlugin(plugin.id());
      plugin.stopped(
          stored.installed() ? ManagedPlugin.State.DISABLED : ManagedPlugin.State.NOT_INSTALLED);
    } else if (plugin.state() != ManagedPlugin.State.STARTED) {
      activate(plugin);
    } else if (configChanged) {
      HostPluginContext context = plugin.context().orElseThrow();
      context.replaceConfig(configOf(plugin));
      configurable(plugin.id()).ifPresent(configurable -> configurable.onConfigChanged(context));
    }
  }

  /** The plugin's config capability, if it has one. */
  public Optional<ConfigurablePlugin> configurable(String pluginId) {
    return find(pluginId)
        .map(ManagedPlugin::extension)
        .filter(ConfigurablePlugin.class::isInstance)
        .map(ConfigurablePlugin.class::cast);
  }

  /**
   * Changes a plugin's saved configuration: {@code edit} turns the saved JSON object into the
   * new one, which the plugin validates. A valid one is saved, the running plugin is told, and
   * one line is logged: who changed which keys (names only, never values).
   *
   * <p>A secret key set to null, or to what {@code GET} shows for it (its mask), means "as it
   * is": it is dropped before validation, so what {@code GET} shows can be put back unchanged
   * and a mask is never stored. Any other string is taken out of the config and stored apart,
   * encrypted (an empty one removes the stored value); the plugin validates the config knowing
   * which secrets are set, never seeing a value.
   *
   * @param changedBy the user id of the admin who asked
   * @return the plugin's objections; when not empty nothing was saved
   */
  public synchronized List<ConfigProblem> changeConfig(
      String pluginId, String changedBy, UnaryOperator<ObjectNode> edit) {
    ManagedPlugin plugin = require(pluginId);
    ConfigurablePlugin configurable =
        configurable(pluginId)
            .orElseThrow(
                () -> new IllegalArgumentException("Plugin " + pluginId + " has no configuration"));
    ConfigSchema schema = configurable.configSchema();
    List<ConfigProblem> problems = new ArrayList<>();
    List<String> secretsGiven = new ArrayList<>();
    Optional<PluginStateStore.EditedConfig> edited =
        store.editConfig(
            pluginId,
            saved -> {
              PluginSecrets secrets = secretsOf(pluginId, saved.secretsJson());
              ObjectNode after = edit.apply(object(saved.configJson()));
              ConfigSecrets.dropShown(
                  after, schema, object(shownConfig(configurable, saved.configJson(), secrets)));
              Map<String, JsonNode> given = ConfigSecrets.takeOut(after, schema);
              PluginSecrets newSecrets = secrets.with(given, problems);
              problems.addAll(StorableConfig.problems(after));
              problems.addAll(newSecrets.unreadable());
              if (problems.isEmpty()) {
                problems.addAll(
                    configurable.validateConfig(after.toString(), newSecrets.setKeyNames()));
              }
              secretsGiven.addAll(given.keySet());
              return problems.isEmpty()
                  ? Optional.of(
                      new PluginStateStore.SavedConfig(
                          after.toString(), newSecrets.stored().toString()))
                  : Optional.empty();
            });
    if (edited.isEmpty()) {
      return problems;
    }
    PluginStateStore.StoredState after = edited.get().after();
    apply(plugin, after);
    log.info(
        ConfigChange.between(
                pluginId,
                changedBy,
                object(edited.get().before()),
                object(after.configJson()),
                secretsGiven)
            .describe());
    return List.of();
  }

  /**
   * The plugin's configuration as admins are shown it: in effect (the plugin merges defaults),
   * each secret key masked when set, null when not, and marked to be set again when this host
   * cannot decrypt it ({@link ConfigSecrets}). Takes no lock: a read never waits for a change.
   */
  public String shownConfig(String pluginId) {
    ManagedPlugin plugin = require(pluginId);
    return configurable(pluginId)
        .map(c -> shownConfig(c, plugin.configJson(), secretsOf(pluginId, plugin.secretsJson())))
        .orElse(plugin.configJson());
  }

  private String shownConfig(
      ConfigurablePlugin configurable, String savedJson, PluginSecrets secrets) {
    ObjectNode shown = object(configurable.effectiveConfig(savedJson));
    ConfigSecrets.mask(shown, secrets);
    return shown.toString();
  }

  /** The plugin's secrets: the environment's its schema declares, and those stored. */
  private PluginSecrets secretsOf(String pluginId, String secretsJson) {
    ConfigSchema schema =
        configurable(pluginId)
            .map(ConfigurablePlugin::configSchema)
            .orElse(new ConfigSchema(List.of()));
    return new PluginSecrets(
        pluginId, schema, services.secrets(), object(secretsJson), services.secretBox());
  }

  /** JSON object text as a tree; anything else (nothing saved yet, say) as an empty object. */
  private ObjectNode object(String json) {
    JsonNode node = Json.parseOrNull(services.mapper(), json);
    return node instanceof ObjectNode object ? object : services.mapper().createObjectNode();
  }

  private ManagedPlugin require(String pluginId) {
    ManagedPlugin plugin = plugins.get(pluginId);
    if (plugin == null) {
      throw new IllegalArgumentException("No plugin " + pluginId);
    }
    return plugin;
  }

  private void activate(ManagedPlugin plugin) {
    String id = plugin.id();
    try {
      plugin.pluginPackage().start();
      HostPluginContext context =
          new HostPluginContext(
              id,
              configOf(plugin),
              new HostPluginContext.SharedServices(
                  services.dataSource(), services.clock(), services.sessions()),
              services.scheduler().forPlugin(id),
              services.routes().forPlugin(id),
              services.events().publisherFor(id),
              services.deadLetters().apply(id));
      plugin.extension().onLoad(context);
      services.scheduler().resumePlugin(id);
      plugin.running(context);
      services.lifecycle().started(new ActivePlugin(id, plugin.extension(), context));
      log.info("Plugin {} {} started", id, plugin.descriptor().version());
    } catch (RuntimeException | LinkageError e) {
      log.error("Plugin {} failed to start", id, e);
      services.lifecycle().stopping(id);
      services.routes().removePlugin(id);
      services.scheduler().forgetJobs(id);
      stopCode(plugin);
      plugin.failed(e);
    }
    refreshActive();
  }

  /** Unloads a running plugin on this node; its Quartz jobs stay as they are cluster-wide. */
  private void deactivate(ManagedPlugin plugin) {
    HostPluginContext context = plugin.context().orElseThrow();
    services.lifecycle().stopping(plugin.id());
    plugin.stopped(ManagedPlugin.State.DISABLED);
    refreshActive();
    try {
      plugin.extension().onUnload(context);
    } catch (RuntimeException e) {
      log.error("Plugin {} failed in onUnload", plugin.id(), e);
    }
    services.routes().removePlugin(plugin.id());
    services.scheduler().forgetJobs(plugin.id());
    stopCode(plugin);
    log.info("Plugin {} stopped", plugin.id());
  }

  private void stopCode(ManagedPlugin plugin) {
    try {
      plugin.pluginPackage().stop();
    } catch (RuntimeException e) {
      log.warn("Plugin {} did not stop cleanly", plugin.id(), e);
    }
  }

  /**
   * The plugin's config, with the secrets its schema declares and no others; a stored one this
   * host cannot decrypt is left out, as if unset (see {@link PluginSecrets#readable}).
   */
  private HostPluginConfig configOf(ManagedPlugin plugin) {
    PluginSecrets secrets = secretsOf(plugin.id(), plugin.secretsJson());
    return new HostPluginConfig(
        plugin.id(),
        plugin.configJson(),
        services.mapper(),
        secrets.readable(),
        secrets.schema().secretEnvironmentVariables());
  }

  private void refreshActive() {
    List<ActivePlugin> started = new ArrayList<>();
    for (ManagedPlugin plugin : plugins.values()) {
      plugin
          .context()
          .ifPresent(c -> started.add(new ActivePlugin(plugin.id(), plugin.extension(), c)));
    }
    active = List.copyOf(started);
  }

  /** Unloads every running plugin (flushing their queues) without pausing cluster jobs. */
  @Override
  public synchronized void close() {
    ready = false;
    for (ManagedPlugin plugin : plugins.values()) {
      if (plugin.state() == ManagedPlugin.State.STARTED) {
        deactivate(plugin);
      }
    }
    packages.close();
  }
}

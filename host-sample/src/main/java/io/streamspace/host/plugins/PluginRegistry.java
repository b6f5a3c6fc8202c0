package io.streamspace.host.plugins;

import static io.streamspace.host.plugins.PluginHistory.Operation.DISABLE;
import static io.streamspace.host.plugins.PluginHistory.Operation.ENABLE;
import static io.streamspace.host.plugins.PluginHistory.Outcome.FAILED;
import static io.streamspace.host.plugins.PluginHistory.Outcome.OK;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.common.http.Json;
import io.streamspace.host.catalog.FetchedRelease;
import io.streamspace.host.catalog.PluginReleases;
import io.streamspace.host.http.PluginRouteTable;
import io.streamspace.host.jobs.HostScheduler;
import io.streamspace.host.openapi.RouteCoverage;
import io.streamspace.host.platform.EventLog;
import io.streamspace.host.secrets.SecretBox;
import io.streamspace.plugin.api.config.ConfigProblem;
import io.streamspace.plugin.api.config.ConfigSchema;
import io.streamspace.plugin.api.config.ConfigurablePlugin;
import io.streamspace.plugin.api.event.DeadLetters;
import io.streamspace.plugin.api.event.JournalEvents;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import io.streamspace.plugin.api.session.SessionControl;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every plugin the host knows (the plugins folder plus in-process ones), their admin state
 * ({@code host_plugins}) and their lifecycle. Enabling starts the plugin's code, builds its
 * context and calls {@code onLoad}; disabling calls {@code onUnload}, drops its routes, pauses
 * its jobs and stops its code. Installing, updating and uninstalling packages is {@link
 * PluginPackageLifecycle}'s, applying what other nodes changed {@link ChangesFromOtherNodes}'s:
 * the public methods here hand them over, so the rest of the host knows one class.
 *
 * <p>Locking: the registry's monitor guards the list of plugins and what runs; every operation an
 * admin asks for (enable, disable, install, update, uninstall) first takes the plugin's
 * cluster-wide lock ({@link PluginOperationLock}) and then the monitor, through {@link #operate}.
 * The package-private methods below are the collaborators' way in; each says which lock it
 * expects. {@link #active()}, {@link #ready()} and {@link #isStarted} take no lock; {@link
 * #shownConfig} takes the monitor only for a moment, to find the plugin's code.
 *
 * <p>One class because its monitor is the one lock over the list of plugins and what runs:
 * enabling, disabling, config changes and what other nodes changed all take it, and its
 * collaborators reach it through the package-private methods below rather than a lock of their
 * own, which two classes holding each half would need.
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
      PluginReleases releases,
      Function<String, PluginMetrics> metrics,
      JournalEvents journalEvents) {}

  private static final Logger log = LoggerFactory.getLogger(PluginRegistry.class);

  private final Services services;
  private final PluginStateStore store;
  private final PluginPackages packages;
  private final PluginHistory history;
  private final PluginOperationLock operationLock;
  private final PluginPackageLifecycle packageLifecycle;
  private final ChangesFromOtherNodes changesFromOtherNodes;
  // Changed only under this registry's monitor (which iterations hold too); read without it by
  // isStarted on every plugin request and by shownConfig, hence a map safe for those lone gets.
  private final Map<String, ManagedPlugin> plugins =
      Collections.synchronizedMap(new LinkedHashMap<>());
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
    this.packageLifecycle = new PluginPackageLifecycle(this, store, packages, history, services);
    this.changesFromOtherNodes =
        new ChangesFromOtherNodes(
            this, store, packages, services.releases(), operationLock, services.clock());
    List<PluginPackage> found = new ArrayList<>();
    if (packages.folderExists()) {
      found.addAll(packages.discover(store.installedVersions()));
    } else {
      // a fresh host: nothing installed yet, the first install makes the folder
      log.info("Plugins folder {} does not exist yet; no plugins loaded from it", pluginsDir);
    }
    found.addAll(inProcess);
    for (PluginPackage pluginPackage : found) {
      plugins.put(pluginPackage.descriptor().id(), new ManagedPlugin(pluginPackage));
    }
  }

  /**
   * Reads each plugin's stored state (installing new ones) and starts the enabled ones. A package
   * whose plugin was uninstalled or purged while this node was down (no row, and an uninstall or
   * purge in its history) is deleted rather than installed again.
   */
  public synchronized void startAll() {
    for (ManagedPlugin plugin : List.copyOf(plugins.values())) {
      boolean packaged = packages.holds(plugin.id());
      Optional<PluginStateStore.StoredState> stored = store.loadOrInstall(plugin.id(), packaged);
      if (stored.isPresent()) {
        apply(plugin, stored.get());
      } else {
        packages.remove(plugin.id());
        plugins.remove(plugin.id());
        log.info(
            "Plugin {} was uninstalled or purged while this node was down: its package deleted",
            plugin.id());
      }
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
    packageLifecycle.installPresent(pluginId, actor);
  }

  /**
   * Installs a fetched release: records it installed but disabled, so that its config can be set
   * before it is enabled, then moves its zip into the plugins folder and loads it into the
   * running PF4J manager. Whether it is installed already is its row's word, whichever node
   * installed it. A plugin installed before keeps the config and secrets it had.
   *
   * @throws PluginOperationRefused {@code ALREADY_INSTALLED}, {@code INSTALL_FAILED}, {@code
   *     OPERATION_IN_PROGRESS}; the fetched zip is deleted
   */
  public void install(FetchedRelease release, String actor) {
    packageLifecycle.install(release, actor);
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
    packageLifecycle.update(release, actor);
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
   * @throws io.streamspace.common.http.ApiException 409 {@code plugin_enabled} or {@code
   *     plugin_running} when a purge is refused
   */
  public void uninstall(String pluginId, String actor, boolean purge) {
    packageLifecycle.uninstall(pluginId, actor, purge);
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
   * overlaps another operation on the plugin, on this node or another. The caller holds neither
   * lock.
   *
   * @throws PluginOperationRefused {@code OPERATION_IN_PROGRESS} when one is running: a second
   *     caller is refused, not queued
   */
  void operate(String pluginId, Runnable operation) {
    try (PluginOperationLock.Held held = operationLock.take(pluginId)) {
      synchronized (this) {
        operation.run();
      }
    } catch (PluginOperationLock.InProgress e) {
      throw new PluginOperationRefused(
          PluginOperationRefused.Reason.OPERATION_IN_PROGRESS, e.getMessage());
    }
  }

  /** Records a start the operation asked for, failed or not; expects the monitor held. */
  void recordStart(
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

  /** Stops the plugin's code, running or not (to unload it); expects the monitor held. */
  void stop(ManagedPlugin plugin) {
    if (plugin.state() == ManagedPlugin.State.STARTED) {
      deactivate(plugin);
    } else {
      stopCode(plugin);
    }
  }

  /**
   * Applies here what other nodes changed: each plugin whose stored state is newer than the one
   * this node applied last is started, stopped or handed its new config, as if the change had
   * been made here, and one INFO line says so. A plugin another node installed or updated is
   * fetched (its SHA-512 checked against the stored one) and loaded first; one another node
   * uninstalled is unloaded and its zip deleted. A plugin an operation is changing (its
   * operation lock held) is left for a later look. The states are read, and releases fetched,
   * before the registry's lock is taken, so a slow database or repository holds up no admin
   * call; the row is read again under it, so what is applied is never older than a change made
   * here meanwhile. A release that fails here is tried again after a back-off.
   */
  public void applyChangesFromOtherNodes() {
    changesFromOtherNodes.apply();
  }

  /**
   * Makes this node run a plugin as its stored state says: started while installed and enabled
   * (one that failed to start is tried again), handed its new config while it runs on, stopped
   * and its jobs paused otherwise. Expects the monitor held.
   */
  void apply(ManagedPlugin plugin, PluginStateStore.StoredState stored) {
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
   * new one, which the plugin validates. A valid one is saved, the plugin writing beside it in
   * the same transaction and still free to object ({@link ConfigurablePlugin#onConfigSaving}),
   * the running plugin is told, and one line is logged: who changed which keys, from which value
   * to which (a secret key named only, never a value: {@link ConfigChange}).
   *
   * <p>A secret key set to null, or to what {@code GET} shows for it (its mask), means "as it
   * is": it is dropped before validation, so what {@code GET} shows can be put back unchanged
   * and a mask is never stored. Any other string is taken out of the config and stored apart,
   * encrypted (an empty one removes the stored value); the plugin validates the config knowing
   * which secrets are set, never seeing a value.
   *
   * @param request who asked, and why
   * @return the plugin's objections; when not empty nothing was saved
   */
  public synchronized List<ConfigProblem> changeConfig(
      String pluginId, ConfigChangeRequest request, UnaryOperator<ObjectNode> edit) {
    ManagedPlugin plugin = require(pluginId);
    ConfigurablePlugin configurable =
        configurable(pluginId)
            .orElseThrow(
                () -> new IllegalArgumentException("Plugin " + pluginId + " has no configuration"));
    ConfigSchema schema = configurable.configSchema();
    List<ConfigProblem> problems = new ArrayList<>();
    List<String> secretsGiven = new ArrayList<>();
    AtomicReference<ConfigChange> change = new AtomicReference<>();
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
            },
            (connection, saving) -> {
              change.set(
                  ConfigChange.between(
                      pluginId,
                      request.changedBy(),
                      object(saving.before()),
                      object(saving.after().configJson()),
                      secretsGiven));
              problems.addAll(
                  configurable.onConfigSaving(
                      savingConfig(connection, request, saving, change.get())));
              return problems.isEmpty();
            });
    if (edited.isEmpty()) {
      return problems;
    }
    apply(plugin, edited.get().after());
    log.info(change.get().describe());
    return List.of();
  }

  /** What the plugin is handed of a change it may write beside, in the transaction saving it. */
  private SavingConfig savingConfig(
      Connection connection,
      ConfigChangeRequest request,
      PluginStateStore.EditedConfig saving,
      ConfigChange change) {
    return new SavingConfig(
        connection,
        services.clock().instant(),
        request.changedBy(),
        request.reason(),
        request.requestId(),
        change.before().toString(),
        change.after().toString(),
        change.changedKeys(),
        change.secretsGiven());
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

  /**
   * The state of each secret key the plugin's schema declares, by key name ({@code set}, {@code
   * missing}, {@code unreadable}: {@link PluginSecrets#state}, the rule {@link #shownConfig}
   * masks by); empty for a plugin without secrets. Never a value; takes no lock.
   */
  public Map<String, String> secretStates(String pluginId) {
    ManagedPlugin plugin = require(pluginId);
    return secretsOf(pluginId, plugin.secretsJson()).states();
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

  /**
   * JSON object text as a tree; anything else (nothing saved yet, say) as an empty object. Needs
   * no lock.
   */
  ObjectNode object(String json) {
    JsonNode node = Json.parseOrNull(services.mapper(), json);
    return node instanceof ObjectNode object ? object : services.mapper().createObjectNode();
  }

  /** The plugin; expects the monitor held (or accepts a racy read, as shownConfig does). */
  ManagedPlugin require(String pluginId) {
    ManagedPlugin plugin = plugins.get(pluginId);
    if (plugin == null) {
      throw new IllegalArgumentException("No plugin " + pluginId);
    }
    return plugin;
  }

  /** The plugin, or null when this node has none; expects the monitor held. */
  ManagedPlugin loaded(String pluginId) {
    return plugins.get(pluginId);
  }

  /** Holds this plugin's code from now on, in place of any before; expects the monitor held. */
  void put(String pluginId, ManagedPlugin plugin) {
    plugins.put(pluginId, plugin);
  }

  /** Drops the plugin from this node's list; expects the monitor held. */
  void forget(String pluginId) {
    plugins.remove(pluginId);
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
                  services.dataSource(),
                  services.clock(),
                  services.sessions(),
                  services.journalEvents()),
              services.scheduler().forPlugin(id),
              services.routes().forPlugin(id),
              services.events().publisherFor(id),
              services.deadLetters().apply(id),
              services.metrics().apply(id));
      plugin.extension().onLoad(context);
      warnIfDescriptionDisagrees(id);
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

  /**
   * A plugin whose description and routes disagree still starts (the served description shows
   * what it described); the operator is told once, naming what differs.
   */
  private void warnIfDescriptionDisagrees(String id) {
    if (services.routes().descriptionOf(id).isEmpty()) {
      return;
    }
    RouteCoverage.Report report = RouteCoverage.ofPlugin(services.routes(), id);
    if (!report.agrees()) {
      log.warn("Plugin {} describes its routes wrongly: {}", id, report);
    }
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

  /** Publishes the started plugins as {@link #active()}; expects the monitor held. */
  void refreshActive() {
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

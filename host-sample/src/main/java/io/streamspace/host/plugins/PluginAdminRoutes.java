package io.streamspace.host.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.streamspace.common.http.ApiException;
import io.streamspace.host.auth.Authenticator;
import io.streamspace.host.catalog.FetchedRelease;
import io.streamspace.host.catalog.PluginReleases;
import io.streamspace.host.catalog.ReleaseRefused;
import io.streamspace.host.http.HttpServer;
import io.streamspace.host.http.JsonBodies;
import io.streamspace.host.http.JsonMergePatch;
import io.streamspace.plugin.api.config.ConfigProblem;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.DatabaseOutage;
import io.streamspace.plugin.api.http.HttpStatus;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BinaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plugins for admins (their catalog search is {@link CatalogRoutes}): list, install,
 * update, uninstall (and their history), enable, disable, read and change config
 * ({@code PUT} to replace it, {@code PATCH} to merge a change into it). Each plugin shows how far
 * behind the event journal it is, and which node consumes it.
 */
public final class PluginAdminRoutes implements HttpServer.RouteGroup {

  record InstalledView(
      String id, String name, String version, String state, boolean enabled, JournalLag lag) {}

  private static final Logger log = LoggerFactory.getLogger(PluginAdminRoutes.class);
  private static final int BAD_GATEWAY = 502;

  /** Why an admin changes a config; the body of a config change is the config itself. */
  static final String REASON_HEADER = "X-Audit-Log-Reason";

  static final String REQUEST_ID_HEADER = "X-Request-Id";

  private final PluginRegistry registry;
  private final PluginReleases releases;
  private final Authenticator auth;
  private final JsonBodies bodies;
  private final JournalLag.Lookup journalLag;

  public PluginAdminRoutes(
      PluginRegistry registry,
      PluginReleases releases,
      Authenticator auth,
      JsonBodies bodies,
      JournalLag.Lookup journalLag) {
    this.registry = registry;
    this.releases = releases;
    this.auth = auth;
    this.bodies = bodies;
    this.journalLag = journalLag;
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/admin/plugins", this::installed);
    app.post("/api/admin/plugins/{id}/install", this::install);
    app.post("/api/admin/plugins/{id}/update", this::update);
    app.post("/api/admin/plugins/{id}/uninstall", this::uninstall);
    app.get("/api/admin/plugins/{id}/history", this::history);
    app.post("/api/admin/plugins/{id}/enable", ctx -> change(ctx, registry::enable));
    app.post("/api/admin/plugins/{id}/disable", ctx -> change(ctx, registry::disable));
    app.get("/api/admin/plugins/{id}/config", this::readConfig);
    app.put("/api/admin/plugins/{id}/config", ctx -> changeConfig(ctx, (saved, body) -> body));
    app.patch("/api/admin/plugins/{id}/config", ctx -> changeConfig(ctx, JsonMergePatch::apply));
  }

  private void installed(Context ctx) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    List<ManagedPlugin> installed =
        registry.all().stream().filter(ManagedPlugin::installed).toList();
    Map<String, JournalLag> lag = lagOf(installed);
    ctx.json(Map.of("plugins", installed.stream().map(p -> installedView(p, lag)).toList()));
  }

  private static InstalledView installedView(ManagedPlugin p, Map<String, JournalLag> lag) {
    return new InstalledView(
        p.id(),
        p.name(),
        p.descriptor().version(),
        p.state().label(),
        p.enabled(),
        lag.get(p.id()));
  }

  private Map<String, JournalLag> lagOf(List<ManagedPlugin> plugins) {
    return journalLag.of(plugins.stream().map(ManagedPlugin::id).toList());
  }

  private interface Change {
    void apply(String pluginId, String actor);
  }

  private void change(Context ctx, Change change) {
    Caller admin = auth.require(ctx, Caller.ROLE_ADMIN);
    ManagedPlugin plugin = plugin(ctx);
    operate(() -> change.apply(plugin.id(), admin.userId()));
    answerWithPlugin(ctx, plugin.id(), HttpStatus.OK);
  }

  /**
   * Installs a plugin. One in the plugins folder and not installed (put there by hand) is marked
   * installed and started: 200; asked for another version than the one there: 409 {@code
   * other_version_present}. Any other is fetched from the plugin repositories ({@code version},
   * else the latest compatible) and installed disabled: 201. An installed one: 409 {@code
   * already_installed}.
   */
  private void install(Context ctx) {
    Caller admin = auth.require(ctx, Caller.ROLE_ADMIN);
    String id = ctx.pathParam("id");
    String version = requestedVersion(ctx);
    Optional<ManagedPlugin> present = registry.find(id);
    if (present.isPresent()) {
      refuseOtherVersion(present.get(), version);
      operate(() -> registry.installPresent(id, admin.userId()));
      answerWithPlugin(ctx, id, HttpStatus.OK);
      return;
    }
    FetchedRelease release = fetch(id, version);
    operate(() -> registry.install(release, admin.userId()));
    answerWithPlugin(ctx, id, HttpStatus.CREATED);
  }

  private static void refuseOtherVersion(ManagedPlugin present, String version) {
    String there = present.descriptor().version();
    if (version != null && !present.installed() && !version.equals(there)) {
      throw new ApiException(
          HttpStatus.CONFLICT,
          "other_version_present",
          "plugin "
              + present.id()
              + " "
              + there
              + " is in the plugins folder, not installed: install it without a version, then"
              + " update it to "
              + version);
    }
  }

  /**
   * Updates an installed plugin. Whether it is installed is the row's word, which the registry
   * reads under the plugin's lock (409 {@code not_installed}), not whether this node runs it yet;
   * an id no one knows: 404. The new version's code failing while it is asked about the saved
   * config: 502 {@code install_failed}.
   */
  private void update(Context ctx) {
    Caller admin = auth.require(ctx, Caller.ROLE_ADMIN);
    String id = knownPlugin(ctx);
    FetchedRelease release = fetch(id, requestedVersion(ctx));
    operate(() -> asInstallFailure(release, () -> registry.update(release, admin.userId())));
    answerWithPlugin(ctx, id, HttpStatus.OK);
  }

  /**
   * Runs an update, answering what the new code throws (not a refusal, nor the database being
   * down) as the broken package it is: 502 {@code install_failed}, not 500.
   */
  private static void asInstallFailure(FetchedRelease release, Runnable update) {
    try {
      update.run();
    } catch (PluginOperationRefused | ApiException e) {
      throw e;
    } catch (RuntimeException e) {
      if (DatabaseOutage.causedBy(e)) {
        throw e;
      }
      log.error("Plugin {} {}: its code failed", release.pluginId(), release.version(), e);
      throw new ApiException(
          BAD_GATEWAY,
          PluginOperationRefused.Reason.INSTALL_FAILED.code(),
          "plugin "
              + release.pluginId()
              + " "
              + release.version()
              + " failed while the host checked it, nothing changed: "
              + e);
    }
  }

  /** Uninstalls a plugin: 409 {@code not_installed} when it is not, 404 for an id no one knows. */
  private void uninstall(Context ctx) {
    Caller admin = auth.require(ctx, Caller.ROLE_ADMIN);
    String id = knownPlugin(ctx);
    JsonNode body = bodies.optionalObject(ctx).orElse(null);
    boolean purge = body != null && body.path("purge").asBoolean(false);
    if (purge && !id.equals(body.path("confirm").asText(null))) {
      throw ApiException.badRequest(
          "confirm_required",
          "a purge deletes the plugin's data: confirm it with \"confirm\": \"" + id + "\"",
          "confirm");
    }
    operate(() -> registry.uninstall(id, admin.userId(), purge));
    ctx.json(Map.of("id", id, "state", ManagedPlugin.State.NOT_INSTALLED.label()));
  }

  /**
   * The id of a plugin this host has heard of: loaded here, operated on before (it has a
   * history), or listed by a plugin repository; else 404.
   */
  private String knownPlugin(Context ctx) {
    String id = ctx.pathParam("id");
    if (registry.find(id).isEmpty() && registry.history(id).isEmpty() && !releases.lists(id)) {
      throw ApiException.notFound("no plugin " + id);
    }
    return id;
  }

  private void history(Context ctx) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    ctx.json(Map.of("operations", registry.history(ctx.pathParam("id"))));
  }

  private String requestedVersion(Context ctx) {
    JsonNode version = bodies.optionalObject(ctx).map(b -> b.get("version")).orElse(null);
    if (version == null || version.isNull()) {
      return null;
    }
    if (!version.isTextual() || version.asText().isBlank()) {
      throw ApiException.badRequest(
          "invalid_version", "version must be a release's version, as text", "version");
    }
    return version.asText();
  }

  /**
   * A release from the repositories. Refused: 400 {@code unknown_plugin} / {@code
   * unknown_version} (nothing of that name: unknown_plugin also when some repositories could not
   * be read but another answered), 400 {@code invalid_plugin_package} (its zip would unpack
   * outside its folder: no retry helps), 409 {@code incompatible_plugin_api} (it needs another
   * host), 502 {@code checksum_mismatch} / {@code repository_unreachable} (the repository is at
   * fault; unreachable: none could be read).
   */
  private FetchedRelease fetch(String pluginId, String version) {
    try {
      return releases.fetch(pluginId, version);
    } catch (ReleaseRefused e) {
      int status =
          switch (e.reason()) {
            case UNKNOWN_PLUGIN, UNKNOWN_VERSION, INVALID_PACKAGE -> HttpStatus.BAD_REQUEST;
            case INCOMPATIBLE -> HttpStatus.CONFLICT;
            case CHECKSUM_MISMATCH, UNREACHABLE -> BAD_GATEWAY;
          };
      throw new ApiException(status, e.code(), e.getMessage());
    }
  }

  /**
   * Runs a lifecycle operation, answering its refusal: 409 for every reason (the plugin's state
   * or the new version's config forbid it; {@code config_refused} lists each key and message in
   * {@code details}; {@code update_failed} means it was rolled back), except {@code
   * install_failed}: 502, the package is broken.
   */
  private static void operate(Runnable operation) {
    try {
      operation.run();
    } catch (PluginOperationRefused e) {
      int status =
          e.reason() == PluginOperationRefused.Reason.INSTALL_FAILED
              ? BAD_GATEWAY
              : HttpStatus.CONFLICT;
      List<ApiException.Detail> details =
          e.problems().stream()
              .map(p -> new ApiException.Detail(null, p.key(), p.message()))
              .toList();
      throw new ApiException(status, e.reason().code(), e.getMessage(), null, details);
    }
  }

  private void answerWithPlugin(Context ctx, String pluginId, int status) {
    ManagedPlugin plugin =
        registry.find(pluginId).orElseThrow(() -> ApiException.notFound("no plugin " + pluginId));
    ctx.status(status).json(installedView(plugin, lagOf(List.of(plugin))));
  }

  private void readConfig(Context ctx) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    ManagedPlugin plugin = plugin(ctx);
    ctx.json(effectiveConfig(plugin));
  }

  /**
   * {@code PUT} replaces the saved config with the body (keys left out go back to their
   * defaults); {@code PATCH} merges the body into it (RFC 7396: null takes a key back to its
   * default). Either way the plugin validates the result: 400 {@code invalid_config} naming the
   * first key at fault, and nothing changes; else 200 with the config now in effect. The
   * admin's reason comes in {@value #REASON_HEADER} (the body is the config), percent-encoded
   * UTF-8 as Discord's audit-log header is, and reaches the plugin with the change, which may
   * require one.
   */
  private void changeConfig(Context ctx, BinaryOperator<ObjectNode> edit) {
    Caller admin = auth.require(ctx, Caller.ROLE_ADMIN);
    ManagedPlugin plugin = plugin(ctx);
    if (registry.configurable(plugin.id()).isEmpty()) {
      throw ApiException.badRequest(
          "not_configurable", "plugin " + plugin.id() + " has no configuration", null);
    }
    ObjectNode body = (ObjectNode) bodies.object(ctx);
    List<ConfigProblem> problems =
        registry.changeConfig(
            plugin.id(),
            new ConfigChangeRequest(
                admin.userId(), reason(ctx), optionalHeader(ctx, REQUEST_ID_HEADER)),
            saved -> edit.apply(saved, body));
    if (!problems.isEmpty()) {
      List<ApiException.Detail> details =
          problems.stream().map(p -> new ApiException.Detail(null, p.key(), p.message())).toList();
      ConfigProblem first = problems.get(0);
      throw ApiException.invalid("invalid_config", first.key() + ": " + first.message(), details);
    }
    ctx.json(effectiveConfig(plugin));
  }

  /** The reason the admin gave for a change, decoded; 400 when it is not percent-encoded. */
  private static Optional<String> reason(Context ctx) {
    Optional<String> encoded = optionalHeader(ctx, REASON_HEADER);
    try {
      return encoded
          .map(text -> URLDecoder.decode(text, StandardCharsets.UTF_8).strip())
          .filter(text -> !text.isEmpty());
    } catch (IllegalArgumentException e) {
      throw ApiException.badParameter(
          REASON_HEADER,
          REASON_HEADER + " must be percent-encoded UTF-8 (as encodeURIComponent writes it)");
    }
  }

  private static Optional<String> optionalHeader(Context ctx, String name) {
    return Optional.ofNullable(ctx.header(name)).filter(value -> !value.isBlank());
  }

  /** What admins are shown: the plugin's effective config (defaults merged, secrets masked). */
  private JsonNode effectiveConfig(ManagedPlugin plugin) {
    return bodies.tree(registry.shownConfig(plugin.id()));
  }

  private ManagedPlugin plugin(Context ctx) {
    String id = ctx.pathParam("id");
    return registry.find(id).orElseThrow(() -> ApiException.notFound("no plugin " + id));
  }
}

package io.streamspace.host.plugins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.streamspace.host.auth.Authenticator;
import io.streamspace.host.http.ApiException;
import io.streamspace.host.http.HttpServer;
import io.streamspace.host.http.JsonBodies;
import io.streamspace.host.http.JsonMergePatch;
import io.streamspace.plugin.api.config.ConfigProblem;
import io.streamspace.plugin.api.http.Caller;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;

/**
 * Plugins for admins (their catalog search is {@code catalog.CatalogRoutes}): list, install,
 * enable, disable, read and change config
 * ({@code PUT} to replace it, {@code PATCH} to merge a change into it). Each plugin shows how far
 * behind the event journal it is, and which node consumes it.
 */
public final class PluginAdminRoutes implements HttpServer.RouteGroup {

  record InstalledView(
      String id, String name, String version, String state, boolean enabled, JournalLag lag) {}

  private final PluginRegistry registry;
  private final Authenticator auth;
  private final JsonBodies bodies;
  private final JournalLag.Lookup journalLag;

  public PluginAdminRoutes(
      PluginRegistry registry,
      Authenticator auth,
      JsonBodies bodies,
      JournalLag.Lookup journalLag) {
    this.registry = registry;
    this.auth = auth;
    this.bodies = bodies;
    this.journalLag = journalLag;
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/admin/plugins", this::installed);
    app.post("/api/admin/plugins/{id}/install", ctx -> change(ctx, registry::install));
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
    void apply(String pluginId);
  }

  private void change(Context ctx, Change change) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    ManagedPlugin plugin = plugin(ctx);
    change.apply(plugin.id());
    ctx.json(installedView(plugin, lagOf(List.of(plugin))));
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
   * first key at fault, and nothing changes; else 200 with the config now in effect.
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
        registry.changeConfig(plugin.id(), admin.userId(), saved -> edit.apply(saved, body));
    if (!problems.isEmpty()) {
      List<ApiException.Detail> details =
          problems.stream().map(p -> new ApiException.Detail(null, p.key(), p.message())).toList();
      ConfigProblem first = problems.get(0);
      throw ApiException.invalid("invalid_config", first.key() + ": " + first.message(), details);
    }
    ctx.json(effectiveConfig(plugin));
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

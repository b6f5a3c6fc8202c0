package io.streamspace.host.plugins;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.streamspace.host.auth.Authenticator;
import io.streamspace.host.catalog.PluginApiVersion;
import io.streamspace.host.catalog.PluginRepository;
import io.streamspace.host.catalog.RepositoryReleases;
import io.streamspace.host.http.HttpServer;
import io.streamspace.host.http.JsonBodies;
import io.streamspace.plugin.api.config.ConfigKey;
import io.streamspace.plugin.api.http.Caller;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.pf4j.update.PluginInfo;

/**
 * {@code GET /api/admin/plugins/catalog?q=}: the plugins an admin can install, update or
 * configure. Every plugin of the repositories (the first repository listing an id wins), then
 * the plugins this host has loaded that no repository lists (dropped into the plugins folder by
 * hand, or handed in-process), each matching {@code q} (case-insensitive) in its id, name,
 * description or tags; without {@code q}, all. A repository that cannot be read is named in
 * {@code unreachable_repositories} and the others are still listed. It sits with the plugins it
 * joins the repositories' listings to; the catalog package below only reads repositories.
 */
public final class CatalogRoutes implements HttpServer.RouteGroup {

  record ConfigKeyView(
      String name,
      String type,
      @JsonProperty("default") JsonNode defaultValue,
      String description,
      boolean secret,
      List<String> values) {}

  /**
   * One plugin. {@code version}, {@code license}, {@code installed}, {@code lag} are those of the
   * package this host has loaded (null or false when none); {@code latest_version} is the newest
   * release in the repository that accepts this host's plugin-api.
   */
  record CatalogView(
      String id,
      String name,
      String description,
      String provider,
      List<String> tags,
      String latestVersion,
      String installedVersion,
      boolean updateAvailable,
      String state,
      String version,
      String license,
      boolean installed,
      JournalLag lag,
      List<ConfigKeyView> configSchema) {}

  private final RepositoryReleases repositories;
  private final PluginRegistry registry;
  private final Authenticator auth;
  private final JsonBodies bodies;
  private final JournalLag.Lookup journalLag;

  public CatalogRoutes(
      RepositoryReleases repositories,
      PluginRegistry registry,
      Authenticator auth,
      JsonBodies bodies,
      JournalLag.Lookup journalLag) {
    this.repositories = repositories;
    this.registry = registry;
    this.auth = auth;
    this.bodies = bodies;
    this.journalLag = journalLag;
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/admin/plugins/catalog", this::search);
  }

  private void search(Context ctx) {
    auth.require(ctx, Caller.ROLE_ADMIN);
    String query = Optional.ofNullable(ctx.queryParam("q")).orElse("").strip();
    RepositoryReleases.Listing listing = repositories.plugins();
    Map<String, ManagedPlugin> loaded = new LinkedHashMap<>();
    registry.all().forEach(p -> loaded.put(p.id(), p));
    Map<String, JournalLag> lag = journalLag.of(List.copyOf(loaded.keySet()));

    List<CatalogView> views = new ArrayList<>();
    for (PluginRepository.Listed listed : listing.plugins()) {
      views.add(fromRepository(listed, loaded.remove(listed.info().id), lag));
    }
    for (ManagedPlugin plugin : loaded.values()) {
      views.add(local(plugin, lag));
    }
    ctx.json(
        Map.of(
            "plugins", views.stream().filter(v -> matches(v, query)).toList(),
            "unreachable_repositories", listing.unreachable()));
  }

  private CatalogView fromRepository(
      PluginRepository.Listed listed, ManagedPlugin plugin, Map<String, JournalLag> lag) {
    PluginInfo info = listed.info();
    String latest = repositories.latestCompatible(info).map(r -> r.version).orElse(null);
    String installedVersion =
        plugin != null && plugin.installed() ? plugin.descriptor().version() : null;
    boolean update =
        latest != null
            && installedVersion != null
            && PluginApiVersion.compare(latest, installedVersion) > 0;
    return new CatalogView(
        info.id,
        info.name,
        info.description,
        info.provider,
        listed.tags(),
        latest,
        installedVersion,
        update,
        plugin == null ? ManagedPlugin.State.NOT_INSTALLED.label() : plugin.state().label(),
        plugin == null ? null : plugin.descriptor().version(),
        plugin == null ? null : plugin.descriptor().license(),
        plugin != null && plugin.installed(),
        plugin == null ? null : lag.get(plugin.id()),
        plugin == null ? List.of() : schema(plugin));
  }

  private CatalogView local(ManagedPlugin plugin, Map<String, JournalLag> lag) {
    String version = plugin.descriptor().version();
    return new CatalogView(
        plugin.id(),
        plugin.name(),
        plugin.descriptor().description(),
        plugin.descriptor().provider(),
        List.of(),
        null,
        plugin.installed() ? version : null,
        false,
        plugin.state().label(),
        version,
        plugin.descriptor().license(),
        plugin.installed(),
        lag.get(plugin.id()),
        schema(plugin));
  }

  private static boolean matches(CatalogView view, String query) {
    if (query.isEmpty()) {
      return true;
    }
    String q = query.toLowerCase(Locale.ROOT);
    return Stream.concat(
            Stream.of(view.id(), view.name(), view.description()), view.tags().stream())
        .anyMatch(text -> text != null && text.toLowerCase(Locale.ROOT).contains(q));
  }

  /** The plugin's config keys with their defaults, for a plugin whose code this host has. */
  private List<ConfigKeyView> schema(ManagedPlugin plugin) {
    return registry
        .configurable(plugin.id())
        .map(c -> c.configSchema().keys().stream().map(this::keyView).toList())
        .orElse(List.of());
  }

  private ConfigKeyView keyView(ConfigKey key) {
    JsonNode defaultValue = key.defaultJson() == null ? null : bodies.tree(key.defaultJson());
    return new ConfigKeyView(
        key.name(), key.type(), defaultValue, key.description(), key.secret(), key.values());
  }
}

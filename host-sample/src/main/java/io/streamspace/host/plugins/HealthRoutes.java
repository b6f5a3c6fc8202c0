package io.streamspace.host.plugins;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.streamspace.host.http.HttpServer;
import io.streamspace.plugin.api.http.HttpStatus;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /api/health}, no token needed: 200 once plugins are started and the database
 * answers; 503 while plugins start or while the database is unavailable.
 */
public final class HealthRoutes implements HttpServer.RouteGroup {

  record PluginHealth(String id, String version, String state) {}

  record Health(String status, String database, List<PluginHealth> plugins) {}

  private final PluginRegistry registry;
  private final BooleanSupplier databaseAvailable;

  public HealthRoutes(PluginRegistry registry, BooleanSupplier databaseAvailable) {
    this.registry = registry;
    this.databaseAvailable = databaseAvailable;
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/health", this::health);
  }

  private void health(Context ctx) {
    String database = databaseAvailable.getAsBoolean() ? "ok" : "unavailable";
    if (!registry.ready()) {
      HttpServer.retryAfter(ctx);
      ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(new Health("starting", database, List.of()));
      return;
    }
    List<PluginHealth> plugins =
        registry.all().stream()
            .filter(ManagedPlugin::installed)
            .map(p -> new PluginHealth(p.id(), p.descriptor().version(), p.state().label()))
            .toList();
    if (database.equals("ok")) {
      ctx.json(new Health("ok", database, plugins));
    } else {
      HttpServer.retryAfter(ctx);
      ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(new Health("unavailable", database, plugins));
    }
  }
}

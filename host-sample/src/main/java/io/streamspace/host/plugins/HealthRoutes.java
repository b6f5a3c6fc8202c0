package io.streamspace.host.plugins;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.streamspace.host.http.HttpServer;
import java.util.List;

/** {@code GET /api/health}: 200 once plugins are started, 503 before; no token needed. */
public final class HealthRoutes implements HttpServer.RouteGroup {

  record PluginHealth(String id, String version, String state) {}

  record Health(String status, List<PluginHealth> plugins) {}

  private final PluginRegistry registry;

  public HealthRoutes(PluginRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/health", this::health);
  }

  private void health(Context ctx) {
    if (!registry.ready()) {
      ctx.status(503).json(new Health("starting", List.of()));
      return;
    }
    List<PluginHealth> plugins =
        registry.all().stream()
            .filter(ManagedPlugin::installed)
            .map(p -> new PluginHealth(p.id(), p.descriptor().version(), p.state().label()))
            .toList();
    ctx.json(new Health("ok", plugins));
  }
}

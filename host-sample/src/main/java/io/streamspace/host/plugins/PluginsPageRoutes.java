package io.streamspace.host.plugins;

import io.javalin.Javalin;
import io.streamspace.common.ui.PageScripts;
import io.streamspace.host.http.HttpServer;
import io.streamspace.host.http.StaticAssets;
import io.streamspace.host.http.StaticAssets.Asset;
import java.util.Map;

/**
 * {@code GET /admin/plugins}: the platform admin's page for the plugin catalog (search, install,
 * configure, enable, disable, update, uninstall, history), and {@code GET
 * /admin/plugins/{asset}}, its scripts (with the DOM builder the billing pages share, {@link
 * PageScripts#DOM}) and style sheet. Static text, no data, no token needed to
 * load it: the page signs in with the admin token and calls only the admin API of {@link
 * CatalogRoutes} and {@link PluginAdminRoutes}, which authorize every call. Served by the host,
 * so it is there before any plugin is installed. docs/installing-plugins.md describes it.
 */
public final class PluginsPageRoutes implements HttpServer.RouteGroup {

  /** Where the page is served. */
  public static final String PATH = "/admin/plugins";

  private final Asset page = StaticAssets.read("admin/plugins.html", StaticAssets.HTML);
  private final Map<String, Asset> assets =
      Map.of(
          "plugins.js",
          StaticAssets.read("admin/plugins.js", StaticAssets.JS),
          PageScripts.DOM,
          StaticAssets.read(PageScripts.DOM_RESOURCE, StaticAssets.JS),
          "plugins.css",
          StaticAssets.read("admin/plugins.css", StaticAssets.CSS));

  @Override
  public void register(Javalin app) {
    app.get(PATH, ctx -> StaticAssets.serve(ctx, page));
    app.get(PATH + "/{asset}", ctx -> StaticAssets.serve(ctx, assets, ctx.pathParam("asset")));
  }
}

package io.streamspace.host.plugins;

import static io.streamspace.plugin.api.http.Caller.ROLE_ADMIN;
import static io.streamspace.plugin.api.http.Caller.ROLE_USER;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.streamspace.common.http.ApiException;
import io.streamspace.host.auth.Authenticator;
import io.streamspace.host.http.HttpServer;
import io.streamspace.host.http.PluginRouteTable;
import io.streamspace.host.idempotency.IdempotentPosts;
import io.streamspace.host.logging.AccessLog;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.DatabaseOutage;
import io.streamspace.plugin.api.http.HttpError;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code /api/plugins/{pluginId}/...} from the routes started plugins registered. The
 * host authenticates (an unknown token is refused before the plugin sees the request); the
 * plugin authorizes. Every {@code POST} honours an {@code Idempotency-Key} ({@link
 * IdempotentPosts}).
 *
 * <p>It also serves the {@link #ALIASES}: the routes of the Billing &amp; Quotas specification
 * (its API section), each handed to the billing plugin route it names as if called there.
 */
public final class PluginRequestRoutes implements HttpServer.RouteGroup {

  private static final Logger log = LoggerFactory.getLogger(PluginRequestRoutes.class);

  /**
   * A route served by a plugin's route under another path: the same method, query, headers,
   * body and caller, and the same answer. {@code roles}: those the target's description names
   * (any of them; none for an open route), asked for before the plugin is looked up, so that a
   * request without a token is 401 whether the plugin is started or not, as on the target.
   */
  record Alias(HttpMethod method, String path, String pluginId, String target, String... roles) {}

  /** The specification's routes: usage, upgrade (a plan through Checkout), Stripe's webhook. */
  static final List<Alias> ALIASES =
      List.of(
          new Alias(
              HttpMethod.GET,
              "/api/subscriptions/usage",
              "billing",
              "/usage",
              ROLE_USER,
              ROLE_ADMIN),
          new Alias(
              HttpMethod.POST,
              "/api/subscriptions/upgrade",
              "billing",
              "/create-checkout",
              ROLE_USER,
              ROLE_ADMIN),
          new Alias(HttpMethod.POST, "/api/subscriptions/webhook", "billing", "/webhook"));

  private final PluginRegistry registry;
  private final PluginRouteTable routes;
  private final Authenticator auth;
  private final IdempotentPosts idempotentPosts;

  public PluginRequestRoutes(
      PluginRegistry registry,
      PluginRouteTable routes,
      Authenticator auth,
      IdempotentPosts idempotentPosts) {
    this.registry = registry;
    this.routes = routes;
    this.auth = auth;
    this.idempotentPosts = idempotentPosts;
  }

  @Override
  public void register(Javalin app) {
    for (HttpMethod method : HttpMethod.values()) {
      HandlerType type = HandlerType.valueOf(method.name());
      app.addHttpHandler(
          type,
          "/api/plugins/{pluginId}",
          ctx -> serve(ctx, ctx.pathParam("pluginId"), method, "/"));
      app.addHttpHandler(
          type,
          "/api/plugins/{pluginId}/<path>",
          ctx -> serve(ctx, ctx.pathParam("pluginId"), method, "/" + ctx.pathParam("path")));
    }
    for (Alias alias : ALIASES) {
      app.addHttpHandler(
          HandlerType.valueOf(alias.method().name()),
          alias.path(),
          ctx -> {
            if (alias.roles().length > 0) {
              auth.require(ctx, alias.roles());
            }
            serve(ctx, alias.pluginId(), alias.method(), alias.target());
          });
    }
  }

  private void serve(Context ctx, String pluginId, HttpMethod method, String path) {
    if (!registry.isStarted(pluginId)) {
      throw ApiException.notFound("no plugin " + pluginId);
    }
    PluginRouteTable.Match match = routes.match(pluginId, method, path);
    if (match instanceof PluginRouteTable.WrongMethod) {
      throw new ApiException(
          HttpStatus.METHOD_NOT_ALLOWED,
          "method_not_allowed",
          method + " is not allowed on " + path);
    }
    if (!(match instanceof PluginRouteTable.Found found)) {
      throw ApiException.notFound("no route " + path + " in plugin " + pluginId);
    }
    AccessLog.route(ctx, "/api/plugins/" + pluginId + found.pattern());
    Caller caller = auth.optional(ctx).orElse(Caller.ANONYMOUS);
    HttpRequest request =
        new HttpRequest(
            method,
            path,
            found.pathParams(),
            ctx.queryParamMap(),
            headers(ctx),
            ctx.bodyAsBytes(),
            caller);
    HttpResponse response;
    try {
      response = idempotentPosts.serve(pluginId, request, found.handler());
    } catch (ApiException e) {
      throw e;
    } catch (Exception e) {
      if (DatabaseOutage.causedBy(e)) {
        log.warn(
            "Plugin {} failed on {} {}: the database is unavailable ({})",
            pluginId,
            method,
            path,
            e.toString());
        throw new ApiException(HttpError.databaseUnavailable());
      }
      log.error("Plugin {} failed on {} {}", pluginId, method, path, e);
      throw new ApiException(
          HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", "the plugin failed to answer");
    }
    HttpServer.answer(ctx, response);
  }

  private static Map<String, String> headers(Context ctx) {
    Map<String, String> headers = new HashMap<>();
    ctx.headerMap().forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
    return headers;
  }
}

package io.streamspace.plugin.api.http;

/**
 * Registers a plugin's HTTP routes. Paths are relative to {@code /api/plugins/{pluginId}} and
 * may hold path parameters in braces: {@code /invoices/{id}}. A route registered twice for the
 * same method and path replaces the first.
 *
 * <p>The host mounts the routes only while the plugin is enabled; otherwise they answer 404. The
 * host refuses a request with a bearer token it does not know (401) before calling the handler;
 * a request without a token reaches the handler with {@link Caller#ANONYMOUS}.
 *
 * <p>Stable since 0.1; {@link #describe} since 0.2.
 */
public interface HttpRoutes {

  void add(HttpMethod method, String path, RouteHandler handler);

  /**
   * Describes the plugin's routes: an OpenAPI 3.1 document, as JSON text, whose paths are
   * relative to {@code /api/plugins/{pluginId}} as those of {@link #add} are. The host merges it
   * into the description it serves of its whole API, and may check it against the routes added:
   * a route without a description, or a description without a route, is a fault of the plugin.
   * A default method, so plugins written before it keep compiling; a host that serves no
   * description ignores it. Stable since 0.2.
   */
  default void describe(String openApiJson) {}
}

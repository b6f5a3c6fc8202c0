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
 * <p>Stable since 0.1.
 */
public interface HttpRoutes {

  void add(HttpMethod method, String path, RouteHandler handler);
}

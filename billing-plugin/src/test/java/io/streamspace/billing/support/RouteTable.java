package io.streamspace.billing.support;

import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpRoutes;
import io.streamspace.plugin.api.http.RouteHandler;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The routes a plugin registered, invoked the way the host would (path params, query, caller). */
public final class RouteTable implements HttpRoutes {

  private final Map<String, RouteHandler> routes = new LinkedHashMap<>();
  private String description;

  @Override
  public synchronized void add(HttpMethod method, String path, RouteHandler handler) {
    routes.put(method + " " + path, handler);
  }

  @Override
  public synchronized void describe(String openApiJson) {
    description = openApiJson;
  }

  /** Each registered route as {@code "METHOD /path"}, in registration order. */
  public synchronized List<String> registered() {
    return List.copyOf(routes.keySet());
  }

  /** The OpenAPI document the plugin handed over through {@link #describe}, if any. */
  public synchronized Optional<String> description() {
    return Optional.ofNullable(description);
  }

  /** Calls the route matching {@code method path?query}; 404 when none matches. */
  public HttpResponse call(HttpMethod method, String pathAndQuery, Caller caller) {
    return call(method, pathAndQuery, caller, null);
  }

  /** As {@link #call(HttpMethod, String, Caller)}, with a request body (UTF-8). */
  public HttpResponse call(HttpMethod method, String pathAndQuery, Caller caller, String body) {
    return call(method, pathAndQuery, caller, body, Map.of());
  }

  /** As {@link #call(HttpMethod, String, Caller, String)}, with request headers. */
  public HttpResponse call(
      HttpMethod method,
      String pathAndQuery,
      Caller caller,
      String body,
      Map<String, String> headers) {
    return call(
        method,
        pathAndQuery,
        caller,
        body == null ? null : body.getBytes(StandardCharsets.UTF_8),
        headers);
  }

  /** As {@link #call(HttpMethod, String, Caller, String, Map)}, with a body of bytes (a zip). */
  public HttpResponse call(
      HttpMethod method,
      String pathAndQuery,
      Caller caller,
      byte[] body,
      Map<String, String> headers) {
    String[] parts = pathAndQuery.split("\\?", 2);
    Map<String, List<String>> query = new HashMap<>();
    if (parts.length > 1) {
      for (String pair : parts[1].split("&")) {
        String[] kv = pair.split("=", 2);
        query.put(kv[0], List.of(kv.length > 1 ? kv[1] : ""));
      }
    }
    for (Map.Entry<String, RouteHandler> route : routes.entrySet()) {
      Map<String, String> params = match(route.getKey(), method + " " + parts[0]);
      if (params != null) {
        try {
          return route
              .getValue()
              .handle(new HttpRequest(method, parts[0], params, query, headers, body, caller));
        } catch (Exception e) {
          throw new AssertionError("route threw (the host would answer 500)", e);
        }
      }
    }
    return HttpResponse.json(404, "{}");
  }

  private static Map<String, String> match(String pattern, String actual) {
    String[] p = pattern.split("/");
    String[] a = actual.split("/");
    if (p.length != a.length) {
      return null;
    }
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < p.length; i++) {
      if (p[i].startsWith("{") && p[i].endsWith("}")) {
        params.put(p[i].substring(1, p[i].length() - 1), a[i]);
      } else if (!p[i].equals(a[i])) {
        return null;
      }
    }
    return params;
  }
}

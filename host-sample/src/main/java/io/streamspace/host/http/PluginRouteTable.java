package io.streamspace.host.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRoutes;
import io.streamspace.plugin.api.http.RouteHandler;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The HTTP routes plugins registered, per plugin. Paths are split into segments; a segment
 * {@code {name}} matches any one non-empty segment and binds it as a path parameter. Each plugin's
 * description of its routes ({@link HttpRoutes#describe}) is kept with them, and goes with them.
 */
public final class PluginRouteTable {

  /** What a request path found: a handler, a path that exists for other methods, or nothing. */
  public sealed interface Match {}

  /**
   * A route answers this method and path.
   *
   * @param pattern the route's path as registered, e.g. {@code /invoices/{id}}
   */
  public record Found(RouteHandler handler, Map<String, String> pathParams, String pattern)
      implements Match {}

  /** The path exists, but not for this method (405). */
  public record WrongMethod() implements Match {}

  /** No route has this path (404). */
  public record NotFound() implements Match {}

  private record Route(HttpMethod method, String[] segments, RouteHandler handler) {
    boolean sameAs(HttpMethod otherMethod, String[] otherSegments) {
      return method == otherMethod && Arrays.equals(segments, otherSegments);
    }
  }

  private static final ObjectMapper JSON = Json.newMapper();

  private final Map<String, List<Route>> routesByPlugin = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> descriptionsByPlugin = new ConcurrentHashMap<>();

  /** The registration API handed to one plugin. */
  public HttpRoutes forPlugin(String pluginId) {
    return new HttpRoutes() {
      @Override
      public void add(HttpMethod method, String path, RouteHandler handler) {
        PluginRouteTable.this.add(pluginId, method, path, handler);
      }

      @Override
      public void describe(String openApiJson) {
        descriptionsByPlugin.put(pluginId, parseDescription(pluginId, openApiJson));
      }
    };
  }

  /** A description that is no JSON object is refused at once: the plugin's own fault. */
  private static ObjectNode parseDescription(String pluginId, String openApiJson) {
    JsonNode description = openApiJson == null ? null : Json.parseOrNull(JSON, openApiJson);
    if (description instanceof ObjectNode object) {
      return object;
    }
    throw new IllegalArgumentException(
        "plugin " + pluginId + " described its routes with text that is no JSON object");
  }

  private void add(String pluginId, HttpMethod method, String path, RouteHandler handler) {
    if (method == null || path == null || handler == null) {
      throw new IllegalArgumentException("method, path and handler are required");
    }
    String[] segments = segments(path);
    List<Route> routes =
        routesByPlugin.computeIfAbsent(pluginId, id -> new CopyOnWriteArrayList<>());
    synchronized (routes) {
      routes.removeIf(route -> route.sameAs(method, segments));
      routes.add(new Route(method, segments, handler));
    }
  }

  /** Drops every route of a plugin, and its description (it was disabled). */
  public void removePlugin(String pluginId) {
    routesByPlugin.remove(pluginId);
    descriptionsByPlugin.remove(pluginId);
  }

  /** The routes a plugin added, paths relative to its mount point. */
  public List<ApiRoute> routesOf(String pluginId) {
    return routesByPlugin.getOrDefault(pluginId, List.of()).stream()
        .map(route -> new ApiRoute(route.method().name(), "/" + String.join("/", route.segments())))
        .sorted()
        .toList();
  }

  /** The OpenAPI document a plugin described its routes with, if it did (a copy). */
  public Optional<ObjectNode> descriptionOf(String pluginId) {
    return Optional.ofNullable(descriptionsByPlugin.get(pluginId)).map(ObjectNode::deepCopy);
  }

  /** Every plugin's description, by plugin id (copies). */
  public Map<String, ObjectNode> descriptions() {
    Map<String, ObjectNode> copies = new TreeMap<>();
    descriptionsByPlugin.forEach((id, description) -> copies.put(id, description.deepCopy()));
    return copies;
  }

  /** Finds the route for a request path relative to the plugin's mount point. */
  public Match match(String pluginId, HttpMethod method, String path) {
    List<Route> routes = routesByPlugin.getOrDefault(pluginId, List.of());
    String[] requested = requestSegments(path);
    boolean pathExists = false;
    for (Route route : routes) {
      Map<String, String> params = bind(route.segments(), requested);
      if (params == null) {
        continue;
      }
      if (route.method() == method) {
        return new Found(route.handler(), params, "/" + String.join("/", route.segments()));
      }
      pathExists = true;
    }
    return pathExists ? new WrongMethod() : new NotFound();
  }

  /** Path parameters if the route's segments match, else null. */
  private static Map<String, String> bind(String[] pattern, String[] requested) {
    if (pattern.length != requested.length) {
      return null;
    }
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < pattern.length; i++) {
      String segment = pattern[i];
      if (segment.startsWith("{") && segment.endsWith("}") && !requested[i].isEmpty()) {
        params.put(segment.substring(1, segment.length() - 1), requested[i]);
      } else if (!segment.equals(requested[i])) {
        return null;
      }
    }
    return params;
  }

  /**
   * A request's path in segments. An empty segment ({@code /invoices//1}) is kept, so it matches
   * no route (404) rather than being read as {@code /invoices/1}; a trailing slash is not one.
   */
  private static String[] requestSegments(String path) {
    String trimmed = path.replaceFirst("^/", "").replaceAll("/+$", "");
    return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
  }

  /** A registered route's path in segments: the plugin's slashes, doubled or not, as it meant. */
  private static String[] segments(String path) {
    String trimmed = path.replaceAll("^/+|/+$", "");
    return trimmed.isEmpty() ? new String[0] : trimmed.split("/+");
  }
}

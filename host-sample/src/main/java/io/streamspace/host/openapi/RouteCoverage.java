package io.streamspace.host.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.streamspace.host.http.ApiRoute;
import io.streamspace.host.http.PluginRouteTable;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Compares routes with the operations of an OpenAPI document, both ways: a route the document
 * lacks, and an operation no route serves. Paths compare as written, parameter names included.
 * For the host's routes against its document, and for a plugin's against its description.
 */
public final class RouteCoverage {

  /** The methods an OpenAPI path item may hold an operation for. */
  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  /** What differs: both empty when routes and document agree. */
  public record Report(SortedSet<ApiRoute> undescribed, SortedSet<ApiRoute> unrouted) {

    public boolean agrees() {
      return undescribed.isEmpty() && unrouted.isEmpty();
    }

    @Override
    public String toString() {
      return "routes without a description: "
          + undescribed
          + "; descriptions without a route: "
          + unrouted;
    }
  }

  private RouteCoverage() {}

  /** Compares the routes with the document's operations. */
  public static Report compare(Collection<ApiRoute> routes, JsonNode document) {
    return compare(routes, operations(document));
  }

  /** Compares the routes with the operations described. */
  public static Report compare(Collection<ApiRoute> routes, Collection<ApiRoute> described) {
    SortedSet<ApiRoute> undescribed = new TreeSet<>(routes);
    undescribed.removeAll(described);
    SortedSet<ApiRoute> unrouted = new TreeSet<>(described);
    unrouted.removeAll(routes);
    return new Report(undescribed, unrouted);
  }

  /**
   * A plugin's routes against its description, paths relative to its mount point. A plugin that
   * described nothing has every route undescribed.
   */
  public static Report ofPlugin(PluginRouteTable routes, String pluginId) {
    return compare(
        routes.routesOf(pluginId),
        routes.descriptionOf(pluginId).orElseGet(JsonNodeFactory.instance::objectNode));
  }

  /** Every operation of an OpenAPI document, as method and path. */
  public static SortedSet<ApiRoute> operations(JsonNode document) {
    SortedSet<ApiRoute> operations = new TreeSet<>();
    document
        .path("paths")
        .fields()
        .forEachRemaining(
            path ->
                path.getValue()
                    .fieldNames()
                    .forEachRemaining(
                        method -> {
                          if (METHODS.contains(method)) {
                            operations.add(
                                new ApiRoute(method.toUpperCase(Locale.ROOT), path.getKey()));
                          }
                        }));
    return operations;
  }

  static boolean isOperation(String fieldName) {
    return METHODS.contains(fieldName);
  }
}

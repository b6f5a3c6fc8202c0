package io.streamspace.billing.http;

import io.streamspace.plugin.api.http.HttpRoutes;
import io.streamspace.plugin.api.http.RouteHandler;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The plugin's routes, each added with its description: {@link #add} takes the {@link Operation}
 * and its handler together, so no route is served undescribed and no description names a route
 * that is not served; it freezes the operation, so what the document says of it cannot change
 * after. {@link #describe} then hands the host the document built from them.
 */
public final class DescribedRoutes {

  private final HttpRoutes routes;
  private final List<Operation> operations = new ArrayList<>();
  private final Set<String> added = new HashSet<>();

  public DescribedRoutes(HttpRoutes routes) {
    this.routes = routes;
  }

  /** Serves {@code handler} at the operation's method and path, described by it. */
  public void add(Operation operation, RouteHandler handler) {
    if (!added.add(operation.toString())) {
      throw new IllegalStateException(operation + " is added twice");
    }
    operation.freeze();
    routes.add(operation.method(), operation.path(), handler);
    operations.add(operation);
  }

  /** The operations added so far, in the order they were. */
  public List<Operation> operations() {
    return List.copyOf(operations);
  }

  /** Hands the host the OpenAPI document of every route added ({@code HttpRoutes.describe}). */
  public void describe() {
    routes.describe(ApiDescription.json(operations));
  }
}

package io.streamspace.billing.http;

import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.common.http.StorableText;
import io.streamspace.plugin.api.http.DatabaseOutage;
import io.streamspace.plugin.api.http.HttpError;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.RouteHandler;
import java.util.function.Function;

/**
 * A route that answers a value as JSON (200), or a ready {@link HttpResponse} as it is (a 201, a
 * PDF), or the error of an {@link ApiException}, or 503 {@code database_unavailable} with
 * {@code Retry-After} when the database cannot be reached. Anything else escapes to the host,
 * which logs it and answers a generic 500. Before the route runs, path and query values the
 * database could not store are refused ({@link StorableText}).
 */
@FunctionalInterface
public interface JsonRoute {

  Object handle(HttpRequest request) throws Exception;

  /** Adapts a JSON route to the plugin API's handler: 200 with its value. */
  static RouteHandler of(JsonRoute route) {
    return answering(route, Json::ok);
  }

  /** Adapts a route that creates something: 201 with its value. */
  static RouteHandler creating(JsonRoute route) {
    return answering(route, Json::created);
  }

  private static RouteHandler answering(JsonRoute route, Function<Object, HttpResponse> answer) {
    return request -> {
      try {
        StorableText.checkParameters(request);
        Object value = route.handle(request);
        return value instanceof HttpResponse response ? response : answer.apply(value);
      } catch (ApiException e) {
        return e.error().response();
      } catch (Exception e) {
        if (DatabaseOutage.causedBy(e)) {
          return HttpError.databaseUnavailable().response();
        }
        throw e;
      }
    };
  }
}

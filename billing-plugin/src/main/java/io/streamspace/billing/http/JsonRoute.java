package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
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
 * which logs it and answers a generic 500. Before the route runs, a request without a caller
 * is refused 401 (unless the route is {@link #open}: anyone may call it), before anything of it
 * is read, so that a bad body or parameter tells an anonymous caller nothing; then path and query
 * values the database could not store are refused ({@link StorableText}).
 */
@FunctionalInterface
public interface JsonRoute {

  Object handle(HttpRequest request) throws Exception;

  /** Adapts a JSON route to the plugin API's handler: 200 with its value; 401 without a caller. */
  static RouteHandler of(JsonRoute route) {
    return answering(route, Json::ok, true);
  }

  /** Adapts a route that creates something: 201 with its value; 401 without a caller. */
  static RouteHandler creating(JsonRoute route) {
    return answering(route, Json::created, true);
  }

  /** Adapts a route anyone may call (the Stripe webhook: its signature is its proof): 200. */
  static RouteHandler open(JsonRoute route) {
    return answering(route, Json::ok, false);
  }

  /**
   * The body of a route that may take none: an empty object when there is none; 400 {@code
   * invalid_json} for anything but one JSON object.
   */
  static JsonNode objectOrNone(HttpRequest request) throws ApiException {
    boolean none = request.body() == null || request.body().length == 0;
    return none ? Json.MAPPER.createObjectNode() : Json.readObject(request);
  }

  private static RouteHandler answering(
      JsonRoute route, Function<Object, HttpResponse> answer, boolean authenticated) {
    return request -> {
      try {
        if (authenticated) {
          Access.authenticated(request);
        }
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

package io.streamspace.billing.http;

import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.RouteHandler;

/**
 * A route that answers a value as JSON (200), or a ready {@link HttpResponse} as it is (a 201, a
 * PDF), or the error of an {@link ApiException}. Anything else escapes to the host, which logs it
 * and answers a generic 500.
 */
@FunctionalInterface
public interface JsonRoute {

  Object handle(HttpRequest request) throws Exception;

  /** Adapts a JSON route to the plugin API's handler. */
  static RouteHandler of(JsonRoute route) {
    return request -> {
      try {
        Object answer = route.handle(request);
        return answer instanceof HttpResponse response ? response : Json.ok(answer);
      } catch (ApiException e) {
        return Json.error(e);
      }
    };
  }
}

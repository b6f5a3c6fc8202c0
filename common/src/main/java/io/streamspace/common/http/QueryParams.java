package io.streamspace.common.http;

import io.streamspace.plugin.api.http.HttpRequest;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A query parameter that takes a value, as the API reads it: left out, it is absent (the route's
 * default applies); given, it is its value; given empty or blank ({@code limit=}, {@code
 * member_id=}), it is 400 {@code invalid_parameter} naming it, never read as absent: a client
 * that meant a value and sent none is told so rather than answered about something else (the
 * whole organization's usage for an empty {@code member_id}, the first page for an empty {@code
 * offset}). {@link HttpRequest#queryParam} reads an empty value as absent, as plugin-api 0.1
 * promised; the host's and the billing plugin's routes read their parameters here instead.
 */
public final class QueryParams {

  private QueryParams() {}

  /** The first value of {@code name} in the request's query; see the class. */
  public static Optional<String> of(HttpRequest request, String name) {
    List<String> values = request.query().get(name);
    return Optional.ofNullable(
        given(name, values == null || values.isEmpty() ? null : values.get(0)));
  }

  /**
   * The value of {@code name} from {@code queryParam}, which gives a query parameter's value or
   * null (as Javalin's {@code ctx::queryParam}); see the class.
   */
  public static Optional<String> of(Function<String, String> queryParam, String name) {
    return Optional.ofNullable(given(name, queryParam.apply(name)));
  }

  private static String given(String name, String value) {
    if (value != null && value.isBlank()) {
      throw ApiException.badParameter(
          name, name + " is given without a value: leave it out, or give it one");
    }
    return value;
  }
}

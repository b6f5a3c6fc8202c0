package io.streamspace.common.http;

import io.streamspace.plugin.api.http.HttpRequest;
import java.util.List;
import java.util.function.Function;

/**
 * A page of a list from the {@code limit} (default 20, 1 to 100) and {@code offset} (default 0)
 * query parameters (given empty, 400 as any other bad value: {@link QueryParams}), the host's
 * lists and the billing plugin's alike: {@code next_offset} is null on the last. Offsets rather
 * than cursors: lists are ordered by stable keys and short-lived pages shifting by a row when a
 * row is added is acceptable for these reads.
 */
public record Page(int limit, int offset) {

  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;

  /** @throws ApiException 400 naming {@code limit} or {@code offset} when it is not allowed */
  public static Page of(HttpRequest request) {
    return of(queryParams(request));
  }

  /**
   * The page of {@code queryParam}, which gives a query parameter's value or null (as Javalin's
   * {@code ctx::queryParam}).
   *
   * @throws ApiException 400 naming {@code limit} or {@code offset} when it is not allowed
   */
  public static Page of(Function<String, String> queryParam) {
    return new Page(
        intParam(queryParam, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        intParam(queryParam, "offset", 0, 0, Integer.MAX_VALUE));
  }

  /** How many rows to fetch: one more than the page, to know whether another follows. */
  public int fetch() {
    return limit + 1;
  }

  /** The offset of the next page out of the {@link #fetch()} rows fetched, or null. */
  public Integer nextOffset(List<?> fetched) {
    return fetched.size() > limit ? offset + limit : null;
  }

  /** The rows of this page out of those fetched. */
  public <T> List<T> rows(List<T> fetched) {
    return fetched.subList(0, Math.min(fetched.size(), limit));
  }

  /**
   * The whole-number query parameter {@code name}, {@code fallback} when absent; 400 naming it
   * unless ASCII digits from {@code min} to {@code max}.
   */
  public static int intParam(HttpRequest request, String name, int fallback, int min, int max) {
    return intParam(queryParams(request), name, fallback, min, max);
  }

  private static int intParam(
      Function<String, String> queryParam, String name, int fallback, int min, int max) {
    String value = QueryParams.of(queryParam, name).orElse(null);
    if (value == null) {
      return fallback;
    }
    // ASCII digits only: Integer.parseInt also reads other scripts' digits ("１０")
    if (value.matches("[0-9]{1,10}")) {
      long parsed = Long.parseLong(value);
      if (parsed >= min && parsed <= max) {
        return (int) parsed;
      }
    }
    throw ApiException.badParameter(
        name, name + " must be a whole number from " + min + " to " + max);
  }

  private static Function<String, String> queryParams(HttpRequest request) {
    return name -> QueryParams.of(request, name).orElse(null);
  }
}

package io.streamspace.host.http;

import io.javalin.http.Context;
import java.util.List;

/**
 * A page of a list from the {@code limit} (default 20, 1 to 100) and {@code offset} (default 0)
 * query parameters, as the billing plugin's lists page: {@code next_offset} is null on the last.
 */
public record Page(int limit, int offset) {

  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;

  /** @throws ApiException 400 naming {@code limit} or {@code offset} when it is not allowed */
  public static Page of(Context ctx) {
    return new Page(
        intParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE));
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

  private static int intParam(Context ctx, String name, int fallback, int min, int max) {
    String value = ctx.queryParam(name);
    if (value == null) {
      return fallback;
    }
    if (value.matches("[0-9]{1,10}")) {
      long parsed = Long.parseLong(value);
      if (parsed >= min && parsed <= max) {
        return (int) parsed;
      }
    }
    throw ApiException.badRequest(
        "invalid_parameter", name + " must be a whole number from " + min + " to " + max, name);
  }
}

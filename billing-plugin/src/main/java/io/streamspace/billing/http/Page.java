package io.streamspace.billing.http;

import io.streamspace.plugin.api.http.HttpRequest;
import java.util.List;

/**
 * A page of a list from the {@code limit} (default 20, 1 to 100) and {@code offset} (default 0)
 * parameters. Offsets rather than cursors: lists are ordered by stable keys and short-lived
 * pages shifting by a row when a row is added is acceptable for these reads.
 */
record Page(int limit, int offset) {

  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;

  static Page of(HttpRequest request) throws ApiException {
    int limit = intParam(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    int offset = intParam(request, "offset", 0, 0, Integer.MAX_VALUE);
    return new Page(limit, offset);
  }

  /**
   * The offset of the next page, or null when this one is the last. Callers fetch
   * {@link #limit} + 1 rows so they know without counting.
   */
  Integer nextOffset(int rowsFetched) {
    return rowsFetched > limit ? offset + limit : null;
  }

  /** The rows of this page out of the {@link #limit} + 1 fetched. */
  <T> List<T> rows(List<T> fetched) {
    return fetched.subList(0, Math.min(fetched.size(), limit));
  }

  /** Parameter {@code name}, {@code min} to {@code max}; 400 naming it otherwise. */
  static int intParam(HttpRequest request, String name, int fallback, int min, int max)
      throws ApiException {
    String value = request.queryParam(name).orElse(null);
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
}

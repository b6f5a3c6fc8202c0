package io.streamspace.common.http;

import io.streamspace.plugin.api.http.HttpRequest;
import java.util.OptionalLong;

/**
 * A numeric id from a path segment. Only ASCII digits name an id: {@link Long#parseLong} also
 * reads the digits of other scripts, so {@code /admin/invoices/１} (a fullwidth one) would
 * otherwise reach invoice 1. Anything else is no such resource (404), as an unknown id is.
 */
public final class PathId {

  /** Up to 18 digits: every such number fits a {@code long}, and ids never get that long. */
  private static final String DIGITS = "[0-9]{1,18}";

  private PathId() {}

  /** The id, or empty when the segment is not 1 to 18 ASCII digits (the route answers 404). */
  public static OptionalLong parse(String segment) {
    return segment != null && segment.matches(DIGITS)
        ? OptionalLong.of(Long.parseLong(segment))
        : OptionalLong.empty();
  }

  /** The id in path parameter {@code name}; 404 "no {what} {value}" when it is not one. */
  public static long of(HttpRequest request, String name, String what) {
    String value = request.pathParam(name);
    OptionalLong id = parse(value);
    if (id.isEmpty()) {
      throw ApiException.notFound("no " + what + " " + value);
    }
    return id.getAsLong();
  }
}

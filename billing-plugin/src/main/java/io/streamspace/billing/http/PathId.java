package io.streamspace.billing.http;

import io.streamspace.plugin.api.http.HttpRequest;

/**
 * A numeric id from a path segment. Only ASCII digits name an id: {@link Long#parseLong} also
 * reads the digits of other scripts, so {@code /admin/invoices/１} (a fullwidth one) would
 * otherwise reach invoice 1. Anything else is no such resource (404), as an unknown id is.
 */
final class PathId {

  /** Up to 18 digits: every such number fits a {@code long}, and ids never get that long. */
  private static final String DIGITS = "[0-9]{1,18}";

  private PathId() {}

  /** The id in path parameter {@code name}; 404 "no {what} {value}" when it is not one. */
  static long of(HttpRequest request, String name, String what) throws ApiException {
    String value = request.pathParam(name);
    if (value == null || !value.matches(DIGITS)) {
      throw ApiException.notFound("no " + what + " " + value);
    }
    return Long.parseLong(value);
  }
}

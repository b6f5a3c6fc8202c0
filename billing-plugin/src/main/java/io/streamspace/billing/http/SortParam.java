package io.streamspace.billing.http;

import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpRequest;
import java.util.Optional;
import java.util.function.Function;

/**
 * A list's {@code sort} parameter: a column's name, a leading {@code -} for descending, read the
 * same way by every admin list.
 *
 * @param <T> the list's columns
 */
record SortParam<T>(T order, boolean descending) {

  /**
   * The request's {@code sort}, or {@code fallback} ascending when it has none: 400 naming
   * {@code sort}, listing {@code names}, when it names no column.
   */
  static <T> SortParam<T> of(
      HttpRequest request, String fallback, Function<String, Optional<T>> named, String names)
      throws ApiException {
    String sort = QueryParams.of(request, "sort").orElse(fallback);
    boolean descending = sort.startsWith("-");
    T order =
        named
            .apply(descending ? sort.substring(1) : sort)
            .orElseThrow(
                () ->
                    ApiException.badParameter(
                        "sort", "sort must be " + names + ", - first for descending"));
    return new SortParam<>(order, descending);
  }
}

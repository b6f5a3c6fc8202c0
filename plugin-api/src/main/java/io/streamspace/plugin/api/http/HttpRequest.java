package io.streamspace.plugin.api.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An HTTP request as a plugin sees it.
 *
 * @param method     the method
 * @param path       the path relative to {@code /api/plugins/{pluginId}}
 * @param pathParams values of the route's {@code {name}} segments
 * @param query      query parameters, each with every value given
 * @param headers    request headers, names in lower case
 * @param body       the raw body, never null (empty when there is none); kept raw so that
 *                   signatures over it (Stripe webhooks) can be checked
 * @param caller     who sent it
 *
 * <p>Stable since 0.1.
 */
public record HttpRequest(
    HttpMethod method,
    String path,
    Map<String, String> pathParams,
    Map<String, List<String>> query,
    Map<String, String> headers,
    byte[] body,
    Caller caller) {

  public HttpRequest {
    pathParams = pathParams == null ? Map.of() : Map.copyOf(pathParams);
    query = query == null ? Map.of() : Map.copyOf(query);
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    body = body == null ? new byte[0] : body;
    caller = caller == null ? Caller.ANONYMOUS : caller;
  }

  /** The first value of a query parameter, if given and not blank. */
  public Optional<String> queryParam(String name) {
    List<String> values = query.get(name);
    if (values == null || values.isEmpty() || values.get(0).isBlank()) {
      return Optional.empty();
    }
    return Optional.of(values.get(0));
  }

  /** A path parameter; null when the route has none of that name. */
  public String pathParam(String name) {
    return pathParams.get(name);
  }

  /** A header by case-insensitive name. */
  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
  }

  /** The body decoded as UTF-8. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}

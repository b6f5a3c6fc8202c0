package io.streamspace.plugin.api.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * A plugin's answer to a request.
 *
 * @param status      the HTTP status
 * @param contentType the body's media type
 * @param body        the body, never null
 * @param headers     extra response headers (for example {@code Content-Disposition})
 *
 * <p>Stable since 0.1.
 */
public record HttpResponse(
    int status, String contentType, byte[] body, Map<String, String> headers) {

  public static final String JSON = "application/json";

  public HttpResponse {
    Objects.requireNonNull(contentType, "contentType");
    body = body == null ? new byte[0] : body;
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  /** A JSON answer. */
  public static HttpResponse json(int status, String json) {
    return new HttpResponse(status, JSON, json.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /**
   * An error answer: {@code {"error":{"code","message","field"}}}, {@code field} left out when
   * null ({@link HttpError}, which also adds members beside them). Stable since 0.2.
   */
  public static HttpResponse error(int status, String code, String message, String field) {
    return new HttpError(status, code, message, field).response();
  }

  /** Any other body, for example a PDF. */
  public static HttpResponse of(
      int status, String contentType, byte[] body, Map<String, String> headers) {
    return new HttpResponse(status, contentType, body, headers);
  }
}

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
 * @param bodyWriter  writes the body as it is produced instead of {@code body} (then empty);
 *                    null for a body in bytes ({@link #streamed}, since 0.2)
 *
 * <p>Stable since 0.1; {@code bodyWriter} since 0.2.
 */
public record HttpResponse(
    int status,
    String contentType,
    byte[] body,
    Map<String, String> headers,
    BodyWriter bodyWriter) {

  public static final String JSON = "application/json";

  public HttpResponse {
    Objects.requireNonNull(contentType, "contentType");
    body = body == null ? new byte[0] : body;
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    if (bodyWriter != null && body.length > 0) {
      throw new IllegalArgumentException("a streamed response has no body in bytes");
    }
  }

  /** A response whose body is in bytes (the constructor of 0.1). */
  public HttpResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    this(status, contentType, body, headers, null);
  }

  /** Whether the body is written by {@link #bodyWriter} as it is produced. Stable since 0.2. */
  public boolean isStreamed() {
    return bodyWriter != null;
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

  /**
   * A body written as it is produced (a large export): the host sends the status and headers,
   * then what {@code writer} writes, chunked, without holding it whole. Stable since 0.2.
   */
  public static HttpResponse streamed(
      int status, String contentType, Map<String, String> headers, BodyWriter writer) {
    return new HttpResponse(
        status, contentType, null, headers, Objects.requireNonNull(writer, "writer"));
  }
}

package io.streamspace.host.http;

import io.streamspace.plugin.api.http.HttpError;
import io.streamspace.plugin.api.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A refusal, with the {@link HttpError} it is answered with. Thrown by handlers, answered by
 * {@link HttpServer}. A refusal of several problems at once (a batch of events, a config) adds
 * the host's {@code details} member to the error body, one entry per problem.
 */
public final class ApiException extends RuntimeException {

  /** One problem among several, for example one bad event of a batch; null parts are left out. */
  public record Detail(Integer index, String field, String message) {

    private Map<String, Object> json() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("index", index);
      json.put("field", field);
      json.put("message", message);
      json.values().removeIf(value -> value == null);
      return json;
    }
  }

  private final HttpError error;
  private final List<Detail> details;

  public ApiException(HttpError error) {
    this(error, List.of());
  }

  public ApiException(int status, String code, String message, String field, List<Detail> details) {
    this(
        new HttpError(status, code, message, field, detailsMember(details)),
        details == null ? List.of() : details);
  }

  public ApiException(int status, String code, String message) {
    this(status, code, message, null, null);
  }

  private ApiException(HttpError error, List<Detail> details) {
    super(error.message(), null, false, false);
    this.error = error;
    this.details = List.copyOf(details);
  }

  public static ApiException badRequest(String code, String message, String field) {
    return new ApiException(HttpStatus.BAD_REQUEST, code, message, field, null);
  }

  /** 400 listing every problem in {@code details}, and naming the first one's field. */
  public static ApiException invalid(String code, String message, List<Detail> problems) {
    return new ApiException(
        HttpStatus.BAD_REQUEST, code, message, problems.get(0).field(), problems);
  }

  public static ApiException notFound(String message) {
    return new ApiException(HttpError.notFound(message));
  }

  /** The answer: status and body. */
  public HttpError error() {
    return error;
  }

  public List<Detail> details() {
    return details;
  }

  /** {@code details}, left out when there are none. */
  private static Map<String, ?> detailsMember(List<Detail> details) {
    return details == null || details.isEmpty()
        ? Map.of()
        : Map.of("details", details.stream().map(Detail::json).toList());
  }
}

package io.streamspace.host.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A refusal with an HTTP status and the host's error body:
 * {@code {"error": {"code", "message", "field"?, "details"?}}}. Thrown by handlers, rendered by
 * {@link HttpServer}.
 */
public final class ApiException extends RuntimeException {

  /** One problem among several, for example one bad event of a batch; null parts are left out. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Detail(Integer index, String field, String message) {}

  private final int status;
  private final String code;
  private final String field;
  private final List<Detail> details;

  public ApiException(int status, String code, String message, String field, List<Detail> details) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.field = field;
    this.details = details == null ? List.of() : List.copyOf(details);
  }

  public ApiException(int status, String code, String message) {
    this(status, code, message, null, null);
  }

  public static ApiException badRequest(String code, String message, String field) {
    return new ApiException(400, code, message, field, null);
  }

  /** 503: the database cannot be reached right now; the answer says when to retry. */
  public static ApiException databaseUnavailable() {
    return new ApiException(
        503, "database_unavailable", "the database is unavailable; retry later");
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "not_found", message);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String field() {
    return field;
  }

  public List<Detail> details() {
    return details;
  }
}

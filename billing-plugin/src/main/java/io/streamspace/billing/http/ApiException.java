package io.streamspace.billing.http;

/**
 * A request the plugin refuses, answered as {@code {"error": {"code", "message", "field"}}} with
 * its HTTP status.
 */
public final class ApiException extends Exception {

  private final int status;
  private final String code;
  private final String field;

  public ApiException(int status, String code, String message, String field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  public static ApiException unauthorized() {
    return new ApiException(401, "unauthorized", "a bearer token is required", null);
  }

  public static ApiException forbidden(String message) {
    return new ApiException(403, "forbidden", message, null);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "not_found", message, null);
  }

  /** 409: the request is valid but conflicts with the current state (for example a race). */
  public static ApiException conflict(String message) {
    return new ApiException(409, "conflict", message, null);
  }

  public static ApiException badParameter(String field, String message) {
    return new ApiException(400, "invalid_parameter", message, field);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** The request field at fault, or null. */
  public String field() {
    return field;
  }
}

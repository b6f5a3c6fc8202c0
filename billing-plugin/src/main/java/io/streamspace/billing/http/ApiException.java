package io.streamspace.billing.http;

import java.util.Map;

/**
 * A request the plugin refuses, answered as {@code {"error": {"code", "message", "field"}}} with
 * its HTTP status.
 */
public final class ApiException extends Exception {

  private final int status;
  private final String code;
  private final String field;
  private final Map<String, Object> details;

  public ApiException(int status, String code, String message, String field) {
    this(status, code, message, field, Map.of());
  }

  private ApiException(
      int status, String code, String message, String field, Map<String, Object> details) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.details = details;
  }

  /**
   * 409: the request conflicts with what is stored; {@code details} are added to the error
   * object (for example the id of what it conflicts with).
   */
  public static ApiException conflict(String code, String message, Map<String, Object> details) {
    return new ApiException(409, code, message, null, details);
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

  /** 503: the database cannot be reached right now; the answer says when to retry. */
  public static ApiException databaseUnavailable() {
    return new ApiException(
        503, "database_unavailable", "the database is unavailable; retry later", null);
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

  /** More members of the error object, beside code, message and field. */
  public Map<String, Object> details() {
    return details;
  }
}

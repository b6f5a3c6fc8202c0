package io.streamspace.billing.http;

import io.streamspace.plugin.api.http.HttpError;
import io.streamspace.plugin.api.http.HttpStatus;
import java.util.Map;

/**
 * A request the plugin refuses, with the {@link HttpError} it is answered with ({@link
 * JsonRoute}). Checked, so that a route's signature says it may refuse.
 */
public final class ApiException extends Exception {

  private final HttpError error;

  public ApiException(HttpError error) {
    super(error.message());
    this.error = error;
  }

  public ApiException(int status, String code, String message, String field) {
    this(new HttpError(status, code, message, field));
  }

  /**
   * 409: the request conflicts with what is stored; {@code members} are added to the error
   * object (for example the id of what it conflicts with).
   */
  public static ApiException conflict(String code, String message, Map<String, ?> members) {
    return new ApiException(new HttpError(HttpStatus.CONFLICT, code, message, null, members));
  }

  /** 409: the request is valid but conflicts with the current state (for example a race). */
  public static ApiException conflict(String message) {
    return new ApiException(HttpStatus.CONFLICT, "conflict", message, null);
  }

  public static ApiException unauthorized() {
    return new ApiException(
        HttpStatus.UNAUTHORIZED, "unauthorized", "a bearer token is required", null);
  }

  public static ApiException forbidden(String message) {
    return new ApiException(HttpStatus.FORBIDDEN, "forbidden", message, null);
  }

  public static ApiException notFound(String message) {
    return new ApiException(HttpError.notFound(message));
  }

  /** 423: the account is locked read-only; {@code message} says why and how to unlock it. */
  public static ApiException locked(String message) {
    return new ApiException(HttpStatus.LOCKED, "account_locked", message, null);
  }

  /** 404 {@code unknown_user} naming {@code user_id}: the user has no billing account. */
  public static ApiException unknownUser(String userId) {
    return new ApiException(
        HttpStatus.NOT_FOUND, "unknown_user", "no billing account for user " + userId, "user_id");
  }

  public static ApiException badParameter(String field, String message) {
    return new ApiException(HttpStatus.BAD_REQUEST, "invalid_parameter", message, field);
  }

  /** The answer: status and body. */
  public HttpError error() {
    return error;
  }
}

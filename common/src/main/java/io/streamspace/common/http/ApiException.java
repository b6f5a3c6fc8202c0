package io.streamspace.common.http;

import io.streamspace.plugin.api.http.HttpError;
import io.streamspace.plugin.api.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A refusal, with the {@link HttpError} it is answered with: thrown by route handlers, answered
 * by the host's {@code HttpServer} or the billing plugin's {@code JsonRoute}. A refusal of
 * several problems at once (a batch of events, a config) adds a {@code details} member to the
 * error body, one entry per problem.
 *
 * <p>Unchecked, as the host's handlers (Javalin lambdas) need; the plugin's routes still say in
 * their signatures that they may refuse ({@code throws ApiException}). It records no stack trace:
 * a refusal is an answer, not a fault, and is never logged as one. Each side throws and catches
 * its own copy of this class; a plugin's refusal reaches the host as the {@link HttpError}'s
 * response, never as this exception.
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

  public ApiException(int status, String code, String message, String field) {
    this(status, code, message, field, null);
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

  /** 400 {@code invalid_parameter} naming {@code field}. */
  public static ApiException badParameter(String field, String message) {
    return badRequest("invalid_parameter", message, field);
  }

  /** 400 listing every problem in {@code details}, and naming the first one's field. */
  public static ApiException invalid(String code, String message, List<Detail> problems) {
    return new ApiException(
        HttpStatus.BAD_REQUEST, code, message, problems.get(0).field(), problems);
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

  /** 404 {@code unknown_user} naming {@code user_id}: the user has no billing account. */
  public static ApiException unknownUser(String userId) {
    return new ApiException(
        HttpStatus.NOT_FOUND, "unknown_user", "no billing account for user " + userId, "user_id");
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

  /** 423: the account is locked read-only; {@code message} says why and how to unlock it. */
  public static ApiException locked(String message) {
    return new ApiException(HttpStatus.LOCKED, "account_locked", message, null);
  }

  /** The answer: status and body. */
  public HttpError error() {
    return error;
  }

  /** The problems of a refusal of several at once; empty otherwise. */
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

package io.streamspace.plugin.api.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An error answer as the host and every plugin give it: an HTTP status and the body {@code
 * {"error":{"code","message","field"?}}}, with {@code field} left out when no field is at fault.
 * {@code members} follow in the error object, in their order: what a client needs beyond the
 * message, for example the id of the invoice a request conflicts with, or the host's {@code
 * details} (one entry per problem of a batch).
 *
 * <p>Member values are JSON written from JDK values: null, a {@code String}, a {@code Boolean}, a
 * {@code Number} (a {@code BigDecimal} written plainly), or a {@code Map} with {@code String} keys
 * or a {@code Collection} of these. Any other value, and NaN or an infinity, is refused when the
 * error is made ({@code IllegalArgumentException}), not when it is answered.
 *
 * <p>Stable since 0.2.
 *
 * @param status the HTTP status ({@link HttpStatus})
 * @param code a stable snake_case code clients can branch on, for example {@code not_found}
 * @param message what is wrong, for people
 * @param field the request field at fault, or null
 * @param members further members of the error object, never named code, message or field
 */
public record HttpError(
    int status, String code, String message, String field, Map<String, ?> members) {

  private static final Set<String> OWN_MEMBERS = Set.of("code", "message", "field");

  public HttpError {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    // a copy that keeps the caller's order and allows null values, as JSON does
    members =
        members == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(members));
    for (String name : members.keySet()) {
      if (OWN_MEMBERS.contains(Objects.requireNonNull(name, "member name"))) {
        throw new IllegalArgumentException("member " + name + " is the error's own");
      }
    }
    JsonText.of(members); // refuses what JSON cannot hold now, not while answering
  }

  /** An error without further members. */
  public HttpError(int status, String code, String message, String field) {
    this(status, code, message, field, Map.of());
  }

  /** 404 {@code not_found}. */
  public static HttpError notFound(String message) {
    return new HttpError(HttpStatus.NOT_FOUND, "not_found", message, null);
  }

  /**
   * 503 {@code database_unavailable}: the answer the host and plugins give alike when {@link
   * DatabaseOutage#causedBy} a failure.
   */
  public static HttpError databaseUnavailable() {
    return new HttpError(
        HttpStatus.SERVICE_UNAVAILABLE,
        "database_unavailable",
        "the database is unavailable; retry later",
        null);
  }

  /** The body: {@code {"error":{"code","message","field"?,...members}}}. */
  public String json() {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    error.put("message", message);
    if (field != null) {
      error.put("field", field);
    }
    error.putAll(members);
    return JsonText.of(Map.of("error", error));
  }

  /**
   * The answer: this status and body as JSON. A 503 also carries {@code Retry-After:} {@value
   * DatabaseOutage#RETRY_AFTER_SECONDS}, since what is unavailable now may be back in a few
   * seconds.
   */
  public HttpResponse response() {
    Map<String, String> headers =
        status == HttpStatus.SERVICE_UNAVAILABLE
            ? Map.of("Retry-After", Integer.toString(DatabaseOutage.RETRY_AFTER_SECONDS))
            : Map.of();
    return HttpResponse.of(status, HttpResponse.JSON, JsonText.utf8(json()), headers);
  }
}

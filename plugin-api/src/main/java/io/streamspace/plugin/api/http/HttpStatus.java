package io.streamspace.plugin.api.http;

/**
 * Named HTTP statuses for {@link HttpResponse} and {@link HttpError}, so code says {@code
 * NOT_FOUND} where it would say {@code 404}. Ints, not an enum, so that {@code
 * HttpResponse.status()} stays an {@code int} and any other status can still be answered.
 *
 * <p>Stable since 0.2.
 */
public final class HttpStatus {

  public static final int OK = 200;
  public static final int CREATED = 201;
  public static final int ACCEPTED = 202;
  public static final int NO_CONTENT = 204;
  public static final int BAD_REQUEST = 400;
  public static final int UNAUTHORIZED = 401;
  public static final int FORBIDDEN = 403;
  public static final int NOT_FOUND = 404;
  public static final int METHOD_NOT_ALLOWED = 405;
  public static final int CONFLICT = 409;
  public static final int CONTENT_TOO_LARGE = 413;
  public static final int UNPROCESSABLE_CONTENT = 422;

  /** The resource is locked (an account read-only until it pays). Stable since 0.2. */
  public static final int LOCKED = 423;

  public static final int TOO_MANY_REQUESTS = 429;
  public static final int INTERNAL_SERVER_ERROR = 500;
  public static final int SERVICE_UNAVAILABLE = 503;

  private HttpStatus() {}
}

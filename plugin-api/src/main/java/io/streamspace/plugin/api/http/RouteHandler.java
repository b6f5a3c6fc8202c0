package io.streamspace.plugin.api.http;

/**
 * Answers one HTTP request. An exception escaping it becomes a 500 with a generic message (its
 * text is logged, not sent, so no internal detail leaks); one caused by the database being
 * unreachable ({@link DatabaseOutage#causedBy}) a 503 {@code database_unavailable} with
 * {@code Retry-After}.
 *
 * <p>Stable since 0.1.
 */
@FunctionalInterface
public interface RouteHandler {

  HttpResponse handle(HttpRequest request) throws Exception;
}

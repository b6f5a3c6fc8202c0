package io.streamspace.host.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.streamspace.plugin.api.http.DatabaseOutage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's HTTP server (Javalin): JSON in snake_case, every error as the host's error body,
 * route groups registered by the host, and on every answer headers that keep money and tokens
 * out of caches. A failure caused by the database being unavailable is answered 503
 * {@code database_unavailable} with {@code Retry-After}, not 500.
 */
public final class HttpServer implements AutoCloseable {

  /** A set of endpoints. */
  public interface RouteGroup {
    void register(Javalin app);
  }

  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  /** Room for a batch of 10,000 events with long ids and user attributes. */
  private static final long MAX_REQUEST_BYTES = 64L * 1024 * 1024;

  private final Javalin app;

  public HttpServer(ObjectMapper mapper, RouteGroup... groups) {
    this.app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.jsonMapper(new JavalinJackson(mapper, false));
              config.http.maxRequestSize = MAX_REQUEST_BYTES;
            });
    app.exception(ApiException.class, HttpServer::answer);
    app.exception(
        HttpResponseException.class,
        (e, ctx) -> {
          answer(new ApiException(e.getStatus(), codeFor(e.getStatus()), e.getMessage()), ctx);
        });
    app.exception(
        Exception.class,
        (e, ctx) -> {
          if (DatabaseOutage.causedBy(e)) {
            // one line, no stack: while the database is down every request would log one
            log.warn(
                "Request {} {} failed: the database is unavailable ({})",
                ctx.method(),
                ctx.path(),
                e.toString());
            answer(ApiException.databaseUnavailable(), ctx);
            return;
          }
          log.error("Request {} {} failed", ctx.method(), ctx.path(), e);
          answer(new ApiException(500, "internal_error", "the server failed to answer"), ctx);
        });
    app.error(
        404,
        ctx -> {
          if (ctx.result() == null) {
            ctx.json(ErrorBody.of(ApiException.notFound("no such endpoint")));
          }
        });
    for (RouteGroup group : groups) {
      group.register(app);
    }
    // After-handlers run after errors too, and last: a plugin's own headers cannot undo these.
    app.after(HttpServer::protect);
  }

  /** Answers carry money and tokens: never stored by a cache, never sniffed as another type. */
  private static void protect(Context ctx) {
    ctx.header("Cache-Control", "no-store");
    ctx.header("X-Content-Type-Options", "nosniff");
  }

  /** The error body with its status; a 503 also says when to retry. */
  private static void answer(ApiException e, Context ctx) {
    if (e.status() == 503) {
      retryAfter(ctx);
    }
    ctx.status(e.status()).json(ErrorBody.of(e));
  }

  /** Sets {@code Retry-After} on a 503 answer: every 503 of the host is worth retrying. */
  public static void retryAfter(Context ctx) {
    ctx.header("Retry-After", Integer.toString(DatabaseOutage.RETRY_AFTER_SECONDS));
  }

  private static String codeFor(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 413 -> "too_large";
      default -> "http_" + status;
    };
  }

  /** Starts listening; port 0 picks a free port. */
  public void start(int port) {
    app.start(port);
  }

  /** The port it listens on. */
  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }
}

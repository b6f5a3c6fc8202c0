package io.streamspace.host.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.streamspace.common.http.ApiException;
import io.streamspace.host.logging.AccessLog;
import io.streamspace.plugin.api.http.DatabaseOutage;
import io.streamspace.plugin.api.http.HttpError;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.Graceful;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's HTTP server (Javalin): JSON in snake_case, every error as the error body plugins
 * give too ({@link HttpError}), Jetty's own refusals included ({@link JsonErrorPages}), route
 * groups registered by the host, and on every answer headers that keep money and tokens out of
 * caches. A failure caused by the database being unavailable
 * is answered 503 {@code database_unavailable} with {@code Retry-After}, not 500.
 */
public final class HttpServer implements AutoCloseable {

  /** A set of endpoints. */
  public interface RouteGroup {
    void register(Javalin app);
  }

  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  /** Room for a batch of 10,000 events with long ids and user attributes. */
  private static final long MAX_REQUEST_BYTES = 64L * 1024 * 1024;

  /** The longest a stop waits for the requests in flight (an intake batch waits 5 s at most). */
  public static final Duration DRAIN = Duration.ofSeconds(10);

  /**
   * Room for the request line, and for the headers (Jetty's default, said here so the 414 and 431
   * answers can say it): a platform JWT with many organizations fits several times over.
   */
  private static final int MAX_HEADER_BYTES = 8 * 1024;

  private final Javalin app;

  /** How long a stop leaves a connection open that has nothing in flight ({@link #close}). */
  private final Duration idleAtStop;

  /** Every route as Javalin registered it: what the API description is checked against. */
  private final List<ApiRoute> routes = new CopyOnWriteArrayList<>();

  /**
   * A server of these routes; a stop closes a connection that has nothing in flight (a client's
   * kept-alive one) once it has been idle for {@code idleAtStop}.
   */
  public HttpServer(ObjectMapper mapper, Duration idleAtStop, RouteGroup... groups) {
    this.idleAtStop = idleAtStop;
    this.app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.jsonMapper(new JavalinJackson(mapper, false));
              config.http.maxRequestSize = MAX_REQUEST_BYTES;
              config.jetty.modifyHttpConfiguration(
                  http -> http.setRequestHeaderSize(MAX_HEADER_BYTES));
              config.jetty.modifyServer(
                  server -> server.setErrorHandler(new JsonErrorPages(MAX_HEADER_BYTES)));
              config.events.handlerAdded(
                  added -> {
                    if (added.getHttpMethod().isHttpMethod()) {
                      routes.add(new ApiRoute(added.getHttpMethod().name(), added.getPath()));
                    }
                  });
              AccessLog.register(config);
            });
    app.exception(ApiException.class, (e, ctx) -> answer(ctx, e.error().response()));
    app.exception(
        HttpResponseException.class,
        (e, ctx) -> {
          int status = e.getStatus();
          answer(
              ctx, HttpResponse.error(status, JsonErrorPages.code(status), e.getMessage(), null));
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
            answer(ctx, HttpError.databaseUnavailable().response());
            return;
          }
          log.error("Request {} {} failed", ctx.method(), ctx.path(), e);
          answer(
              ctx,
              HttpResponse.error(
                  HttpStatus.INTERNAL_SERVER_ERROR,
                  "internal_error",
                  "the server failed to answer",
                  null));
        });
    app.error(
        HttpStatus.NOT_FOUND,
        ctx -> {
          if (ctx.result() == null) {
            answer(ctx, HttpError.notFound("no such endpoint").response());
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

  /**
   * Sends an answer made outside Javalin: a plugin's, or an error ({@link HttpError}). A streamed
   * body is written here as it comes ({@link StreamedBody}), its protecting headers set first:
   * the after-handler would come too late for a response already sent.
   */
  public static void answer(Context ctx, HttpResponse response) {
    ctx.status(response.status()).contentType(response.contentType());
    response.headers().forEach(ctx::header);
    if (response.isStreamed()) {
      protect(ctx);
      StreamedBody.send(ctx, response.bodyWriter());
    } else {
      ctx.result(response.body());
    }
  }

  /** Sets {@code Retry-After} on a 503 answer: every 503 of the host is worth retrying. */
  public static void retryAfter(Context ctx) {
    ctx.header("Retry-After", Integer.toString(DatabaseOutage.RETRY_AFTER_SECONDS));
  }

  /** Every route registered, as Javalin saw it added (plugin routes: their mount points). */
  public List<ApiRoute> routes() {
    return List.copyOf(routes);
  }

  /** Starts listening on {@code host}'s address (0.0.0.0: every interface); port 0 picks one. */
  public void start(String host, int port) {
    app.start(host, port);
    for (Connector connector : app.jettyServer().server().getConnectors()) {
      if (connector instanceof AbstractConnector drained) {
        // read by the graceful shutdown, which sets it as every open connection's idle timeout
        drained.setShutdownIdleTimeout(idleAtStop.toMillis());
      }
    }
  }

  /** The port it listens on. */
  public int port() {
    return app.port();
  }

  /** Jetty's server, for the tests of this package that watch its connections. */
  Server jetty() {
    return app.jettyServer().server();
  }

  /**
   * Stops serving, first draining: the listening socket closes and requests arriving on open
   * connections are answered 503 at once (Jetty's graceful shutdown of its statistics handler),
   * while those in flight (an intake batch being journaled, a manual job run being waited for)
   * end, for at most {@link #DRAIN}; then every connection closes, and whatever still ran is cut
   * short (its client retries; an intake batch is idempotent). A connection with nothing in
   * flight closes once it has been idle for the {@code idleAtStop} given (a second, Jetty's, in
   * production).
   */
  @Override
  public void close() {
    if (app.jettyServer().started()) {
      try {
        Graceful.shutdown(app.jettyServer().server()).get(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        log.warn(
            "Requests still in flight after {} s of draining are cut short", DRAIN.toSeconds());
      } catch (ExecutionException e) {
        log.warn("Draining the requests in flight failed ({})", e.getCause().toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    app.stop();
  }
}

package io.streamspace.host.logging;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per HTTP request on the logger {@value #LOGGER}: method, route pattern (a path's ids
 * left as {@code {id}}), status, duration and the caller's user id, or {@code -} when none.
 * Never a header, a query or a body: tokens and secrets travel there. The JSON format has each
 * as a field ({@code method}, {@code route}, {@code status}, {@code duration_ms},
 * {@code caller}).
 */
public final class AccessLog {

  public static final String LOGGER = "access";

  private static final Logger log = LoggerFactory.getLogger(LOGGER);
  private static final String CALLER = "access-log.caller";
  private static final String ROUTE = "access-log.route";

  private AccessLog() {}

  /** Logs every request the server answers. */
  public static void register(JavalinConfig config) {
    config.requestLogger.http(AccessLog::logRequest);
  }

  /** Names the request's caller for its access line (an authenticated user's id). */
  public static void caller(Context ctx, String userId) {
    ctx.attribute(CALLER, userId);
  }

  /** Names the route pattern of a request dispatched further than Javalin's own routes. */
  public static void route(Context ctx, String pattern) {
    ctx.attribute(ROUTE, pattern);
  }

  private static void logRequest(Context ctx, Float executionMillis) {
    String method = ctx.method().name();
    String route = route(ctx);
    int status = ctx.statusCode();
    long millis = Math.round(executionMillis);
    String caller = ctx.attribute(CALLER) instanceof String id ? id : "-";
    log.atInfo()
        .addKeyValue("method", method)
        .addKeyValue("route", route)
        .addKeyValue("status", status)
        .addKeyValue("duration_ms", millis)
        .addKeyValue("caller", caller)
        .log("{} {} {} {} ms caller={}", method, route, status, millis, caller);
  }

  /** The pattern a route was matched by; the path itself when none matched (a 404). */
  private static String route(Context ctx) {
    if (ctx.attribute(ROUTE) instanceof String pattern) {
      return pattern;
    }
    String matched = ctx.endpointHandlerPath();
    return matched == null || matched.isEmpty() || matched.equals("*") ? ctx.path() : matched;
  }
}

package io.streamspace.host.metrics;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.streamspace.host.auth.Authenticator;
import io.streamspace.host.http.HttpServer;
import io.streamspace.plugin.api.http.Caller;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * {@code GET /metrics}: Prometheus' text format, for an admin's bearer token or the scrape token
 * set in {@code STREAMSPACE_METRICS_TOKEN} (compared in constant time, never logged). At the
 * host's root, not under {@code /api}, where Prometheus looks by default.
 */
public final class MetricsRoutes implements HttpServer.RouteGroup {

  /** The environment variable holding the scrape token; unset or blank: admins only. */
  public static final String TOKEN_ENV = "STREAMSPACE_METRICS_TOKEN";

  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HostMetrics metrics;
  private final Authenticator auth;
  private final byte[] scrapeToken;

  public MetricsRoutes(HostMetrics metrics, Authenticator auth, Map<String, String> environment) {
    this.metrics = metrics;
    this.auth = auth;
    String token = environment.get(TOKEN_ENV);
    this.scrapeToken =
        token == null || token.isBlank() ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void register(Javalin app) {
    app.get("/metrics", this::metrics);
  }

  private void metrics(Context ctx) {
    if (!isScrapeToken(ctx.header("Authorization"))) {
      auth.require(ctx, Caller.ROLE_ADMIN);
    }
    ctx.contentType(CONTENT_TYPE).result(metrics.scrape());
  }

  private boolean isScrapeToken(String header) {
    String bearer = "Bearer ";
    if (scrapeToken == null || header == null || !header.startsWith(bearer)) {
      return false;
    }
    byte[] given = header.substring(bearer.length()).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, scrapeToken);
  }
}

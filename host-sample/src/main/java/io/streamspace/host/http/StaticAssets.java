package io.streamspace.host.http;

import io.javalin.http.Context;
import io.streamspace.common.http.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The static texts the host serves itself (the API viewer, the plugins page: their HTML,
 * scripts, style sheets), read once from the host's classpath. Every answer carries a
 * Content-Security-Policy that allows only this origin's scripts, styles and requests, and sends
 * no referrer: a page that holds a token in its tab runs nothing else and leaks nothing.
 */
public final class StaticAssets {

  public static final String HTML = "text/html; charset=utf-8";
  public static final String JS = "text/javascript; charset=utf-8";
  public static final String CSS = "text/css; charset=utf-8";

  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

  /** A served text, read once from the classpath. */
  public record Asset(String contentType, byte[] body) {}

  private StaticAssets() {}

  /** The resource's bytes, to be served as {@code contentType}. */
  public static Asset read(String resource, String contentType) {
    try (InputStream in = resource(resource)) {
      return new Asset(contentType, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Answers {@code asset} with the protecting headers. */
  public static void serve(Context ctx, Asset asset) {
    ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .header("Referrer-Policy", "no-referrer")
        .contentType(asset.contentType())
        .result(asset.body());
  }

  /** Answers the asset of that name; 404 for a name not among {@code assets}. */
  public static void serve(Context ctx, Map<String, Asset> assets, String name) {
    Asset asset = assets.get(name);
    if (asset == null) {
      throw ApiException.notFound("no such asset");
    }
    serve(ctx, asset);
  }

  /** A resource of the host's classpath; a missing one is a broken build. */
  public static InputStream resource(String name) {
    InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("the host lacks its resource " + name);
    }
    return in;
  }
}

package io.streamspace.host.openapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.streamspace.common.http.ApiException;
import io.streamspace.host.http.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * {@code GET /api/openapi.json}, the description of the API ({@link ApiDescription}), and {@code
 * GET /api/docs}, its viewer: Swagger UI from its WebJar, started by the host's own script file.
 * Neither needs a token: they describe the routes and hold no data. The viewer's answers carry a
 * Content-Security-Policy that allows only this origin's scripts, styles and requests.
 */
public final class ApiDescriptionRoutes implements HttpServer.RouteGroup {

  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

  private static final String JS = "text/javascript; charset=utf-8";
  private static final String CSS = "text/css; charset=utf-8";

  /** A served text, read once from the classpath. */
  private record Asset(String contentType, byte[] body) {}

  private final ApiDescription description;
  private final ObjectMapper mapper;
  private final Asset page = asset("openapi/docs.html", "text/html; charset=utf-8");
  private final Map<String, Asset> assets;

  public ApiDescriptionRoutes(ApiDescription description, ObjectMapper mapper) {
    this.description = description;
    this.mapper = mapper;
    String swaggerUi = swaggerUiFolder();
    this.assets =
        Map.of(
            "docs.js", asset("openapi/docs.js", JS),
            "swagger-ui-bundle.js", asset(swaggerUi + "swagger-ui-bundle.js", JS),
            "swagger-ui.css", asset(swaggerUi + "swagger-ui.css", CSS),
            "favicon-32x32.png", asset(swaggerUi + "favicon-32x32.png", "image/png"));
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/openapi.json", this::document);
    app.get("/api/docs", ctx -> serve(ctx, page));
    app.get("/api/docs/{asset}", this::asset);
  }

  private void document(Context ctx) throws JsonProcessingException {
    ctx.contentType("application/json").result(mapper.writeValueAsString(description.document()));
  }

  private void asset(Context ctx) {
    Asset asset = assets.get(ctx.pathParam("asset"));
    if (asset == null) {
      throw ApiException.notFound("no such asset");
    }
    serve(ctx, asset);
  }

  private static void serve(Context ctx, Asset asset) {
    ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .header("Referrer-Policy", "no-referrer")
        .contentType(asset.contentType())
        .result(asset.body());
  }

  private static Asset asset(String resource, String contentType) {
    try (InputStream in = resource(resource)) {
      return new Asset(contentType, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The WebJar's folder, its version read from the WebJar itself, so the pom alone pins it. */
  private static String swaggerUiFolder() {
    Properties webJar = new Properties();
    try (InputStream in = resource("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      webJar.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "META-INF/resources/webjars/swagger-ui/" + webJar.getProperty("version") + "/";
  }

  private static InputStream resource(String name) {
    InputStream in = ApiDescriptionRoutes.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("the host lacks its resource " + name);
    }
    return in;
  }
}

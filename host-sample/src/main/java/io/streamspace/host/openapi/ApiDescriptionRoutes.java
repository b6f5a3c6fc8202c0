package io.streamspace.host.openapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.streamspace.host.http.HttpServer;
import io.streamspace.host.http.StaticAssets;
import io.streamspace.host.http.StaticAssets.Asset;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * {@code GET /api/openapi.json}, the description of the API ({@link ApiDescription}), and {@code
 * GET /api/docs}, its viewer: Swagger UI from its WebJar, started by the host's own script file.
 * Neither needs a token: they describe the routes and hold no data. The viewer's answers carry a
 * Content-Security-Policy that allows only this origin's scripts, styles and requests ({@link
 * StaticAssets}).
 */
public final class ApiDescriptionRoutes implements HttpServer.RouteGroup {

  private final ApiDescription description;
  private final ObjectMapper mapper;
  private final Asset page = StaticAssets.read("openapi/docs.html", StaticAssets.HTML);
  private final Map<String, Asset> assets;

  public ApiDescriptionRoutes(ApiDescription description, ObjectMapper mapper) {
    this.description = description;
    this.mapper = mapper;
    String swaggerUi = swaggerUiFolder();
    this.assets =
        Map.of(
            "docs.js", StaticAssets.read("openapi/docs.js", StaticAssets.JS),
            "swagger-ui-bundle.js",
                StaticAssets.read(swaggerUi + "swagger-ui-bundle.js", StaticAssets.JS),
            "swagger-ui.css", StaticAssets.read(swaggerUi + "swagger-ui.css", StaticAssets.CSS),
            "favicon-32x32.png", StaticAssets.read(swaggerUi + "favicon-32x32.png", "image/png"));
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/openapi.json", this::document);
    app.get("/api/docs", ctx -> StaticAssets.serve(ctx, page));
    app.get("/api/docs/{asset}", ctx -> StaticAssets.serve(ctx, assets, ctx.pathParam("asset")));
  }

  private void document(Context ctx) throws JsonProcessingException {
    ctx.contentType("application/json").result(mapper.writeValueAsString(description.document()));
  }

  /** The WebJar's folder, its version read from the WebJar itself, so the pom alone pins it. */
  private static String swaggerUiFolder() {
    Properties webJar = new Properties();
    try (InputStream in =
        StaticAssets.resource("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      webJar.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "META-INF/resources/webjars/swagger-ui/" + webJar.getProperty("version") + "/";
  }
}

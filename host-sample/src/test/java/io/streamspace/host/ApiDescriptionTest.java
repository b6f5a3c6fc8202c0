package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.http.ApiRoute;
import io.streamspace.host.intake.EventType;
import io.streamspace.host.openapi.OpenApiStructure;
import io.streamspace.host.openapi.RouteCoverage;
import io.streamspace.host.support.DescribedPlugin;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.LogCapture;
import io.streamspace.host.support.RecordingPlugin;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The API description, {@code GET /api/openapi.json}: the host's routes as Javalin registered
 * them against the document, both ways; the descriptions of started plugins merged in under
 * their mount points with their components namespaced; each plugin's routes checked against its
 * own description; and the viewer served from its WebJar.
 */
class ApiDescriptionTest extends HostTestBase {

  private static final String PLUGIN_MOUNT = "/api/plugins/";

  @Override
  protected HostOptions.Builder nodeOptions(RecordingPlugin recording) {
    return super.nodeOptions(recording)
        .plugin("described", new DescribedPlugin(true))
        .plugin("sloppy", new DescribedPlugin(false));
  }

  private JsonNode document() {
    return http.get("/api/openapi.json", null).expect(200);
  }

  @Test
  void everyHostRouteIsDescribedAndEveryDescribedHostOperationIsARoute() {
    // plugin routes are one catch-all mount in Javalin; the plugins' own descriptions cover them
    List<ApiRoute> hostRoutes =
        host.httpRoutes().stream().filter(route -> !route.path().startsWith(PLUGIN_MOUNT)).toList();
    List<ApiRoute> hostOperations =
        RouteCoverage.operations(document()).stream()
            .filter(route -> !route.path().startsWith(PLUGIN_MOUNT))
            .toList();

    RouteCoverage.Report report = RouteCoverage.compare(hostRoutes, hostOperations);

    assertTrue(report.agrees(), report.toString());
    assertTrue(hostRoutes.size() > 25, "the routes were read from Javalin: " + hostRoutes);
  }

  @Test
  void everyHostOperationAsksForTheTokenAndRolesItsDescriptionNames() {
    JsonNode document = document();
    Map<String, String> tokenOfRole =
        Map.of("user", token("ann", "user"), "platform", token("platform", "platform"));
    List<String> wrong = new ArrayList<>();
    for (ApiRoute route : RouteCoverage.operations(document)) {
      if (route.path().startsWith(PLUGIN_MOUNT)) {
        continue;
      }
      JsonNode operation =
          document.get("paths").get(route.path()).get(route.method().toLowerCase(Locale.ROOT));
      List<String> roles = new ArrayList<>();
      operation.get("x-roles").forEach(role -> roles.add(role.asText()));
      boolean open = operation.has("security") && operation.get("security").isEmpty();
      assertEquals(open, roles.isEmpty(), route + ": security and x-roles disagree");
      String path = route.path().replaceAll("\\{[^}]+}", "1");
      String body = route.method().equals("GET") || route.method().equals("DELETE") ? null : "{}";
      int anonymous = http.call(route.method(), path, null, body).status();
      if (open ? anonymous == 401 || anonymous == 403 : anonymous != 401) {
        wrong.add(route + " without a token: " + anonymous);
      }
      // only a role the operation refuses is tried: nothing is changed
      for (String role : tokenOfRole.keySet()) {
        if (open || roles.contains(role)) {
          continue;
        }
        int status = http.call(route.method(), path, tokenOfRole.get(role), body).status();
        if (status != 403) {
          wrong.add(route + " as " + role + ": " + status);
        }
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void theCheckFailsForAHostRouteTheDocumentLacksAndForAnOperationWithoutARoute() {
    List<ApiRoute> routes =
        List.of(new ApiRoute("GET", "/api/health"), new ApiRoute("GET", "/api/new-thing"));
    JsonNode document =
        HostClient.MAPPER.createObjectNode().set("paths", document().get("paths")).deepCopy();

    RouteCoverage.Report report = RouteCoverage.compare(routes, document);

    assertEquals(Set.of(new ApiRoute("GET", "/api/new-thing")), report.undescribed());
    assertTrue(report.unrouted().contains(new ApiRoute("POST", "/api/admin/tokens")));
    assertFalse(report.agrees());
  }

  @Test
  void theDocumentIsServedWithoutATokenAndIsSoundOpenApi31() {
    JsonNode document = document();

    assertEquals(List.of(), OpenApiStructure.faults(document));
    assertTrue(document.get("openapi").asText().startsWith("3.1."));
    assertEquals("http", document.at("/components/securitySchemes/bearer/type").asText());
    assertEquals(
        List.of("admin"),
        HostClient.MAPPER.convertValue(
            document.at("/paths/~1api~1admin~1tokens/post/x-roles"), List.class));
    assertTrue(document.at("/paths/~1api~1health/get/security").isEmpty());
    // the roles said where the viewer shows them
    assertTrue(
        document
            .at("/paths/~1api~1platform~1events/post/description")
            .asText()
            .endsWith("retry the batch.\n\nNeeds a bearer token with the role platform or admin."));
    assertTrue(
        document
            .at("/paths/~1api~1openapi.json/get/description")
            .asText()
            .endsWith("holds no data.\n\nNo token needed."));
    assertEquals(
        "#/components/schemas/Error",
        document
            .at("/components/responses/Unauthorized/content/application~1json/schema/$ref")
            .asText());
  }

  @Test
  void thePlatformEventTypesDescribedAreExactlyTheOnesIntakeAccepts() {
    List<String> described = new ArrayList<>();
    document()
        .at("/components/schemas/PlatformEvent/properties/type/enum")
        .forEach(type -> described.add(type.asText()));

    assertEquals(Arrays.stream(EventType.values()).map(EventType::wireName).toList(), described);
  }

  @Test
  void aPluginsDescriptionIsMergedUnderItsMountWithItsComponentsNamespaced() {
    JsonNode document = document();

    JsonNode get = document.at("/paths/~1api~1plugins~1described~1things~1{id}/get");
    assertEquals("described.thing", get.get("operationId").asText());
    assertEquals("#/components/responses/described.AThing", get.at("/responses/200/$ref").asText());
    assertEquals(
        "#/components/parameters/described.ThingId",
        document.at("/paths/~1api~1plugins~1described~1things~1{id}/parameters/0/$ref").asText());
    // the plugin's default security, its scheme renamed; an operation open to anyone stays so
    assertEquals("[{\"described.token\":[]}]", get.get("security").toString());
    JsonNode post = document.at("/paths/~1api~1plugins~1described~1things/post");
    assertTrue(post.get("security").isEmpty());
    assertEquals("[\"described: things\"]", post.get("tags").toString());
    // what the plugin says of all its routes: the description of the tag named by its id
    assertTrue(
        document
            .get("tags")
            .toString()
            .contains("{\"name\":\"described\",\"description\":\"What holds for every route.\"}"),
        document.get("tags").toString());
    // two plugins with a schema of the same name: both kept
    assertTrue(document.at("/components/schemas/described.Thing").isObject());
    assertTrue(document.at("/components/schemas/sloppy.Thing").isObject());
    assertEquals(
        "#/components/schemas/sloppy.Thing",
        document
            .at("/components/responses/sloppy.AThing/content/application~1json/schema/$ref")
            .asText());
    // a plugin that described nothing adds nothing
    assertTrue(pluginPaths(document, "rec").isEmpty());
  }

  @Test
  void theCheckerReportsAPluginRouteWithoutDescriptionAndADescriptionWithoutRoute() {
    RouteCoverage.Report sloppy = HostPlugins.describedRoutes(host, "sloppy");

    assertEquals(Set.of(new ApiRoute("GET", "/hidden")), sloppy.undescribed());
    assertEquals(Set.of(new ApiRoute("GET", "/ghost")), sloppy.unrouted());
    assertTrue(HostPlugins.describedRoutes(host, "described").agrees());
  }

  @Test
  void aPluginWhoseDescriptionDisagreesWithItsRoutesStartsWithOneWarningSayingWhat() {
    http.post("/api/admin/plugins/sloppy/disable", ADMIN_TOKEN, "{}").expect(200);
    List<String> log =
        LogCapture.during(
            () -> http.post("/api/admin/plugins/sloppy/enable", ADMIN_TOKEN, "{}").expect(200));

    assertEquals(
        List.of(
            "WARN Plugin sloppy describes its routes wrongly: routes without a description:"
                + " [GET /hidden]; descriptions without a route: [GET /ghost]"),
        log.stream().filter(line -> line.contains("describes its routes")).toList());
    assertTrue(host.plugins().isStarted("sloppy"));
  }

  @Test
  void aDisabledPluginsPathsLeaveTheDocumentWithItsRoutes() {
    try {
      http.post("/api/admin/plugins/described/disable", ADMIN_TOKEN, "{}").expect(200);

      JsonNode document = document();
      assertEquals(Set.of(), pluginPaths(document, "described"));
      assertFalse(document.at("/components/schemas").has("described.Thing"));
      assertFalse(pluginPaths(document, "sloppy").isEmpty());
    } finally {
      http.post("/api/admin/plugins/described/enable", ADMIN_TOKEN, "{}").expect(200);
    }
    assertEquals(
        Set.of(PLUGIN_MOUNT + "described/things", PLUGIN_MOUNT + "described/things/{id}"),
        pluginPaths(document(), "described"));
  }

  @Test
  void theViewerIsServedFromItsWebJarWithItsOwnScriptFileAndAContentSecurityPolicy() {
    HostClient.Response page = http.get("/api/docs", null);
    assertEquals(200, page.status());
    assertTrue(page.header("Content-Type").orElseThrow().startsWith("text/html"));
    assertTrue(page.header("Content-Security-Policy").orElseThrow().contains("script-src 'self'"));
    String html = page.body().asText();
    assertEquals(html, http.get("/api/docs/", null).body().asText());
    // every script is a file: none inline
    assertFalse(html.matches("(?s).*<script>.*"), html);
    for (String asset : List.of("swagger-ui-bundle.js", "docs.js", "swagger-ui.css")) {
      assertTrue(html.contains("/api/docs/" + asset), asset);
      HostClient.Response served = http.get("/api/docs/" + asset, null);
      assertEquals(200, served.status(), asset);
      assertTrue(served.header("Content-Security-Policy").isPresent(), asset);
    }
    assertTrue(http.get("/api/docs/docs.js", null).body().asText().contains("/api/openapi.json"));
    assertEquals(404, http.get("/api/docs/secrets.txt", null).status());
  }

  private static SortedSet<String> pluginPaths(JsonNode document, String pluginId) {
    SortedSet<String> paths = new TreeSet<>();
    document
        .get("paths")
        .fieldNames()
        .forEachRemaining(
            path -> {
              if (path.startsWith(PLUGIN_MOUNT + pluginId + "/")) {
                paths.add(path);
              }
            });
    return paths;
  }
}

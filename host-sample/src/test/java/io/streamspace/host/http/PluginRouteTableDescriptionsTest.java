package io.streamspace.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A plugin's description is kept with its routes, replaced by a later one, and goes with them. */
class PluginRouteTableDescriptionsTest {

  private final PluginRouteTable table = new PluginRouteTable();
  private final HttpRoutes plugin = table.forPlugin("p");

  @Test
  void aDescriptionIsKeptUntilThePluginsRoutesAreDropped() {
    plugin.add(HttpMethod.GET, "/things/{id}/", request -> HttpResponse.json(200, "{}"));
    plugin.describe("{\"openapi\":\"3.1.0\",\"paths\":{}}");
    plugin.describe("{\"openapi\":\"3.1.1\",\"paths\":{}}");

    assertEquals("3.1.1", table.descriptionOf("p").orElseThrow().get("openapi").asText());
    assertEquals(List.of(new ApiRoute("GET", "/things/{id}")), table.routesOf("p"));

    table.removePlugin("p");

    assertTrue(table.descriptionOf("p").isEmpty());
    assertTrue(table.descriptions().isEmpty());
    assertEquals(List.of(), table.routesOf("p"));
  }

  @Test
  void aDescriptionThatIsNoJsonObjectIsRefusedNamingThePlugin() {
    for (String text : new String[] {"not json", "[]", "{\"a\":1} trailing", null}) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> plugin.describe(text));
      assertTrue(refused.getMessage().contains("plugin p"), refused.getMessage());
    }
    assertTrue(table.descriptionOf("p").isEmpty());
  }

  @Test
  void theDescriptionHandedOutIsACopy() {
    plugin.describe("{\"paths\":{}}");

    table.descriptionOf("p").orElseThrow().put("openapi", "changed");

    assertTrue(table.descriptionOf("p").orElseThrow().path("openapi").isMissingNode());
  }
}

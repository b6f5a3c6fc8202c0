package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.HostPlugins;
import io.streamspace.host.openapi.OpenApiStructure;
import io.streamspace.host.openapi.RouteCoverage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The description the host serves with the packaged billing plugin started: the plugin's
 * routes as it describes them, under its mount, each asking for the token its routes ask for.
 */
class ApiDescriptionE2ETest extends BillingHostTestBase {

  @Test
  void theBillingPluginDescribesEveryRouteItAddsAndNoOther() {
    RouteCoverage.Report report = HostPlugins.describedRoutes(billing.host, "billing");

    assertTrue(report.agrees(), report.toString());
  }

  @Test
  void theServedDocumentHoldsTheBillingRoutesUnderTheirMount_soundAndBehindTheBearer() {
    JsonNode document = api.http.get("/api/openapi.json", null).expect(200);

    assertEquals(List.of(), OpenApiStructure.faults(document));
    JsonNode usage = document.at("/paths/~1api~1plugins~1billing~1usage/get");
    assertTrue(usage.isObject(), "GET /api/plugins/billing/usage is described");
    assertTrue(usage.get("security").toString().contains("bearer"), usage.toString());
    assertEquals(
        "[]",
        document.at("/paths/~1api~1plugins~1billing~1webhook/post/security").toString(),
        "Stripe's webhook is open: its signature is its authentication");
  }
}

package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The billing pages served by the packaged plugin through the host: without a token, under the
 * plugin's Content-Security-Policy (the host keeps it), the chart library read from the WebJar in
 * the plugin zip's lib/.
 */
class BillingPagesE2ETest extends BillingHostTestBase {

  private HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://localhost:" + billing.host.port() + "/api/plugins/billing" + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void thePagesAndTheChartLibraryAreServedWithoutATokenUnderThePolicy() throws Exception {
    for (String path : List.of("/ui/", "/ui", "/ui/admin", "/ui/user.js", "/ui/chart.umd.min.js")) {
      HttpResponse<String> page = get(path);

      assertEquals(200, page.statusCode(), path);
      assertTrue(
          page.headers()
              .firstValue("Content-Security-Policy")
              .orElse("")
              .startsWith("default-src 'none'; script-src 'self'; style-src 'self';"),
          path);
      assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElse(""), path);
      assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
    }
    assertTrue(get("/ui/").body().contains("<title>Billing</title>"));
    assertTrue(get("/ui/chart.umd.min.js").body().startsWith("/*!\n * Chart.js v4"));
    assertEquals(404, get("/ui/nothing.js").statusCode());
  }

  @Test
  void thePlansMatrixNeedsAToken() throws Exception {
    assertEquals(401, get("/plans").statusCode());
    String kim = newUser("kim");
    api.postEvents(platformToken, List.of(Events.userCreated(kim, NOW.minusSeconds(3600))));
    HttpResponse<String> plans =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://localhost:"
                                + billing.host.port()
                                + "/api/plugins/billing/plans"))
                    .header("Authorization", "Bearer " + api.token(kim, "user"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, plans.statusCode());
    assertTrue(plans.body().contains("\"current_plan_id\":\"free\""), plans.body());
  }
}

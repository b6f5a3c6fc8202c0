package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A disabled plugin gets no hooks, serves no routes and runs no jobs; enabling brings it back. */
class DisabledPluginE2ETest extends BillingHostTestBase {

  @Test
  void aDisabledPlugin_seesNoEvents_servesNoRoutes_andComesBackWhenEnabled() {
    String user = newUser("judy");
    String token = api.token(user, "user");
    api.http.post("/api/admin/plugins/billing/disable", api.adminToken, null).expect(200);

    api.postEvents(
        platformToken,
        List.of(
            Events.sessionCreated(
                "s-" + user, user, Instant.parse("2026-03-10T01:00:00Z"), "2", "4", "0"),
            Events.sessionTerminated("s-" + user, user, Instant.parse("2026-03-10T11:00:00Z"))));
    api.usage(token, "").expect(404);
    api.http.post("/api/plugins/billing/jobs/calculate-usage", api.adminToken, null).expect(404);

    api.http.post("/api/admin/plugins/billing/enable", api.adminToken, null).expect(200);
    api.runJob("calculate-usage");
    JsonNode usage = usageOn(token, "2026-03-10", "2026-03-11");
    assertEquals(
        0, usage.get("lines").size(), "events sent while disabled were not metered: " + usage);
  }
}

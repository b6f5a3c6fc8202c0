package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A disabled plugin gets no hooks, serves no routes and runs no jobs; enabling brings it back, and
 * it catches up with the events journaled meanwhile.
 */
class DisabledPluginE2ETest extends BillingHostTestBase {

  @Test
  void aDisabledPlugin_seesNoEvents_servesNoRoutes_andCatchesUpWhenEnabled() {
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
    api.awaitCaughtUp("billing");
    api.runJob("calculate-usage");
    JsonNode usage = usageOn(token, "2026-03-10", "2026-03-11");
    // 10 h of 2 cores at 0.05 and 4 GB at 0.01
    assertEquals(
        "1.40", UsageLines.amount(usage, "total_cost"), "events sent while disabled: " + usage);
  }
}

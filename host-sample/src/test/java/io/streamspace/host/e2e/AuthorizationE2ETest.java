package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The host authenticates, the plugin authorizes: users see only their own usage. */
class AuthorizationE2ETest extends BillingHostTestBase {

  private static final String DAY = "?from=2026-03-10&to=2026-03-11";
  private String grace;
  private String graceToken;
  private String heidiToken;

  @BeforeAll
  void graceHasUsage() {
    grace = newUser("grace");
    graceToken = api.token(grace, "user");
    heidiToken = api.token(newUser("heidi"), "user");
    api.postEvents(
        platformToken,
        List.of(
            Events.sessionCreated(
                "s-" + grace, grace, Instant.parse("2026-03-10T01:00:00Z"), "2", "4", "0"),
            Events.sessionTerminated("s-" + grace, grace, Instant.parse("2026-03-10T11:00:00Z"))));
    api.runJob("calculate-usage");
  }

  @Test
  void aUserCannotReadAnotherUsersUsage() {
    // another user's data is their personal organization's, of which the caller is no member
    JsonNode refused = api.usage(heidiToken, DAY + "&user_id=" + grace).expect(403);
    assertEquals("not_a_member", refused.get("error").get("code").asText(), refused.toString());
  }

  @Test
  void anAdminReadsAnyUsersUsage() {
    assertEquals(
        "1.40",
        amount(api.usage(api.adminToken, DAY + "&user_id=" + grace).expect(200), "total_cost"));
  }

  @Test
  void aUserReadsTheirOwn() {
    assertEquals("1.40", amount(api.usage(graceToken, DAY).expect(200), "total_cost"));
  }

  @Test
  void usageNeedsAValidToken() {
    api.usage(null, DAY).expect(401);
    api.usage("not-a-token", DAY).expect(401);
  }

  @Test
  void jobsNeedTheAdminRole() {
    api.http.post("/api/plugins/billing/jobs/calculate-usage", graceToken, null).expect(403);
    api.http.get("/api/plugins/billing/jobs/status", graceToken).expect(403);
    api.http.post("/api/plugins/billing/jobs/calculate-usage", null, null).expect(401);
  }

  @Test
  void onlyThePlatformPostsEvents() {
    api.http.post("/api/platform/events", graceToken, "[]").expect(403);
    api.http.post("/api/platform/events", null, "[]").expect(401);
  }

  @Test
  void badPeriodIsRefusedNamingTheField() {
    JsonNode refused = api.usage(graceToken, "?from=2026-13-01").expect(400);
    assertEquals("from", refused.get("error").get("field").asText(), refused.toString());
    JsonNode reversed = api.usage(graceToken, "?from=2026-03-11&to=2026-03-10").expect(400);
    assertEquals("from", reversed.get("error").get("field").asText(), reversed.toString());
  }
}

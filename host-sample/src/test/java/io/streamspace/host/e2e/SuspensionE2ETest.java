package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Suspension after the grace over HTTP with the packaged billing plugin: a user on the free plan
 * stores 2.5 GB (over its 2 GB hard limit); check-quotas first finds it at noon, so with a grace
 * of one day the session is suspended by the run at noon the next day and not by the one a
 * second before, admission refuses the account, and an upgrade resumes it at once
 * (docs/billing-rules.md, "Suspension over a hard limit").
 */
class SuspensionE2ETest extends BillingHostTestBase {

  private static final String CONFIG = "/api/admin/plugins/billing/config";
  private static final Instant GRACE_ENDS = Instant.parse("2026-03-11T12:00:00Z");

  @BeforeAll
  void suspendAfterADay() {
    api.http
        .call(
            "PATCH",
            CONFIG,
            api.adminToken,
            HostClient.json(Map.of("autoSuspendOnOverage", true, "gracePeriodDays", 1)),
            HostClient.CONFIG_REASON)
        .expect(200);
  }

  @Test
  void aSessionOverTheStorageLimitIsSuspendedWhenTheGraceEnds_andResumedByAnUpgrade() {
    String zoe = newUser("zoe");
    String session = "s-" + zoe;
    String zoeToken = api.token(zoe, "user");
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(zoe, at("11:50")),
            Events.sessionCreated(session, zoe, at("11:55"), "0.5", "1", "2.5")));
    api.awaitCaughtUp("billing");

    api.runJob("check-quotas");
    JsonNode quota = quota(zoeToken);
    assertEquals("2026-03-10T12:00:00Z", quota.get("over_since").asText());
    assertEquals(GRACE_ENDS.toString(), quota.get("suspends_at").asText());
    assertFalse(quota.get("suspended").asBoolean());

    clock.set(GRACE_ENDS.minusSeconds(1));
    api.runJob("check-quotas");
    assertTrue(suspendedReason(session).isNull(), "a second before the grace ends");

    clock.set(GRACE_ENDS);
    api.runJob("check-quotas");
    assertEquals(
        "Over the hard limit of storage_gb (2.5 used, 2 allowed) since 2026-03-10T12:00:00Z."
            + " Free some storage or upgrade your plan to resume.",
        suspendedReason(session).asText());
    assertTrue(quota(zoeToken).get("suspended").asBoolean());
    JsonNode refused = api.admission(platformToken, zoe);
    assertFalse(refused.get("allowed").asBoolean());
    assertEquals("account_suspended", refused.get("code").asText());

    api.http
        .put(
            "/api/plugins/billing/subscription",
            zoeToken,
            HostClient.json(Map.of("plan_id", "pro")))
        .expect(200);

    assertTrue(suspendedReason(session).isNull(), "resumed at once");
    JsonNode after = quota(zoeToken);
    assertTrue(after.get("over_since").isNull());
    assertFalse(after.get("suspended").asBoolean());
    assertEquals(1, published("billing.account.suspended", zoe));
    assertEquals(1, published("billing.account.resumed", zoe));
  }

  private JsonNode quota(String token) {
    return api.http.get("/api/plugins/billing/quota", token).expect(200);
  }
}

package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Capacity packs raise limits, over HTTP with the packaged billing plugin: a user on the free plan
 * (2 active sessions, hard) with two sessions open is refused a third; a 5-slot pack bought at noon
 * (one-time, 30 days: until April 9 noon) admits it at once and shows in {@code /quota};
 * check-quotas announces it as expiring, and at its end the third is refused again (the expiry acts
 * from admission's memory) and check-quotas announces it expired, each once; a renewal restores it
 * (docs/billing-rules.md, "Packs").
 */
class PacksE2ETest extends BillingHostTestBase {

  private static final Instant EXPIRES = Instant.parse("2026-04-09T12:00:00Z");

  private JsonNode aThird(String user) {
    return api.admission(platformToken, user);
  }

  private void alive(String user, Instant at) {
    api.postEvents(
        platformToken,
        List.of(
            Events.heartbeat("s1-" + user, user, at), Events.heartbeat("s2-" + user, user, at)));
    api.awaitCaughtUp("billing");
  }

  @Test
  void aSlotPackAdmitsAThirdSession_itsExpiryRefusesItAgain_aRenewalRestoresIt() {
    String ann = newUser("ann");
    String annToken = api.token(ann, "user");
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(ann, at("11:50")),
            Events.sessionCreated("s1-" + ann, ann, at("11:55"), "0.5", "1", "0"),
            Events.sessionCreated("s2-" + ann, ann, at("11:56"), "0.5", "1", "0")));
    api.awaitCaughtUp("billing");
    assertEquals("active_sessions_limit", aThird(ann).get("code").asText());

    JsonNode bought =
        api.http.post("/api/plugins/billing/packs/slots-5/purchase", annToken, "{}").expect(201);

    assertTrue(aThird(ann).get("allowed").asBoolean(), "at once on the node that sold it");
    assertEquals(EXPIRES.toString(), bought.get("valid_until").asText());
    JsonNode sessions =
        api.http.get("/api/plugins/billing/quota", annToken).expect(200).at("/meters/2");
    assertEquals(7, sessions.get("limit").intValue(), sessions.toString());

    clock.set(EXPIRES.minusSeconds(60));
    alive(ann, EXPIRES.minusSeconds(60));
    api.runJob("check-quotas");
    clock.set(EXPIRES.minusSeconds(1));
    assertTrue(aThird(ann).get("allowed").asBoolean(), "a second before the end");
    clock.set(EXPIRES);
    JsonNode expired = aThird(ann);
    assertEquals("active_sessions_limit", expired.get("code").asText(), expired.toString());
    api.runJob("check-quotas");
    api.runJob("check-quotas");
    assertEquals(1, published("billing.pack.expired", ann));
    assertEquals(1, published("billing.pack.expiring", ann));

    api.http
        .post(
            "/api/plugins/billing/purchases/" + bought.get("id").asLong() + "/renew",
            annToken,
            "{}")
        .expect(200);
    assertTrue(aThird(ann).get("allowed").asBoolean(), "renewed");
  }
}

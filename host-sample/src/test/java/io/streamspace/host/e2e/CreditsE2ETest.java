package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Credits over HTTP with the packaged plugin: an admin grants, bad grants are refused with
 * nothing stored, the user reads their balance, nobody else can.
 */
class CreditsE2ETest extends BillingHostTestBase {

  private static final String GRANT = "/api/plugins/billing/admin/credits";
  private static final String CREDITS = "/api/plugins/billing/credits";
  private String ivan;
  private String ivanToken;
  private String judyToken;

  @BeforeAll
  void ivanHasAnAccount() {
    ivan = newUser("ivan");
    ivanToken = api.token(ivan, "user");
    judyToken = api.token(newUser("judy"), "user");
    // the intake answers once the plugin has stored the events, so the account exists now
    api.postEvents(platformToken, List.of(Events.userCreated(ivan, NOW.minusSeconds(3600))));
  }

  private HostClient.Response grant(String token, Map<String, Object> body) {
    return api.http.post(GRANT, token, HostClient.json(body));
  }

  @Test
  void anAdminGrantsAndTheUserReadsTheBalanceButNobodyElse() {
    JsonNode granted =
        grant(
                api.adminToken,
                Map.of(
                    "user_id", ivan, "amount", 25, "reason", "welcome", "expires_at", "2026-12-31"))
            .expect(201);
    grant(api.adminToken, Map.of("user_id", ivan, "amount", 0.5, "reason", "apology")).expect(201);

    assertEquals("25.00", amount(granted, "amount"));
    assertEquals("admin", granted.get("granted_by").asText());
    assertEquals(NOW.toString(), granted.get("granted_at").asText());
    JsonNode own = api.http.get(CREDITS, ivanToken).expect(200);
    assertEquals("25.50", amount(own, "balance"));
    assertEquals(
        List.of("apology", "welcome"),
        own.get("credits").findValues("reason").stream().map(JsonNode::asText).toList());
    assertEquals(own, api.http.get(CREDITS + "?user_id=" + ivan, api.adminToken).expect(200));
    JsonNode refused = api.http.get(CREDITS + "?user_id=" + ivan, judyToken).expect(403);
    assertEquals("not_a_member", refused.at("/error/code").asText());
    api.http.get(CREDITS, null).expect(401);
    JsonNode published =
        api.http.get("/api/admin/events?type=billing.credit.granted", api.adminToken).expect(200);
    assertTrue(
        published.toString().contains(granted.get("id").asText())
            && published.toString().contains(ivan),
        published.toString());
  }

  @Test
  void badGrantsAreRefusedOverHttpAndStoreNothing() {
    String before =
        api.http.get(CREDITS + "?user_id=" + ivan, api.adminToken).expect(200).toString();

    JsonNode tooPrecise =
        grant(api.adminToken, Map.of("user_id", ivan, "amount", 1.005, "reason", "r")).expect(400);
    JsonNode asText =
        grant(api.adminToken, Map.of("user_id", ivan, "amount", "5", "reason", "r")).expect(400);
    JsonNode noReason = grant(api.adminToken, Map.of("user_id", ivan, "amount", 5)).expect(400);
    JsonNode past =
        grant(
                api.adminToken,
                Map.of("user_id", ivan, "amount", 5, "reason", "r", "expires_at", "2026-03-01"))
            .expect(400);
    JsonNode euros =
        grant(
                api.adminToken,
                Map.of("user_id", ivan, "amount", 5, "reason", "r", "currency", "EUR"))
            .expect(400);
    JsonNode unknown =
        grant(api.adminToken, Map.of("user_id", newUser("nobody"), "amount", 5, "reason", "r"))
            .expect(404);
    grant(ivanToken, Map.of("user_id", ivan, "amount", 5, "reason", "r")).expect(403);
    grant(null, Map.of("user_id", ivan, "amount", 5, "reason", "r")).expect(401);

    assertEquals("amount", tooPrecise.at("/error/field").asText());
    assertEquals("amount", asText.at("/error/field").asText());
    assertEquals("reason", noReason.at("/error/field").asText());
    assertEquals("expires_at", past.at("/error/field").asText());
    assertEquals("currency", euros.at("/error/field").asText());
    assertEquals("unknown_user", unknown.at("/error/code").asText());
    assertEquals(
        before, api.http.get(CREDITS + "?user_id=" + ivan, api.adminToken).expect(200).toString());
  }
}

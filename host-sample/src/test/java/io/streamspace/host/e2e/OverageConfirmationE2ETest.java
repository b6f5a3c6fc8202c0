package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A soft counter over its included amount, over HTTP with the packaged billing plugin: {@code
 * POST /api/platform/admission} refuses new sessions with {@code overage_confirmation_required}
 * and the cost of going on until the user confirms through {@code POST
 * /api/plugins/billing/overage/confirm}, then allows them (docs/billing-rules.md, "Overage
 * confirmation").
 */
class OverageConfirmationE2ETest extends BillingHostTestBase {

  /** The free plan includes 100 AI queries (soft, 0.001 USD each beyond): 130 is 0.03 over. */
  @Test
  void aSessionRefusedForUnconfirmedOverageIsAllowedOnceTheUserConfirms() {
    String uma = newUser("uma");
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(uma, at("11:50")),
            Events.usageReported(uma, "ai_queries", "130", at("11:56"))));
    api.awaitCaughtUp("billing");

    JsonNode refused = api.admission(platformToken, uma);

    assertFalse(refused.get("allowed").asBoolean(), refused.toString());
    assertEquals("overage_confirmation_required", refused.get("code").asText());
    assertEquals(
        "AI queries over the included amount: 130 queries used this period, 100 included in the"
            + " Hobby plan. Going on is billed as overage at $0.001 per query ($0.03 so far)."
            + " Confirm the overage (POST /api/plugins/billing/overage/confirm) to start new"
            + " sessions.",
        refused.get("reason").asText());
    JsonNode quota = api.http.get("/api/plugins/billing/quota", api.token(uma, "user")).expect(200);
    assertEquals("confirmation_required", quota.at("/meters/6/state").asText(), quota.toString());

    JsonNode confirmed =
        api.http
            .post(
                "/api/plugins/billing/overage/confirm",
                api.token(uma, "user"),
                "{\"meter\":\"ai_queries\"}")
            .expect(201);

    assertEquals(uma, confirmed.get("confirmed_by").asText());
    assertEquals("2026-03-01T00:00:00Z", confirmed.get("period_start").asText());
    assertTrue(api.admission(platformToken, uma).get("allowed").asBoolean());
  }
}

package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The read-only lock over HTTP with the packaged plugin: March is invoiced on April 1 (due April
 * 15, 01:00), marked overdue then, and the account is locked by check-quotas three days later
 * (paymentGraceDays' default), not a second before; paying unlocks it.
 */
class PaymentLockE2ETest extends BillingHostTestBase {

  private static final String BILLING = "/api/plugins/billing";

  @Test
  void threeDaysOverdueLocksTheAccount_writesAreRefused_readsWork_andPayingUnlocksIt() {
    String eve = newUser("eve");
    String eveToken = api.token(eve, "user");
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(eve, Instant.parse("2026-03-10T00:30:00Z")),
            Events.sessionCreated(
                "s1-" + eve, eve, Instant.parse("2026-03-10T01:00:00Z"), "2", "4", "0"),
            Events.sessionTerminated("s1-" + eve, eve, Instant.parse("2026-03-10T11:00:00Z"))));
    clock.set(Instant.parse("2026-04-01T01:00:00Z"));
    api.runJob("calculate-usage");
    api.runJob("generate-invoices");
    clock.set(Instant.parse("2026-04-15T01:00:00Z"));
    api.runJob("finalize-invoices");
    JsonNode invoice = api.http.get(BILLING + "/invoices", eveToken).expect(200).at("/invoices/0");
    assertEquals("overdue", invoice.get("status").asText());
    // a session running when the lock comes
    clock.set(Instant.parse("2026-04-18T00:59:59Z"));
    api.postEvents(
        platformToken,
        List.of(
            Events.sessionCreated(
                "s2-" + eve, eve, Instant.parse("2026-04-18T00:59:00Z"), "0.5", "1", "0")));
    api.awaitCaughtUp("billing");

    api.runJob("check-quotas");
    assertNotEquals("account_locked", api.admission(platformToken, eve).path("code").asText());
    clock.set(Instant.parse("2026-04-18T01:00:00Z"));
    api.runJob("check-quotas");

    JsonNode refused = api.admission(platformToken, eve);
    assertEquals("account_locked", refused.get("code").asText());
    String detail =
        "Invoice "
            + invoice.get("invoice_number").asText()
            + " ($1.40) is overdue since 2026-04-15: the account is read-only until it is paid.";
    assertEquals(detail, refused.get("reason").asText());
    HostClient.Response planChange = changePlan(eveToken);
    assertEquals(423, planChange.status());
    assertEquals("account_locked", planChange.body().at("/error/code").asText());
    assertEquals(detail, planChange.body().at("/error/message").asText());
    for (String read : List.of("/invoices", "/quota", "/usage", "/credits", "/subscription")) {
      api.http.get(BILLING + read, eveToken).expect(200);
    }
    api.http.get(BILLING + "/invoices/" + invoice.get("id").asLong(), eveToken).expect(200);
    HostClient.Response noReason =
        api.http.post(BILLING + "/admin/users/" + eve + "/unlock", api.adminToken, "{}");
    assertEquals(400, noReason.status());
    assertEquals("reason", noReason.body().at("/error/field").asText());

    api.http
        .call(
            "PATCH",
            BILLING + "/admin/invoices/" + invoice.get("id").asLong(),
            api.adminToken,
            HostClient.json(Map.of("status", "paid", "note", "bank transfer")))
        .expect(200);

    assertNotEquals("account_locked", api.admission(platformToken, eve).path("code").asText());
    assertEquals(200, changePlan(eveToken).status());
    assertEquals(1, events("billing.account.locked", eve).size());
    assertEquals(1, events("billing.account.unlocked", eve).size());
    assertEquals(
        "billing", events("billing.account.unlocked", eve).get(0).get("lifted_by").asText());
    assertTrue(
        events("host.session.suspended", eve).stream()
            .anyMatch(e -> e.get("session_id").asText().equals("s2-" + eve)));
    assertTrue(
        events("host.session.resumed", eve).stream()
            .anyMatch(e -> e.get("session_id").asText().equals("s2-" + eve)));
  }

  private HostClient.Response changePlan(String token) {
    return api.http.call("PUT", BILLING + "/subscription", token, "{\"plan_id\":\"pro\"}");
  }

  /** The payloads of the user's events of that type, as the host logged them. */
  private List<JsonNode> events(String type, String userId) {
    JsonNode events =
        api.http.get("/api/admin/events?type=" + type, api.adminToken).expect(200).get("events");
    return StreamSupport.stream(events.spliterator(), false)
        .map(e -> e.get("payload"))
        .filter(p -> p.path("user_id").asText().equals(userId))
        .toList();
  }
}

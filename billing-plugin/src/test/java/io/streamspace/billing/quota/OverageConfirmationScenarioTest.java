package io.streamspace.billing.quota;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A soft counter over its included amount, through the plugin's hooks and routes: usage mode,
 * default plans (Free includes 100 AI queries, soft, at 0.001 USD each beyond), UTC, invoice day
 * 1. ann's account opens on 2026-03-01.
 */
class OverageConfirmationScenarioTest {

  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String APRIL = "2026-04-01T00:00:00Z";
  private static final String CONFIRM = "/overage/confirm";
  private static final String AI_QUERIES = "{\"meter\":\"ai_queries\"}";

  private final BillingHarness billing = new BillingHarness(at(MARCH));

  @AfterEach
  void unload() {
    billing.close();
  }

  private void report(String id, String at, String quantity) {
    billing.billing.onUsageReported(
        billing.context,
        new UsageReport(id, at(at), "ann", "ai_queries", new BigDecimal(quantity), null));
  }

  private AdmissionDecision annAsks() {
    return billing.billing.admit(new AdmissionRequest("ann", null, size("0.5", "1", "0")));
  }

  private String aiQueriesState() {
    return billing
        .call(HttpMethod.GET, "/quota", user("ann"))
        .body()
        .at("/meters/6/state")
        .asText();
  }

  private void setClock(String now) {
    billing.clock.set(at(now));
  }

  /**
   * ann asks 100 queries on March 5 (her included amount), then 37 more from a session already
   * running on March 6: 137, 37 over, 0.037 so far, shown 0.04. New sessions are refused until
   * she confirms on March 10; then 1,468 more on March 20: 1,605 in all, 1,505 over, every one
   * billed whether asked before or after the confirmation: 1,505 × 0.001 = 1.505, half up 1.51.
   */
  @Test
  void aSoftCounterAtItsLimitRefusesNewSessionsUntilConfirmed_andEveryQueryOverIsInvoiced() {
    billing.userCreated("ann", Map.of());
    report("q1", "2026-03-05T10:00:00Z", "100");
    billing.flush();
    setClock("2026-03-05T12:00:00Z");
    assertEquals("confirmation_required", aiQueriesState());
    report("q2", "2026-03-06T10:00:00Z", "37");
    setClock("2026-03-10T12:00:00Z");

    AdmissionDecision refused = annAsks();

    assertFalse(refused.allowed());
    assertEquals("overage_confirmation_required", refused.code());
    assertEquals(
        "AI queries over the included amount: 137 queries used this period, 100 included in the"
            + " Hobby plan. Going on is billed as overage at $0.001 per query ($0.04 so far)."
            + " Confirm the overage (POST /api/plugins/billing/overage/confirm) to start new"
            + " sessions.",
        refused.reason());

    Answer confirmed = billing.call(HttpMethod.POST, CONFIRM, user("ann"), AI_QUERIES);

    assertEquals(201, confirmed.status());
    assertEquals(
        """
        {"user_id":"ann","meter":"ai_queries","period_start":"2026-03-01T00:00:00Z",\
        "confirmed_by":"ann","confirmed_at":"2026-03-10T12:00:00Z"}""",
        confirmed.body().toString());
    assertTrue(annAsks().allowed());
    assertEquals("exceeded", aiQueriesState());

    report("q3", "2026-03-20T10:00:00Z", "1468");
    assertTrue(annAsks().allowed());
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z"); // past the grace: finalized

    assertEquals(
        List.of("overage ai_queries overage ai_queries 1505 query 0.001 1.51"),
        lines(invoiceId("ann", MARCH)));
  }

  @Test
  void confirmingAgainKeepsTheFirstConfirmation_andAnswers200WithIt() {
    billing.userCreated("ann", Map.of());
    billing.flush();
    setClock("2026-03-10T12:00:00Z");
    assertEquals(201, billing.call(HttpMethod.POST, CONFIRM, user("ann"), AI_QUERIES).status());
    setClock("2026-03-11T08:00:00Z");

    Answer again =
        billing.call(
            HttpMethod.POST,
            CONFIRM,
            admin("root"),
            "{\"meter\":\"ai_queries\",\"user_id\":\"ann\"}");

    assertEquals(200, again.status());
    assertEquals("ann", again.body().get("confirmed_by").asText());
    assertEquals("2026-03-10T12:00:00Z", again.body().get("confirmed_at").asText());
  }

  /**
   * Confirmed in March, ann starts April unconfirmed: under the limit she is allowed, and once
   * April's 120 queries pass the 100 included she is refused again.
   */
  @Test
  void theConfirmationIsResetNextPeriod() {
    billing.userCreated("ann", Map.of());
    report("q1", "2026-03-05T10:00:00Z", "150");
    billing.flush();
    setClock("2026-03-10T12:00:00Z");
    assertEquals(201, billing.call(HttpMethod.POST, CONFIRM, user("ann"), AI_QUERIES).status());
    assertTrue(annAsks().allowed());

    setClock("2026-04-02T00:00:00Z");
    assertTrue(annAsks().allowed());
    report("q2", "2026-04-02T00:00:00Z", "120");
    billing.flush();

    assertEquals("overage_confirmation_required", annAsks().code());
    assertEquals("confirmation_required", aiQueriesState());
    assertEquals(201, billing.call(HttpMethod.POST, CONFIRM, user("ann"), AI_QUERIES).status());
    assertTrue(annAsks().allowed());
  }

  @Test
  void anUnknownMeterOrOneThatIsNotASoftCounterOfThePlanIsRefusedNamingMeter() {
    billing.userCreated("ann", Map.of());
    billing.flush();

    Answer cores = null;
    for (String meter : List.of("gpu_hours", "bandwidth_gb", "cpu_cores")) {
      Answer refused =
          billing.call(HttpMethod.POST, CONFIRM, user("ann"), "{\"meter\":\"" + meter + "\"}");
      assertEquals(400, refused.status(), meter);
      assertEquals("meter", refused.errorField(), meter);
      cores = refused; // the last: cpu_cores
    }
    assertEquals(
        "cpu_cores is not a soft counter of the Hobby plan: it bills no overage to confirm",
        cores.errorMessage(),
        "the plan by its name");
    assertEquals(400, billing.call(HttpMethod.POST, CONFIRM, user("ann"), "{}").status());
  }

  @Test
  void onlyTheOwnerOrAnAdminConfirms() {
    billing.userCreated("ann", Map.of());
    billing.userCreated("bob", Map.of());
    billing.flush();
    String forAnn = "{\"meter\":\"ai_queries\",\"user_id\":\"ann\"}";

    assertEquals(
        401,
        billing
            .call(HttpMethod.POST, CONFIRM, io.streamspace.plugin.api.http.Caller.ANONYMOUS, forAnn)
            .status());
    assertEquals(403, billing.call(HttpMethod.POST, CONFIRM, user("bob"), forAnn).status());
    assertEquals(404, billing.call(HttpMethod.POST, CONFIRM, user("nobody"), AI_QUERIES).status());
    assertEquals(201, billing.call(HttpMethod.POST, CONFIRM, admin("root"), forAnn).status());
  }
}

package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static io.streamspace.host.e2e.UsageLines.line;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Plans and currencies over HTTP with the packaged plugin: an admin adds VND (rates and plan
 * prices) through the host's config endpoint; a user changes plan; a VND account opened by
 * {@code user.created} is priced and rated in VND. The host's clock stands at 2026-03-10 12:00
 * UTC.
 */
class SubscriptionE2ETest extends BillingHostTestBase {

  /** The USD rates and plans of the defaults, plus VND: its rates and every plan's VND price. */
  private static final Map<String, Object> VND_CONFIG =
      Map.of(
          "currencyRates",
              Map.of(
                  "VND",
                  Map.of(
                      "cpu_per_core_hour",
                      1250,
                      "memory_per_gb_hour",
                      250,
                      "storage_per_gb_month",
                      2500)),
          "currencyMeterRates",
              Map.of(
                  "VND",
                  Map.of("bandwidth_gb", 2000, "transcoding_minutes", 500, "ai_queries", 25)),
          "subscriptionPlans",
              List.of(
                  plan("free", "Free Tier", "0", 0, 2),
                  plan("pro", "Professional", "29.99", 750_000, 8),
                  plan("enterprise", "Enterprise", "99.99", 2_500_000, 32)));

  private static Map<String, Object> plan(String id, String name, String usd, long vnd, int cpu) {
    return Map.of(
        "id",
        id,
        "name",
        name,
        "price",
        new BigDecimal(usd),
        "interval",
        "month",
        "cpu_limit",
        cpu,
        "prices",
        Map.of("VND", vnd));
  }

  @BeforeAll
  void addVnd() {
    api.http
        .call(
            "PUT",
            "/api/admin/plugins/billing/config",
            api.adminToken,
            HostClient.json(VND_CONFIG),
            HostClient.CONFIG_REASON)
        .expect(200);
  }

  private HostClient.Response subscription(String token) {
    return api.http.get("/api/plugins/billing/subscription", token);
  }

  private HostClient.Response changePlan(String token, String planId) {
    return api.http.put(
        "/api/plugins/billing/subscription", token, HostClient.json(Map.of("plan_id", planId)));
  }

  @Test
  void aUserChangesPlan_theOldTermEndsNow_andTheChangeIsPublished() {
    String user = newUser("ann");
    String token = api.token(user, "user");
    api.postEvents(platformToken, List.of(Events.userCreated(user, at("08:00"))));

    JsonNode before = subscription(token).expect(200);
    JsonNode after = changePlan(token, "pro").expect(200);

    assertEquals("free", before.get("plan_id").asText());
    assertEquals("2026-03-10T08:00:00Z", before.get("started_at").asText());
    assertEquals("pro", after.get("plan_id").asText());
    assertEquals("29.99", amount(after, "price"));
    assertEquals("USD", after.get("currency").asText());
    assertEquals("2026-03-10T12:00:00Z", after.get("started_at").asText());
    assertEquals("free", after.at("/history/0/plan_id").asText());
    assertEquals("2026-03-10T12:00:00Z", after.at("/history/0/ended_at").asText());
    assertEquals(after, subscription(token).expect(200));
    JsonNode samePlan = changePlan(token, "pro").expect(400).at("/error");
    assertEquals("plan_id", samePlan.get("field").asText());
    assertEquals(
        "already on Professional", samePlan.get("message").asText(), "by its name, not its id");
    JsonNode published =
        api.http
            .get("/api/admin/events?type=billing.subscription.changed", api.adminToken)
            .expect(200);
    assertEquals(
        1,
        published.get("events").findValues("payload").stream()
            .filter(
                p ->
                    p.get("user_id").asText().equals(user)
                        && p.get("previous_plan_id").asText().equals("free")
                        && p.get("plan_id").asText().equals("pro"))
            .count(),
        published.toString());
  }

  /**
   * A VND account: 2 cores and 4 GB for one hour cost 2 × 1,250 = 2,500 VND and 4 × 250 =
   * 1,000 VND, 3,500 in all, in whole dong; its plan is priced in VND.
   */
  @Test
  void aVndAccountIsRatedAndPricedInVnd() {
    String user = newUser("thu");
    String token = api.token(user, "user");
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(user, at("07:00"), Map.of("currency", "VND")),
            Events.sessionCreated("s-" + user, user, at("08:00"), "2", "4", "0"),
            Events.sessionTerminated("s-" + user, user, at("09:00"))));

    api.runJob("calculate-usage");

    JsonNode usage = usageOn(token, "2026-03-10", "2026-03-11");
    assertEquals("VND", usage.get("currency").asText());
    assertEquals("2500", amount(line(usage, "cpu"), "total_cost"));
    assertEquals("1250", amount(line(usage, "cpu"), "unit_price"));
    assertEquals("1000", amount(line(usage, "memory"), "total_cost"));
    assertEquals("3500", amount(usage, "total_cost"));
    JsonNode enterprise = changePlan(token, "enterprise").expect(200);
    assertEquals("VND", enterprise.get("currency").asText());
    assertEquals("2500000", amount(enterprise, "price"));
  }
}

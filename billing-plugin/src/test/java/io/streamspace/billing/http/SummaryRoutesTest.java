package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /summary}, the sidebar's quick stats. john is on Hobby (id free: 2 cores, 4 GB, 2
 * sessions, 2 GB storage, hard) with one session of 1 core, 1 GB and 1.8 GB of storage open:
 * storage 90 % (a warning at the 80 % threshold), cores and sessions 50 %, memory 25 %.
 */
class SummaryRoutesTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void theThreeMetersNearestTheirLimitsComeFirst_andTheStatusIsTheWorstOfThem() {
    billing.userCreated("john", Map.of());
    billing.created("2026-03-10T12:00:00Z", "s1", "john", size("1", "1", "1.8"));
    billing.flush();

    JsonNode summary = billing.call(HttpMethod.GET, "/summary", user("john")).body();

    assertEquals("free Hobby USD", plan(summary), summary.toString());
    assertEquals(
        List.of(
            "storage_gb 1.8/2 90.00 warning",
            "cpu_cores 1/2 50.00 ok",
            "active_sessions 1/2 50.00 ok"),
        meters(summary),
        "storage first, then cores before sessions at the same percent (the config's order)");
    assertEquals("warning", summary.get("status").asText());
    assertEquals("2026-03-01T00:00:00Z", summary.get("period_start").asText());
    assertEquals("2026-04-01T00:00:00Z", summary.get("period_end").asText());
    assertEquals(
        billing.call(HttpMethod.GET, "/spending-limit", user("john")).body().at("/estimate/total"),
        summary.get("cost_so_far"),
        "the cost so far is the estimate's total");

    billing.heartbeat("2026-03-10T12:01:00Z", "s1", "john", size("1", "1", "2.5"));
    billing.flush();
    JsonNode over = billing.call(HttpMethod.GET, "/summary", user("john")).body();
    assertEquals("storage_gb 2.5/2 125.00 exceeded", meters(over).get(0));
    assertEquals("exceeded", over.get("status").asText());
  }

  /**
   * A Member sees the organization's plan, meters and status but not its costs, as /usage and
   * /spending-limit keep them from a Member; an Admin and the Owner see them; another
   * organization's owner is refused.
   */
  @Test
  void aMemberSeesNoCost_anAdminAndTheOwnerDo_andAnOutsiderIsRefused() {
    OrgFixtures.created("acme", "olivia", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "adam", "admin", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "mia", "member", "2026-03-01T00:00:00Z");
    OrgFixtures.session(
        billing,
        "acme",
        "s1",
        "mia",
        "2026-03-02T09:00:00Z",
        "2026-03-02T12:00:00Z",
        size("2", "4", "0"));
    billing.flush();

    JsonNode byMember = billing.call(HttpMethod.GET, "/summary?org_id=acme", user("mia")).body();
    JsonNode byAdmin = billing.call(HttpMethod.GET, "/summary?org_id=acme", user("adam")).body();
    JsonNode byOwner = billing.call(HttpMethod.GET, "/summary?org_id=acme", user("olivia")).body();

    assertTrue(byMember.get("cost_so_far").isNull(), byMember.toString());
    assertEquals("acme", byMember.get("org_id").asText());
    assertTrue(byAdmin.get("cost_so_far").isNumber(), byAdmin.toString());
    assertEquals(byAdmin.get("cost_so_far"), byOwner.get("cost_so_far"));
    assertEquals(
        "not_a_member",
        billing
            .call(HttpMethod.GET, "/summary?org_id=acme", user("gus"))
            .body()
            .at("/error/code")
            .asText());
  }

  private static String plan(JsonNode summary) {
    return String.join(
        " ",
        summary.get("plan_id").asText(),
        summary.get("plan_name").asText(),
        summary.get("currency").asText());
  }

  /** Each meter as "meter used/limit percent state". */
  private static List<String> meters(JsonNode summary) {
    List<String> meters = new ArrayList<>();
    for (JsonNode m : summary.get("meters")) {
      meters.add(
          m.get("meter").asText()
              + " "
              + m.get("used").decimalValue().toPlainString()
              + "/"
              + m.get("limit").decimalValue().toPlainString()
              + " "
              + m.get("percent").decimalValue().toPlainString()
              + " "
              + m.get("state").asText());
    }
    return meters;
  }
}

package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.plugin.api.config.ConfigProblem;
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
 * A meter the config adds, billed end to end as in docs/billing-rules.md ("Custom meters"):
 * configured, reported with usage.reported (a redelivered report counted once), shown on /quota,
 * limited by a plan (hard: refused at admission with its code), and priced on the invoice above a
 * soft plan's included amount in USD and in VND. Usage mode, UTC, invoice day 1, one hour of grace;
 * accounts open at 2026-03-01 00:00.
 */
class CustomMeterScenarioTest {

  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String APRIL = "2026-04-01T00:00:00Z";

  /** The meters without the three built-in counters, plus gpu_minutes (sum) and peak_viewers. */
  private static final String METERS =
      """
      [{"id": "cpu_cores"}, {"id": "memory_gb"}, {"id": "active_sessions"},
       {"id": "storage_gb"},
       {"id": "gpu_minutes", "name": "GPU minutes", "unit": "minute", "aggregation": "sum",
        "prices": {"USD": 0.02, "VND": 500}}%s]""";

  private static final String PEAK_VIEWERS =
      """
      , {"id": "peak_viewers", "name": "Peak viewers", "unit": "viewer", "aggregation": "max",
         "prices": {"USD": 0.5, "VND": 10000}}""";

  private static final String PLANS =
      """
      [{"id": "gpu-starter", "name": "GPU starter", "price": 0, "interval": "month",
        "prices": {"VND": 0}, "limits": {"gpu_minutes": {"limit": 100, "kind": "hard"}}},
       {"id": "gpu-flex", "name": "GPU flex", "price": 0, "interval": "month",
        "prices": {"VND": 0}, "limits": {"gpu_minutes": {"limit": 100, "kind": "soft"}%s}}]""";

  private static final String CONFIG =
      """
      {"currencyRates": {"VND": {"cpu_per_core_hour": 1250, "memory_per_gb_hour": 250,
         "storage_per_gb_month": 2500}},
       "currencyMeterRates": {"VND": {"bandwidth_gb": 2000, "transcoding_minutes": 500,
         "ai_queries": 25}},
       "meters": %s,
       "subscriptionPlans": %s,
       "defaultPlan": "gpu-starter",
       "capacityPacks": []}""";

  private static final String WITH_BOTH =
      CONFIG.formatted(
          METERS.formatted(PEAK_VIEWERS),
          PLANS.formatted(", \"peak_viewers\": {\"limit\": 50, \"kind\": \"soft\"}"));

  /** The same config without gpu_minutes: no meter, no plan limits it. */
  private static final String WITHOUT_GPU =
      CONFIG.formatted(
          """
          [{"id": "cpu_cores"}, {"id": "memory_gb"}, {"id": "active_sessions"},
           {"id": "storage_gb"}]""",
          """
          [{"id": "gpu-starter", "name": "GPU starter", "price": 0, "interval": "month",
            "prices": {"VND": 0}},
           {"id": "gpu-flex", "name": "GPU flex", "price": 0, "interval": "month",
            "prices": {"VND": 0}}]""");

  private BillingHarness billing;

  @AfterEach
  void unload() {
    billing.close();
  }

  private void report(String id, String at, String user, String meter, String quantity) {
    billing.billing.onUsageReported(
        billing.context, new UsageReport(id, at(at), user, meter, new BigDecimal(quantity), null));
  }

  private AdmissionDecision asks(String user) {
    return billing.billing.admit(new AdmissionRequest(user, null, size("0.5", "1", "0")));
  }

  private JsonNode quotaOf(String user, String meter) {
    for (JsonNode entry : billing.call(HttpMethod.GET, "/quota", user(user)).body().get("meters")) {
      if (entry.get("meter").asText().equals(meter)) {
        return entry;
      }
    }
    throw new AssertionError("no " + meter + " on " + user + "'s /quota");
  }

  /**
   * ann is on GPU starter (100 GPU minutes, hard). Her platform reports 60 minutes on March 5,
   * the same report again (redelivered: counted once, so 60, not 120), then 40 on March 6: 100,
   * at the hard limit, so a new session is refused with gpu_minutes_limit.
   */
  @Test
  void aCustomMeterReportedTwiceCountsOnce_andItsHardLimitRefusesNewSessionsWithItsCode() {
    billing = new BillingHarness(at(MARCH), WITH_BOTH);
    billing.userCreated("ann", Map.of());
    report("g1", "2026-03-05T10:00:00Z", "ann", "gpu_minutes", "60");
    report("g1", "2026-03-05T10:00:00Z", "ann", "gpu_minutes", "60");
    billing.flush();
    billing.clock.set(at("2026-03-05T12:00:00Z"));

    assertTrue(asks("ann").allowed(), "60 of 100 minutes");
    assertEquals(60, quotaOf("ann", "gpu_minutes").get("used").intValue());
    assertEquals("GPU minutes", quotaOf("ann", "gpu_minutes").get("name").asText());
    assertEquals("minute", quotaOf("ann", "gpu_minutes").get("unit").asText());

    report("g2", "2026-03-06T10:00:00Z", "ann", "gpu_minutes", "40");
    billing.flush();
    billing.clock.set(at("2026-03-06T12:00:00Z"));
    AdmissionDecision refused = asks("ann");

    assertFalse(refused.allowed());
    assertEquals("gpu_minutes_limit", refused.code());
    assertEquals(
        "GPU minutes limit exceeded: 100 minute used this period is at or over the hard limit of"
            + " 100 minute of the GPU starter plan.",
        refused.reason());
    JsonNode quota = quotaOf("ann", "gpu_minutes");
    assertEquals(100, quota.get("used").intValue());
    assertEquals(100, quota.get("limit").intValue());
    assertEquals("exceeded", quota.get("state").asText());
  }

  /**
   * On GPU flex (100 GPU minutes and 50 peak viewers included, soft), bob (USD) and thu (VND)
   * report 90 + 60 = 150 GPU minutes in March, bob's first report delivered twice: 50 over each.
   * bob: 50 × 0.02 = 1.00 USD; thu: 50 × 500 = 25,000 VND. Peak viewers is the period's largest
   * report, whatever the order: bob reports 40, 70, 50, so 70, 20 over × 0.50 = 10.00 USD. The
   * lines come in the meters' order, the unit and price each meter's own.
   */
  @Test
  void aCustomMeterIsInvoicedAboveItsSoftIncludedAmountInUsdAndInVnd() {
    billing = new BillingHarness(at(MARCH), WITH_BOTH);
    billing.userCreated("bob", Map.of("plan", "gpu-flex"));
    billing.userCreated("thu", Map.of("plan", "gpu-flex", "currency", "VND"));
    for (String user : List.of("bob", "thu")) {
      report(user + "1", "2026-03-05T10:00:00Z", user, "gpu_minutes", "90");
      report(user + "1", "2026-03-05T10:00:00Z", user, "gpu_minutes", "90");
      report(user + "2", "2026-03-20T10:00:00Z", user, "gpu_minutes", "60");
    }
    report("v2", "2026-03-12T10:00:00Z", "bob", "peak_viewers", "70");
    report("v1", "2026-03-11T10:00:00Z", "bob", "peak_viewers", "40");
    report("v3", "2026-03-13T10:00:00Z", "bob", "peak_viewers", "50");
    billing.flush();
    billing.clock.set(at("2026-03-25T00:00:00Z"));

    assertEquals(150, quotaOf("bob", "gpu_minutes").get("used").intValue());
    assertEquals(70, quotaOf("bob", "peak_viewers").get("used").intValue());

    billing.runAt(GENERATE_INVOICES, APRIL);
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z"); // finalizes them

    assertEquals(
        List.of(
            "overage gpu_minutes overage gpu_minutes 50 minute 0.02 1.00",
            "overage peak_viewers overage peak_viewers 20 viewer 0.5 10.00"),
        lines(invoiceId("bob", MARCH)));
    assertEquals(
        List.of("overage gpu_minutes overage gpu_minutes 50 minute 500 25000"),
        lines(invoiceId("thu", MARCH)));
  }

  /**
   * gpu_minutes cannot leave the config while March's reports are unbilled; once March's invoice
   * is finalized they are billed, and it can.
   */
  @Test
  void aMeterWithUnbilledUsageCannotBeRemoved_untilItsInvoiceIsFinalized() {
    billing = new BillingHarness(at(MARCH), WITH_BOTH);
    billing.userCreated("bob", Map.of("plan", "gpu-flex"));
    report("b1", "2026-03-05T10:00:00Z", "bob", "gpu_minutes", "150");
    billing.flush();

    List<ConfigProblem> refused = billing.billing.validateConfig(WITHOUT_GPU);

    assertEquals(
        List.of(
            new ConfigProblem(
                "meters",
                "must list gpu_minutes: it has usage not billed yet (reports since their"
                    + " account's last finalized invoice); remove it once that is invoiced")),
        refused);

    billing.runAt(GENERATE_INVOICES, APRIL);
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");

    assertEquals(List.of(), billing.billing.validateConfig(WITHOUT_GPU));
  }
}

package io.streamspace.billing.explain;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A hybrid overage line across a mid-hour plan change, explained hour by hour as invoicing
 * measures it (BillingModesScenarioTest's figures). dan, on Pro (8 cores), runs 40 cores from
 * 11:00 to 14:00 on March 16 and moves to Enterprise (32 cores) at 12:34:56. Each hour is a
 * record of 144,000 core-seconds (40 × 3,600) and what the plans include of it: 11:00 Pro's 8 ×
 * 3,600 = 28,800; 12:00 Pro's for 2,096 s and Enterprise's for 1,504 s, 8 × 2,096 + 32 × 1,504
 * = 64,896; 13:00 Enterprise's 115,200. 432,000 − 208,896 = 223,104 core-seconds × 0.05 /
 * 3,600 = 3.0986… → 3.10, the line; the subtotals after each hour: 1.60, 1.60 + 1.0987 = 2.70,
 * 3.10.
 */
class HybridOverageExplainedTest {

  private static final String MARCH = "2026-03-01T00:00:00Z";

  private final BillingHarness billing =
      new BillingHarness(at(MARCH), "{\"billingMode\": \"hybrid\"}");

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void anOverageLineIsEachHoursRecordsLessWhatThePlansIncludedOfThatHour() {
    billing.userCreated("dan", Map.of("plan", "pro"));
    billing.created("2026-03-16T11:00:00Z", "s1", "dan", size("40", "0", "0"));
    billing.flush();
    billing.clock.set(at("2026-03-16T12:34:56Z"));
    assertEquals(
        200,
        billing
            .call(HttpMethod.PUT, "/subscription", user("dan"), "{\"plan_id\": \"enterprise\"}")
            .status());
    billing.terminated("2026-03-16T14:00:00Z", "s1", "dan");
    billing.calculateUsageAt("2026-04-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
    long march = invoiceId("dan", MARCH);
    assertEquals("overage cpu overage cpu 61.973333 core-hours 0.05 3.10", lines(march).get(2));

    JsonNode body =
        billing.call(HttpMethod.GET, "/invoices/" + march + "/lines/3/explain", user("dan")).body();

    List<String> records = new ArrayList<>();
    for (JsonNode r : body.get("records")) {
      records.add(
          r.get("source").asText()
              + " "
              + r.get("from").asText().substring(11, 16)
              + " "
              + r.get("unit_seconds").decimalValue().toPlainString()
              + " "
              + r.get("subtotal").decimalValue().toPlainString());
    }
    assertEquals(
        List.of(
            "usage_record 11:00 144000 2.00",
            "plan_allowance 11:00 -28800 1.60",
            "usage_record 12:00 144000 3.60",
            "plan_allowance 12:00 -64896 2.70",
            "usage_record 13:00 144000 4.70",
            "plan_allowance 13:00 -115200 3.10"),
        records);
    assertTrue(body.at("/sums/matches_line").asBoolean());
    assertEquals("3.10", body.at("/sums/total").decimalValue().toPlainString());
  }
}

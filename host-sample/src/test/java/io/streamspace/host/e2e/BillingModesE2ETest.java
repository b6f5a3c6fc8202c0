package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static io.streamspace.host.e2e.UsageLines.quantity;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hybrid mode over HTTP with the packaged plugin: an admin switches the billing mode through the
 * host's config endpoint; events go in through the platform intake; the clock is moved past the
 * invoice day and its grace; the jobs run through the host's scheduler; the user reads the
 * finalized invoice. Defaults otherwise: USD, UTC, invoice day 1, 0.05 per core-hour, Pro at
 * 29.99 with 8 cores included.
 */
class BillingModesE2ETest extends BillingHostTestBase {

  @BeforeAll
  void hybridMode() {
    api.http
        .call(
            "PUT",
            "/api/admin/plugins/billing/config",
            api.adminToken,
            HostClient.json(Map.of("billingMode", "hybrid")),
            HostClient.CONFIG_REASON)
        .expect(200);
  }

  /**
   * The seed README's golden example: on Pro (8 cores included) all March, 10 cores from 10:00
   * to 11:00 on March 10 are 2 core-hours over, × 0.05 = 0.10; with the fee, 29.99 + 0.10 =
   * 30.09.
   */
  @Test
  void onProTenCoresForAnHourPayTheFeePlusTwoCoreHoursOfOverage() {
    String ann = newUser("ann");
    String token = api.token(ann, "user");
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(ann, Instant.parse("2026-03-01T00:00:00Z"), Map.of("plan", "pro")),
            Events.sessionCreated(
                "s-" + ann, ann, Instant.parse("2026-03-10T10:00:00Z"), "10", "0", "0"),
            Events.sessionTerminated("s-" + ann, ann, Instant.parse("2026-03-10T11:00:00Z"))));

    clock.set(Instant.parse("2026-04-01T01:00:00Z"));
    api.runJob("calculate-usage");
    api.runJob("generate-invoices");

    JsonNode list = api.http.get("/api/plugins/billing/invoices", token).expect(200);
    assertEquals(1, list.get("invoices").size(), list.toString());
    JsonNode invoice =
        api.http
            .get("/api/plugins/billing/invoices/" + list.at("/invoices/0/id").asLong(), token)
            .expect(200);
    assertEquals("sent", invoice.get("status").asText(), invoice.toString());
    assertEquals("2026-03-01T00:00:00Z", invoice.get("period_start").asText());
    assertEquals("2026-04-01T00:00:00Z", invoice.get("period_end").asText());
    assertEquals(
        List.of("30.09", "0.00", "30.09"),
        List.of(
            amount(invoice, "subtotal"),
            amount(invoice, "credits_applied"),
            amount(invoice, "total")));
    JsonNode lines = invoice.get("lines");
    assertEquals(2, lines.size(), lines.toString());
    assertEquals(
        List.of("plan_fee", "29.99", "29.99"),
        List.of(
            lines.at("/0/kind").asText(),
            amount(lines.get(0), "unit_price"),
            amount(lines.get(0), "amount")));
    assertEquals(
        List.of("overage", "cpu", "0.10"),
        List.of(
            lines.at("/1/kind").asText(),
            lines.at("/1/resource_type").asText(),
            amount(lines.get(1), "amount")));
    assertEquals(new BigDecimal("2"), quantity(lines.get(1)));
    assertEquals("0.05", amount(lines.get(1), "unit_price"));
  }
}

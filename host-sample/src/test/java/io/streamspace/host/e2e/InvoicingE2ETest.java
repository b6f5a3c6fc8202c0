package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Monthly invoicing over HTTP with the packaged plugin: events posted in March, the clock moved
 * past the invoice day and its grace, the jobs run through the host's scheduler, then an admin's
 * invoice, a refused overlap and a payment. Defaults: usage mode, USD, UTC, invoice day 1, one
 * hour of grace, 0.05 per core-hour and 0.01 per GB-hour.
 */
class InvoicingE2ETest extends BillingHostTestBase {

  @Test
  void marchIsInvoicedOnApril1_anAdminInvoicesAprilFirst_overlapsAreRefused_andPaymentIsRecorded() {
    String ann = newUser("ann");
    String bob = newUser("bob");
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(ann, Instant.parse("2026-03-10T00:30:00Z")),
            Events.userCreated(bob, Instant.parse("2026-03-10T00:30:00Z")),
            Events.sessionCreated(
                "s-" + ann, ann, Instant.parse("2026-03-10T01:00:00Z"), "2", "4", "0"),
            Events.sessionTerminated("s-" + ann, ann, Instant.parse("2026-03-10T11:00:00Z"))));

    // past midnight of April 1 plus the hour of grace: March is invoiced and finalized at once
    clock.set(Instant.parse("2026-04-01T01:00:00Z"));
    api.runJob("calculate-usage");
    JsonNode run = api.runJob("generate-invoices");
    assertTrue(run.get("message").asText().contains("finalized 2 invoices"), run.toString());
    // the packaged plugin's own counter, under its id, in the host's metrics
    String metrics = api.http.get("/metrics", api.adminToken).expect(200).asText();
    assertTrue(
        metrics.contains(
            "\nstreamspace_plugin_billing_invoices_finalized_total{currency=\"USD\"} 2"),
        metrics);

    // 2 cores and 4 GB for 10 hours: 20 core-hours = 1.00 and 40 GB-hours = 0.40
    JsonNode annMarch = createdEvent(ann);
    // by value: the host's event log parses payloads again and does not keep a decimal's scale
    assertEquals(0, new BigDecimal("1.40").compareTo(annMarch.get("total").decimalValue()));
    assertEquals("sent", annMarch.get("status").asText());
    JsonNode bobMarch = createdEvent(bob);
    assertEquals("paid", bobMarch.get("status").asText(), "nothing used: paid at once");
    assertEquals(
        Set.of("INV-2026-000001", "INV-2026-000002"),
        Set.of(annMarch.get("invoice_number").asText(), bobMarch.get("invoice_number").asText()));

    // bob runs one core for two hours on April 1; an admin invoices that day on its own
    clock.set(Instant.parse("2026-04-02T00:30:00Z"));
    api.postEvents(
        platformToken,
        List.of(
            Events.sessionCreated(
                "s-" + bob, bob, Instant.parse("2026-04-01T02:00:00Z"), "1", "0", "0"),
            Events.sessionTerminated("s-" + bob, bob, Instant.parse("2026-04-01T04:00:00Z"))));
    api.runJob("calculate-usage");
    JsonNode april1 = adminInvoice(bob, "2026-04-01", "2026-04-02").expect(201);
    assertEquals("INV-2026-000003", april1.get("invoice_number").asText());
    assertEquals("sent", april1.get("status").asText());
    assertEquals("0.10", amount(april1, "total"));
    assertEquals("cpu", april1.at("/lines/0/resource_type").asText());

    HostClient.Response overlap = adminInvoice(bob, "2026-03-15", "2026-04-01");
    assertEquals(409, overlap.status());
    assertEquals("invoice_exists", overlap.body().at("/error/code").asText());
    assertEquals(
        bobMarch.get("invoice_id").asLong(), overlap.body().at("/error/invoice_id").asLong());

    JsonNode paid =
        api.http
            .call(
                "PATCH",
                "/api/plugins/billing/admin/invoices/" + annMarch.get("invoice_id").asLong(),
                api.adminToken,
                HostClient.json(Map.of("status", "paid", "note", "bank transfer")))
            .expect(200);
    assertEquals("paid", paid.get("status").asText());
    assertTrue(
        events("billing.invoice.paid").stream()
            .anyMatch(e -> e.get("invoice_id").asLong() == annMarch.get("invoice_id").asLong()));
  }

  private HostClient.Response adminInvoice(String user, String start, String end) {
    return api.http.post(
        "/api/plugins/billing/admin/invoices",
        api.adminToken,
        HostClient.json(
            Map.of("user_id", user, "period_start", start, "period_end", end, "reason", "e2e")));
  }

  private JsonNode createdEvent(String user) {
    return events("billing.invoice.created").stream()
        .filter(e -> e.get("user_id").asText().equals(user))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no invoice event for " + user));
  }

  /** The payloads of the events of that type the plugin published, as the host logged them. */
  private List<JsonNode> events(String type) {
    JsonNode events =
        api.http.get("/api/admin/events?type=" + type, api.adminToken).expect(200).get("events");
    return StreamSupport.stream(events.spliterator(), false).map(e -> e.get("payload")).toList();
  }
}

package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import io.streamspace.testing.Await;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Monthly invoicing over HTTP with the packaged plugin: events posted in March, the clock moved
 * past the invoice day and its grace, the jobs run through the host's scheduler, then an admin's
 * invoice, a refused overlap and a payment. Defaults: usage mode, USD, UTC, invoice day 1, one
 * hour of grace, 0.05 per core-hour and 0.01 per GB-hour.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InvoicingE2ETest extends BillingHostTestBase {

  @Test
  @Order(1)
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
    api.awaitCaughtUp("billing"); // stored by the plugin before the jobs run (Kafka's is later)
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
    api.awaitCaughtUp("billing");
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

  /**
   * A held meter, configured over HTTP and reported in session events' {@code resources}, billed
   * with no code of its own: thu (VND) holds 1 GPU from 09:00 on March 10 and 2 from 09:20 (a
   * heartbeat resize) to 11:00, with 1 core. GPU: 1 × 1,200 + 2 × 6,000 = 13,200 GPU-seconds =
   * 3.666667 GPU-hours × 22,000 = 80,666.67 → 80,667 VND; cpu 2 core-hours × 1,250 = 2,500; total
   * 83,167. A batch with a negative GPU is refused whole, naming the field, nothing journaled.
   * Invoiced in VND, after the other test (whose invoices must be the host's first numbers).
   */
  @Test
  @Order(2) // after the first, whose invoice numbers and USD count are the host's first
  void aGpuHeldBySessionsIsInvoicedPerGpuHour_configuredAndReportedOverHttp() {
    api.http
        .call(
            "PUT",
            "/api/admin/plugins/billing/config",
            api.adminToken,
            """
            {"meters": [{"id": "cpu_cores"}, {"id": "memory_gb"}, {"id": "active_sessions"},
              {"id": "storage_gb"}, {"id": "bandwidth_gb"}, {"id": "transcoding_minutes"},
              {"id": "ai_queries"},
              {"id": "gpu", "name": "GPU", "unit": "gpu", "kind": "held",
               "prices": {"USD": 0.90, "VND": 22000}}]}""",
            HostClient.CONFIG_REASON)
        .expect(200);
    String thu = newUser("thu");
    String s = "s-" + thu;
    Map<String, Object> refused =
        Events.holdingGpus(
            Events.sessionCreated(s, thu, Instant.parse("2026-03-10T09:00:00Z"), "1", "0", "0"),
            "-1");
    HostClient.Response bad =
        api.http.post("/api/platform/events", platformToken, HostClient.json(List.of(refused)));
    assertEquals(400, bad.status());
    assertEquals("session.resources.gpu", bad.body().at("/error/details/0/field").asText());
    assertEquals(
        0,
        api.http
            .get("/api/admin/journal?user_id=" + thu, api.adminToken)
            .expect(200)
            .get("events")
            .size(),
        "nothing journaled");

    Map<String, Object> resized =
        Events.holdingGpus(
            Events.sessionCreated(s, thu, Instant.parse("2026-03-10T09:20:00Z"), "1", "0", "0"),
            "2");
    resized.put("type", "session.heartbeat");
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(
                thu, Instant.parse("2026-03-10T08:30:00Z"), Map.of("currency", "VND")),
            Events.holdingGpus(
                Events.sessionCreated(s, thu, Instant.parse("2026-03-10T09:00:00Z"), "1", "0", "0"),
                "1"),
            resized,
            Events.sessionTerminated(s, thu, Instant.parse("2026-03-10T11:00:00Z"))));

    api.awaitCaughtUp("billing"); // stored by the plugin before the jobs run
    // the journal's listing (on Kafka, its index's consumer) shows the batch once it has read it
    JsonNode journaled =
        Await.await(
            Duration.ofSeconds(10),
            Duration.ofMillis(50),
            "the session's three events listed",
            () -> api.http.get("/api/admin/journal?session_id=" + s, api.adminToken).expect(200),
            listed -> listed.get("events").size() == 3);
    assertEquals(
        "{\"gpu\":2}",
        journaled.at("/events/1/event/session/resources").toString(),
        journaled.toString());

    Instant invoiced = Instant.parse("2026-04-01T01:00:00Z");
    if (clock.instant().isBefore(invoiced)) {
      clock.set(invoiced);
    }
    api.runJob("calculate-usage");
    api.runJob("generate-invoices");

    String token = api.token(thu, "user");
    JsonNode list = api.http.get("/api/plugins/billing/invoices", token).expect(200);
    long id = list.at("/invoices/0/id").asLong();
    JsonNode invoice = api.http.get("/api/plugins/billing/invoices/" + id, token).expect(200);
    assertEquals("VND", invoice.get("currency").asText(), invoice.toString());
    JsonNode gpu = invoice.at("/lines/1");
    assertEquals("gpu", gpu.get("resource_type").asText(), invoice.toString());
    assertEquals("gpu-hours", gpu.get("unit").asText());
    assertEquals(0, new BigDecimal("3.666667").compareTo(gpu.get("quantity").decimalValue()));
    assertEquals("80667", amount(gpu, "amount"));
    assertEquals("83167", amount(invoice, "total"));
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

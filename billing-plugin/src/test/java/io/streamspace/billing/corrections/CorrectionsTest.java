package io.streamspace.billing.corrections;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.invoices;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Usage corrections end to end in the plugin, against real PostgreSQL, with figures worked out by
 * hand. Defaults: usage mode, USD, UTC, invoice day 1, one hour of grace, a heartbeat timeout
 * (the late-event grace) of 10 minutes; 0.05 per core-hour, 0.01 per GB-hour.
 *
 * <p>The story: alice ran s1 on 2026-03-02 from 10:00 to 14:00 with 2 cores and 4 GB: 8
 * core-hours (0.40) and 16 GB-hours (0.16) in March.
 */
class CorrectionsTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  private void aliceRanS1() {
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("2", "4", "0"));
    billing.terminated("2026-03-02T14:00:00Z", "s1", "alice");
    billing.calculateUsageAt("2026-03-02T15:00:00Z");
  }

  /** March invoiced: INV-2026-000001, cpu 0.40 and memory 0.16. */
  private void marchInvoiced() {
    billing.calculateUsageAt("2026-04-01T01:30:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:30:00Z");
    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000001 0.56 0.00 0.56"),
        invoices("alice"));
  }

  private static final String CPU_4_FROM_11_TO_13 =
      """
      {"reason": "the platform reported 2 cores, s1 held 4 from 11:00 to 13:00",
       "items": [{"amend": {"session_id": "s1", "from": "2026-03-02T11:00:00Z",
                            "to": "2026-03-02T13:00:00Z", "cpu_cores": 4}}]}""";

  private Answer post(String body, String key) {
    return billing.call(
        HttpMethod.POST,
        "/admin/corrections",
        admin("root"),
        body,
        key == null ? Map.of() : Map.of("idempotency-key", key));
  }

  private static JsonNode invoice(Answer answer, int i) {
    return answer.body().path("invoices").path(i);
  }

  @Test
  void amendingASessionsCpuBeforeItsPeriodIsInvoicedBillsTheCorrectedUsageOnThatInvoice() {
    aliceRanS1();
    billing.clock.set(at("2026-03-03T00:00:00Z"));

    Answer answer = post(CPU_4_FROM_11_TO_13, null);

    // 2 more cores for 2 hours: 4 core-hours, 0.20, on March's invoice (not drafted yet)
    assertEquals(201, answer.status(), answer.body().toString());
    JsonNode march = invoice(answer, 0);
    assertEquals("on_invoice", march.path("outcome").asText());
    assertEquals("0.56 0.76 0.20", figures(march));
    assertEquals("cpu usage 0.40 0.60", line(march, 0));
    marchInvoiced("0.76");
    assertEquals(
        List.of(
            "usage cpu usage cpu 12 core-hours 0.05 0.60",
            "usage memory usage memory 16 gb-hours 0.01 0.16"),
        lines(invoiceId("alice", "2026-03-01T00:00:00Z")));
  }

  @Test
  void amendingASessionsCpuAfterItsInvoiceBillsTheDifferenceAsACorrectionLineOnTheNextInvoice() {
    aliceRanS1();
    marchInvoiced();
    billing.clock.set(at("2026-04-05T00:00:00Z"));

    Answer answer = post(CPU_4_FROM_11_TO_13, null);

    assertEquals(201, answer.status(), answer.body().toString());
    JsonNode march = invoice(answer, 0);
    assertEquals("INV-2026-000001", march.path("invoice_number").asText());
    assertEquals("correction_line", march.path("outcome").asText());
    assertEquals("0.56 0.76 0.20", figures(march));
    long id = answer.body().path("id").asLong();
    // the finalized invoice never changes; April's bills the difference, naming the correction
    assertEquals(
        List.of(
            "usage cpu usage cpu 8 core-hours 0.05 0.40",
            "usage memory usage memory 16 gb-hours 0.01 0.16"),
        lines(invoiceId("alice", "2026-03-01T00:00:00Z")));
    billing.calculateUsageAt("2026-05-01T01:30:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:30:00Z");
    long april = invoiceId("alice", "2026-04-01T00:00:00Z");
    assertEquals(
        List.of(
            "correction Correction "
                + id
                + " to INV-2026-000001 (2026-03-01 – 2026-04-01): cpu usage cpu 4 core-hours"
                + " 0.05 0.20"),
        lines(april));
    // explained down to the correction's records: two slices of 2 more cores, 0.10 each
    Answer explained =
        billing.call(HttpMethod.GET, "/invoices/" + april + "/lines/1/explain", user("alice"));
    assertEquals(200, explained.status(), explained.body().toString());
    assertEquals("0.20", explained.body().at("/sums/total").decimalValue().toPlainString());
    assertEquals(2, explained.body().path("records").size());
    JsonNode first = explained.body().path("records").path(0);
    assertEquals("correction_record s1 2026-03-02T11:00:00Z 2 0.10", record(first));
    assertTrue(first.path("detail").asText().contains("amend_sizes s1"), first.toString());
  }

  private void marchInvoiced(String subtotal) {
    billing.calculateUsageAt("2026-04-01T01:30:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:30:00Z");
    assertEquals(
        List.of(
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000001 "
                + subtotal
                + " 0.00 "
                + subtotal),
        invoices("alice"));
  }

  private static String figures(JsonNode invoice) {
    return invoice.path("before").decimalValue().toPlainString()
        + " "
        + invoice.path("after").decimalValue().toPlainString()
        + " "
        + invoice.path("difference").decimalValue().toPlainString();
  }

  private static String line(JsonNode invoice, int i) {
    JsonNode line = invoice.path("lines").path(i);
    return line.path("description").asText()
        + " "
        + line.path("before").decimalValue().toPlainString()
        + " "
        + line.path("after").decimalValue().toPlainString();
  }

  private static String record(JsonNode record) {
    return record.path("source").asText()
        + " "
        + record.path("session_id").asText()
        + " "
        + record.path("from").asText()
        + " "
        + record.path("quantity").decimalValue().stripTrailingZeros().toPlainString()
        + " "
        + record.path("amount").decimalValue().toPlainString();
  }
}

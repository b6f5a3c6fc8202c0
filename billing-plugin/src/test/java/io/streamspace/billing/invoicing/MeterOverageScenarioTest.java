package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.invoices;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.http.HttpMethod;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Period counters above the plan's included amount, through the whole path: usage reports
 * through the plugin's hook (redelivered and out of order), generate-invoices, the draft's
 * preview during the grace, finalization, the stored lines and the PDF, with figures worked out by
 * hand. UTC, invoice day 1, one hour of grace; accounts open at 2026-03-01 00:00.
 */
class MeterOverageScenarioTest {

  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String APRIL = "2026-04-01T00:00:00Z";

  /** Hybrid, USD and VND, one plan whose bandwidth is soft and transcoding hard. */
  private static final String HYBRID_USD_AND_VND =
      """
      {"billingMode": "hybrid",
       "currencyRates": {"VND": {"cpu_per_core_hour": 1250, "memory_per_gb_hour": 250,
         "storage_per_gb_month": 2500}},
       "currencyMeterRates": {"VND": {"bandwidth_gb": 2000, "transcoding_minutes": 500,
         "ai_queries": 25}},
       "subscriptionPlans": [
         {"id": "free", "name": "Free Tier", "price": 0, "interval": "month",
          "prices": {"VND": 0},
          "limits": {"bandwidth_gb": {"limit": 5},
                     "transcoding_minutes": {"limit": 60, "kind": "hard"}}}]}""";

  private BillingHarness billing;

  @AfterEach
  void unload() {
    billing.close();
  }

  private void deliver(String flushes, Map<String, UsageReport> reports) {
    billing.deliverInFlushes(
        flushes, name -> billing.billing.onUsageReported(billing.context, reports.get(name)));
  }

  private String pdfText(long invoiceId) throws IOException {
    byte[] pdf =
        billing
            .context
            .routes()
            .call(HttpMethod.GET, "/invoices/" + invoiceId + "/pdf", user("ann"))
            .body();
    try (PDDocument document = Loader.loadPDF(pdf)) {
      return new PDFTextStripper().getText(document);
    }
  }

  private static UsageReport report(
      String id, String at, String user, String meter, String quantity) {
    return new UsageReport(id, at(at), user, meter, new BigDecimal(quantity), null);
  }

  /**
   * Usage mode, default plans: Free includes 100 AI queries (soft) and 5 GB of bandwidth (hard,
   * the mode's default kind). ann asks 600 + 405 + 100 = 1,105 queries in March (the last at
   * its final second), each report delivered twice, out of order: 1,005 over × 0.001 = 1.005,
   * half up 1.01. Her 12 GB of bandwidth is capped, not billed. The 150 queries of April 1
   * 00:00 are April's: 50 over, 0.05. A report of March 25 delivered after March's invoice was
   * finalized is billed on neither invoice (March's is overdue by May 1: due April 15).
   */
  @Test
  void aSoftCounterIsInvoicedAboveItsIncludedAmountToTheCentOncePerReport() throws IOException {
    billing = new BillingHarness(at(MARCH), "{}");
    billing.userCreated("ann", Map.of());
    Map<String, UsageReport> reports =
        Map.of(
            "q1", report("q1", "2026-03-05T10:00:00Z", "ann", "ai_queries", "600"),
            "q2", report("q2", "2026-03-20T10:00:00Z", "ann", "ai_queries", "405"),
            "q3", report("q3", "2026-03-31T23:59:59Z", "ann", "ai_queries", "100"),
            "q4", report("q4", APRIL, "ann", "ai_queries", "150"),
            "b1", report("b1", "2026-03-10T10:00:00Z", "ann", "bandwidth_gb", "12"),
            "late", report("late", "2026-03-25T10:00:00Z", "ann", "ai_queries", "10"));
    deliver("q4 q3 | q1 b1 q2 q3 | q2 q4 q1 b1", reports);

    billing.runAt(GENERATE_INVOICES, APRIL); // a draft: still in its grace
    long march = invoiceId("ann", MARCH);
    Answer preview = billing.call(HttpMethod.GET, "/invoices/" + march, user("ann"));
    assertEquals(
        """
        [{"line_no":1,"kind":"overage","description":"ai_queries overage",\
        "resource_type":"ai_queries","quantity":1005,"unit":"query","unit_price":0.001,\
        "amount":1.01,"period_start":"2026-03-01T00:00:00Z",\
        "period_end":"2026-04-01T00:00:00Z"}]""",
        preview.body().get("lines").toString());

    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z"); // finalizes it
    deliver("late", reports);
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");

    assertEquals(
        List.of("overage ai_queries overage ai_queries 1005 query 0.001 1.01"), lines(march));
    String pdf = pdfText(march);
    assertTrue(pdf.contains("ai_queries overage 1005 query 0.001 1.01"), pdf);
    assertEquals(
        List.of("overage ai_queries overage ai_queries 50 query 0.001 0.05"),
        lines(invoiceId("ann", APRIL)));
    assertEquals(
        List.of(
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z overdue INV-2026-000001 1.01 0.00 1.01",
            "2026-04-01T00:00:00Z..2026-05-01T00:00:00Z sent INV-2026-000002 0.05 0.00 0.05"),
        invoices("ann"));
  }

  /**
   * Usage mode, default plans: ann is on Pro (1,000 AI queries, soft) and asks 1,500 on March
   * 5, then moves to Free (100) on March 16 through {@code PUT /subscription}. The plan at the
   * period's end sets March's included amount: 1,400 over × 0.001 = 1.40 (Pro's would have been
   * 0.50; no plan fee in usage mode).
   */
  @Test
  void aPlanChangedMidPeriodIncludesWhatThePlanAtThePeriodsEndIncludes() {
    billing = new BillingHarness(at(MARCH), "{}");
    billing.userCreated("ann", Map.of("plan", "pro"));
    deliver("q1", Map.of("q1", report("q1", "2026-03-05T10:00:00Z", "ann", "ai_queries", "1500")));
    billing.clock.set(at("2026-03-16T00:00:00Z"));
    assertEquals(
        200,
        billing
            .call(HttpMethod.PUT, "/subscription", user("ann"), "{\"plan_id\": \"free\"}")
            .status());

    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");

    assertEquals(
        List.of("overage ai_queries overage ai_queries 1400 query 0.001 1.40"),
        lines(invoiceId("ann", MARCH)));
  }

  /**
   * Hybrid, Free includes 5 GB of bandwidth (soft, the mode's default) and 60 transcoding
   * minutes (hard). thu (VND) uses 3.25 + 2.00025 = 5.25025 GB: 0.25025 over × 2,000 = 500.5,
   * half up 501 dong. alice (USD) uses 7.3125 GB: 2.3125 over × 0.08 = 0.185, half up 0.19.
   * Both transcode 90 minutes: over the hard limit, not billed. The plan fee is 0.
   */
  @Test
  void hybridBillsSoftCounterOverageInEachAccountsCurrency() {
    billing = new BillingHarness(at(MARCH), HYBRID_USD_AND_VND);
    billing.userCreated("thu", Map.of("currency", "VND"));
    billing.userCreated("alice", Map.of());
    Map<String, UsageReport> reports =
        Map.of(
            "t1", report("t1", "2026-03-02T00:00:00Z", "thu", "bandwidth_gb", "3.25"),
            "t2", report("t2", "2026-03-30T00:00:00Z", "thu", "bandwidth_gb", "2.00025"),
            "t3", report("t3", "2026-03-30T00:00:00Z", "thu", "transcoding_minutes", "90"),
            "a1", report("a1", "2026-03-03T00:00:00Z", "alice", "bandwidth_gb", "7.3125"),
            "a2", report("a2", "2026-03-03T00:00:00Z", "alice", "transcoding_minutes", "90"));
    deliver("t2 a2 | t3 t1 a1 t2 | a1", reports);

    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");

    assertEquals(
        List.of(
            "plan_fee Free Tier, 2026-03-01 – 2026-04-01 null null null 0 0",
            "overage bandwidth_gb overage bandwidth_gb 0.25025 GB 2000 501"),
        lines(invoiceId("thu", MARCH)));
    assertEquals(
        List.of(
            "plan_fee Free Tier, 2026-03-01 – 2026-04-01 null null null 0 0.00",
            "overage bandwidth_gb overage bandwidth_gb 2.3125 GB 0.08 0.19"),
        lines(invoiceId("alice", MARCH)));
  }

  /**
   * Hybrid, Free includes 5 GB of bandwidth (soft). alice uses 7.3125 GB on March 3 and 50 GB on
   * March 25, and buys a 50 GB bandwidth pack (one-time, 4.00 USD) on March 20: it is active in
   * March, so March includes 5 + 50 = 55 GB: 57.3125 − 55 = 2.3125 over × 0.08 = 0.185, half up
   * 0.19 (without the pack 52.3125 × 0.08 = 4.185, 4.19). The pack is its own line.
   */
  @Test
  void aBandwidthPackBoughtInThePeriodRaisesThatPeriodsIncludedAmount() {
    billing = new BillingHarness(at(MARCH), HYBRID_USD_AND_VND);
    billing.userCreated("alice", Map.of());
    Map<String, UsageReport> reports =
        Map.of(
            "a1", report("a1", "2026-03-03T00:00:00Z", "alice", "bandwidth_gb", "7.3125"),
            "a2", report("a2", "2026-03-25T00:00:00Z", "alice", "bandwidth_gb", "50"));
    deliver("a1 a2", reports);
    billing.clock.set(at("2026-03-20T00:00:00Z"));
    assertEquals(
        201,
        billing
            .call(HttpMethod.POST, "/packs/bandwidth-50/purchase", user("alice"), "{}")
            .status());

    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");

    List<String> march = lines(invoiceId("alice", MARCH));
    assertEquals(3, march.size(), march.toString());
    assertEquals("plan_fee Free Tier, 2026-03-01 – 2026-04-01 null null null 0 0.00", march.get(0));
    assertEquals("overage bandwidth_gb overage bandwidth_gb 2.3125 GB 0.08 0.19", march.get(1));
    assertTrue(march.get(2).startsWith("pack "), march.get(2));
    assertTrue(march.get(2).endsWith(" 4.00"), march.get(2));
  }
}

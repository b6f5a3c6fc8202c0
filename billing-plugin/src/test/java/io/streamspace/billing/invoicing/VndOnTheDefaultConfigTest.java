package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing saved in the config: a {@code user.created} asking for VND opens a VND account, priced
 * at the default VND rates from usage to invoice (docs/getting-started.md, "Pricing in VND").
 */
class VndOnTheDefaultConfigTest {

  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String APRIL = "2026-04-01T00:00:00Z";

  private final BillingHarness billing = new BillingHarness(at(MARCH), "{}");

  @AfterEach
  void unload() {
    billing.close();
  }

  /**
   * thu, on the default plan (Hobby, 0 VND), runs 2 cores and 4 GB for 10 hours: 20 core-hours
   * × 1,250 = 25,000 VND and 40 GB-hours × 250 = 10,000 VND. She asks the AI 120 times, 20 above
   * Hobby's 100 included (soft): 20 × 25 = 500 VND of overage on the invoice. March's invoice:
   * 35,500 VND.
   */
  @Test
  void aVndUserCreatedIsRatedAndInvoicedInVndAtTheDefaultRates() {
    billing.userCreated("thu", Map.of("currency", "VND"));
    billing.session(
        "s1", "thu", "2026-03-02T08:00:00Z", "2026-03-02T18:00:00Z", size("2", "4", "0"));
    billing.billing.onUsageReported(
        billing.context,
        new UsageReport(
            "q1", at("2026-03-05T10:00:00Z"), "thu", "ai_queries", new BigDecimal("120"), null));
    billing.flush();
    billing.calculateUsageAt("2026-03-02T19:00:00Z");

    Answer usage =
        billing.call(HttpMethod.GET, "/usage?from=2026-03-01&to=2026-04-01", user("thu"));
    assertEquals(200, usage.status(), usage.body().toString());
    assertEquals("VND", usage.body().get("currency").asText());
    assertEquals("35000", usage.body().get("total_cost").decimalValue().toPlainString());
    assertEquals(
        List.of(List.of("thu", "VND", "free", "VND", "0")),
        rows(
            """
            SELECT a.user_id, a.currency::text, s.plan_id, s.currency::text, s.price::text
            FROM billing_accounts a JOIN billing_subscriptions s USING (user_id)"""));

    billing.runAt(GENERATE_INVOICES, APRIL);
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z"); // after its grace: finalized
    long march = invoiceId("thu", MARCH);

    assertEquals(
        List.of(
            "usage cpu usage cpu 20 core-hours 1250 25000",
            "usage memory usage memory 40 gb-hours 250 10000",
            "overage ai_queries overage ai_queries 20 query 25 500"),
        lines(march));
    assertEquals(
        List.of(List.of("VND", "35500")),
        rows("SELECT currency::text, total::text FROM billing_invoices WHERE id = ?", march));
  }
}

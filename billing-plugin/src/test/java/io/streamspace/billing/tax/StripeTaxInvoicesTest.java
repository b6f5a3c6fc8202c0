package io.streamspace.billing.tax;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.billing.jobs.FinalizeInvoicesJob;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
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
 * Tax computed by Stripe Tax, recorded by us: the real stripe-java client against WireMock
 * answering {@code POST /v1/tax/calculations} as Stripe's API does (a {@code tax.calculation}
 * with its {@code line_items} expanded), on real PostgreSQL. Each organization ran one session of
 * 2 cores and 4 GB for 100 hours in March (usage mode): its April 1st invoice has a CPU line of
 * 2 × 100 × 0.05 = 10.00 USD (250000 VND at 1250) and a memory line of 4 × 100 × 0.01 = 4.00 USD
 * (100000 VND at 250), finalized at 01:00 after the hour of grace.
 */
class StripeTaxInvoicesTest {

  private static final String KEY = "sk_test_tax";
  private static final String TAXED =
      "{\"stripeEnabled\": true, \"stripeTax\": true, "
          + BillingHarness.USD_AND_VND_CONFIG.substring(1);
  private static final String FINALIZED = "2026-04-01T01:00:00Z";
  private static final String CALCULATIONS = "/v1/tax/calculations";

  private final WireMockServer stripe = new WireMockServer(options().dynamicPort());
  private BillingHarness billing;

  private void load(String config) {
    stripe.start();
    billing = new BillingHarness(at("2026-03-01T00:00:00Z"), config);
    billing.context.setSecret("STRIPE_SECRET_KEY", KEY);
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", "whsec_tax");
    StripeTestEndpoint.pointAt(billing.billing, stripe.baseUrl());
  }

  @AfterEach
  void stop() {
    if (billing != null) {
      billing.close();
    }
    stripe.stop();
  }

  /** 100 hours of 2 cores and 4 GB in March: lines 10.00 and 4.00 USD. */
  private void usedHundredHours(String account, Map<String, String> attributes) {
    billing.userCreated(account, attributes);
    billing.flush();
    billing.session(
        "s-" + account,
        account,
        "2026-03-02T00:00:00Z",
        "2026-03-06T04:00:00Z",
        size("2", "4", "0"));
    billing.flush();
  }

  private void finalizeMarch() {
    billing.calculateUsageAt(FINALIZED);
    billing.runAt(GENERATE_INVOICES, FINALIZED);
  }

  private static void address(String account, String country, String state, String taxIds) {
    TestDatabase.execute(
        """
        INSERT INTO billing_tax_details (account_id, name, line1, city, state, postal_code,
            country, tax_ids, session_id, event_at, updated_at)
        VALUES ('%s', 'Org %s', '1 Main St', 'Somewhere', %s, '10000', '%s', '%s', 'cs_seed',
                '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z')"""
            .formatted(
                account, account, state == null ? "NULL" : "'" + state + "'", country, taxIds));
  }

  private static long invoiceOf(String account) {
    return (Long) value("SELECT id FROM billing_invoices WHERE user_id = ?", account);
  }

  private JsonNode invoice(String account) {
    return billing.call(HttpMethod.GET, "/invoices/" + invoiceOf(account), user(account)).body();
  }

  private String pdfText(String account) throws IOException {
    byte[] pdf =
        billing
            .context
            .routes()
            .call(HttpMethod.GET, "/invoices/" + invoiceOf(account) + "/pdf", user(account))
            .body();
    try (PDDocument document = Loader.loadPDF(pdf)) {
      return new PDFTextStripper().getText(document);
    }
  }

  private String csv(String account) {
    return billing.text("/invoices/" + invoiceOf(account) + "/csv", user(account)).body();
  }

  private List<String> published(String type) {
    return billing.context.published().stream().filter(e -> e.startsWith(type + " ")).toList();
  }

  // --- Stripe's shapes: a tax.calculation with its line_items expanded

  /** One row of a line item's tax_breakdown. */
  private static String breakdown(
      long amount,
      long taxable,
      String country,
      String state,
      String jurisdiction,
      String level,
      String rate,
      String taxType,
      String reason) {
    return """
        {"amount": %d, "jurisdiction": {"country": "%s", "display_name": "%s", "level": "%s",
          "state": %s}, "sourcing": "destination",
         "tax_rate_details": {"display_name": "%s", "percentage_decimal": "%s",
          "tax_type": "%s"},
         "taxability_reason": "%s", "taxable_amount": %d}"""
        .formatted(
            amount,
            country,
            jurisdiction,
            level,
            state == null ? "null" : "\"" + state + "\"",
            taxType.equals("vat") ? "VAT" : "Sales Tax",
            rate,
            taxType,
            reason,
            taxable);
  }

  /** A line item of the calculation: its reference is our line number. */
  private static String lineItem(int reference, long amount, long tax, String breakdown) {
    return """
        {"id": "tax_li_%d", "object": "tax.calculation_line_item", "amount": %d,
         "amount_tax": %d, "livemode": false, "metadata": {}, "product": null, "quantity": 1,
         "reference": "%d", "tax_behavior": "exclusive", "tax_breakdown": [%s],
         "tax_code": "txcd_10000000"}"""
        .formatted(reference, amount, tax, reference, breakdown);
  }

  private static String calculation(
      String currency, String country, long total, long taxExclusive, String... lineItems) {
    return """
        {"id": "taxcalc_1", "object": "tax.calculation", "amount_total": %d, "currency": "%s",
         "customer": null,
         "customer_details": {"address": {"country": "%s"}, "address_source": "billing",
          "ip_address": null, "tax_ids": [], "taxability_override": "none"},
         "expires_at": 1775520000, "livemode": false, "ship_from_details": null,
         "shipping_cost": null, "tax_amount_exclusive": %d, "tax_amount_inclusive": 0,
         "tax_breakdown": [], "tax_date": 1775005200,
         "line_items": {"object": "list", "data": [%s], "has_more": false,
          "url": "/v1/tax/calculations/taxcalc_1/line_items"}}"""
        .formatted(total, currency, country, taxExclusive, String.join(",", lineItems));
  }

  /**
   * Washington's 6.5 % state sales tax on the two lines: 10.00 × 0.065 = 0.65 and 4.00 × 0.065 =
   * 0.26, 0.91 in all (exclusive), 14.91 with the lines.
   */
  private void calculatesWashingtonSalesTax() {
    calculates(
        calculation(
            "usd",
            "US",
            1491,
            91,
            lineItem(1, 1000, 65, washington(65, 1000)),
            lineItem(2, 400, 26, washington(26, 400))));
  }

  private static String washington(long tax, long taxable) {
    return breakdown(
        tax, taxable, "US", "WA", "Washington", "state", "6.5", "sales_tax", "standard_rated");
  }

  private void calculates(String body) {
    stripe.stubFor(post(urlEqualTo(CALCULATIONS)).willReturn(okJson(body)));
  }

  private static BigDecimal decimal(JsonNode node, String field) {
    return node.get(field).decimalValue();
  }

  @Test
  void usSalesTaxIsAddedToTheLines_andCreditsPayTheTotalWithTax() {
    load(TAXED);
    usedHundredHours("ann", Map.of());
    address("ann", "US", "WA", "[]");
    billing.call(
        HttpMethod.POST,
        "/admin/credits",
        admin("root"),
        "{\"user_id\": \"ann\", \"amount\": 5.00, \"reason\": \"goodwill\"}");
    calculatesWashingtonSalesTax();

    finalizeMarch();

    stripe.verify(
        postRequestedFor(urlEqualTo(CALCULATIONS))
            .withHeader("Idempotency-Key", matching("tax-\\d+-[0-9a-f]{32}"))
            .withFormParam("currency", equalTo("usd"))
            .withFormParam("line_items[0][amount]", equalTo("1000"))
            .withFormParam("line_items[0][reference]", equalTo("1"))
            .withFormParam("line_items[0][tax_behavior]", equalTo("exclusive"))
            .withFormParam("line_items[1][amount]", equalTo("400"))
            .withFormParam("line_items[1][reference]", equalTo("2"))
            .withFormParam("customer_details[address][country]", equalTo("US"))
            .withFormParam("customer_details[address][state]", equalTo("WA"))
            .withFormParam("customer_details[address_source]", equalTo("billing"))
            .withFormParam("expand[0]", equalTo("line_items")));
    JsonNode invoice = invoice("ann");
    assertEquals("sent", invoice.get("status").textValue(), invoice.toString());
    assertEquals("calculated", invoice.get("tax_status").textValue());
    assertEquals(new BigDecimal("14.00"), decimal(invoice, "subtotal"));
    assertEquals(new BigDecimal("0.91"), decimal(invoice, "tax"));
    assertEquals(new BigDecimal("14.00"), decimal(invoice, "total_excluding_tax"));
    assertEquals(new BigDecimal("14.91"), decimal(invoice, "total_including_tax"));
    // credits pay the total with tax, like a customer balance: 14.91 - 5.00
    assertEquals(new BigDecimal("5.00"), decimal(invoice, "credits_applied"));
    assertEquals(new BigDecimal("9.91"), decimal(invoice, "total"));
    JsonNode first = invoice.get("tax_lines").get(0);
    assertEquals(2, invoice.get("tax_lines").size(), invoice.toString());
    assertEquals(1, first.get("line_no").intValue());
    assertEquals(new BigDecimal("0.65"), decimal(first, "amount"));
    assertEquals(new BigDecimal("10.00"), decimal(first, "taxable_amount"));
    assertEquals(new BigDecimal("6.5"), decimal(first, "percentage"));
    assertEquals("Washington", first.get("jurisdiction").textValue());
    assertEquals("WA", first.get("state").textValue());
    assertEquals("sales_tax", first.get("tax_type").textValue());
    assertFalse(first.get("reverse_charge").booleanValue());
    assertTrue(csv("ann").contains("total,,tax,,,,,0.91,"), csv("ann"));
    assertTrue(csv("ann").contains("total,,total_including_tax,,,,,14.91,"), csv("ann"));
  }

  /**
   * An organization whose card was saved before stripeTax has no address kept from Checkout: its
   * Stripe customer's own address is read by Stripe Tax instead, rather than the draft waiting
   * for a Checkout that may never come.
   */
  @Test
  void withoutAnAddressFromCheckout_theStripeCustomersOwnAddressIsTaxedAt() {
    load(TAXED);
    usedHundredHours("ann", Map.of());
    TestDatabase.execute("INSERT INTO billing_stripe_customers VALUES ('ann', 'cus_ann', now())");
    calculatesWashingtonSalesTax();

    finalizeMarch();

    stripe.verify(
        postRequestedFor(urlEqualTo(CALCULATIONS))
            .withFormParam("customer", equalTo("cus_ann"))
            .withFormParam("line_items[0][amount]", equalTo("1000")));
    assertEquals(
        0,
        stripe.findAll(postRequestedFor(urlEqualTo(CALCULATIONS))).stream()
            .filter(r -> r.getBodyAsString().contains("customer_details"))
            .count(),
        "no details of our own sent");
    JsonNode invoice = invoice("ann");
    assertEquals("sent", invoice.get("status").textValue(), invoice.toString());
    assertEquals(new BigDecimal("0.91"), decimal(invoice, "tax"));
  }

  @Test
  void anEuReverseChargeIsZeroTaxMarkedReverseCharge_withTheTaxIdKeptFromCheckout()
      throws IOException {
    load(TAXED);
    usedHundredHours("ann", Map.of());
    // the tax id as Checkout collected it (customer_details.tax_ids), kept on the organization
    address("ann", "DE", null, "[{\"type\": \"eu_vat\", \"value\": \"DE123456789\"}]");
    String reverse = "reverse_charge";
    calculates(
        calculation(
            "usd",
            "DE",
            1400,
            0,
            lineItem(
                1,
                1000,
                0,
                breakdown(0, 1000, "DE", null, "Germany", "country", "0.0", "vat", reverse)),
            lineItem(
                2,
                400,
                0,
                breakdown(0, 400, "DE", null, "Germany", "country", "0.0", "vat", reverse))));

    finalizeMarch();

    stripe.verify(
        postRequestedFor(urlEqualTo(CALCULATIONS))
            .withFormParam("customer_details[tax_ids][0][type]", equalTo("eu_vat"))
            .withFormParam("customer_details[tax_ids][0][value]", equalTo("DE123456789"))
            .withFormParam("customer_details[address][country]", equalTo("DE")));
    JsonNode invoice = invoice("ann");
    assertEquals("sent", invoice.get("status").textValue(), invoice.toString());
    assertEquals(new BigDecimal("0.00"), decimal(invoice, "tax"));
    assertEquals(new BigDecimal("14.00"), decimal(invoice, "total"));
    JsonNode line = invoice.get("tax_lines").get(0);
    assertEquals("reverse_charge", line.get("taxability_reason").textValue());
    assertTrue(line.get("reverse_charge").booleanValue(), line.toString());
    assertEquals("DE", line.get("country").textValue());
    String pdf = pdfText("ann");
    assertTrue(pdf.contains("reverse charge"), pdf);
    assertTrue(csv("ann").contains("reverse_charge,true,USD"), csv("ann"));
  }

  @Test
  void vietnamVatIsInWholeDong() {
    load(TAXED);
    usedHundredHours("binh", Map.of("currency", "VND"));
    address("binh", "VN", null, "[]");
    // 10 %: 250000 → 25000, 100000 → 10000; Stripe counts VND in whole dong
    calculates(
        calculation(
            "vnd",
            "VN",
            385000,
            35000,
            lineItem(
                1,
                250000,
                25000,
                breakdown(
                    25000,
                    250000,
                    "VN",
                    null,
                    "Vietnam",
                    "country",
                    "10.0",
                    "vat",
                    "standard_rated")),
            lineItem(
                2,
                100000,
                10000,
                breakdown(
                    10000,
                    100000,
                    "VN",
                    null,
                    "Vietnam",
                    "country",
                    "10.0",
                    "vat",
                    "standard_rated"))));

    finalizeMarch();

    stripe.verify(
        postRequestedFor(urlEqualTo(CALCULATIONS))
            .withFormParam("currency", equalTo("vnd"))
            .withFormParam("line_items[0][amount]", equalTo("250000"))
            .withFormParam("line_items[1][amount]", equalTo("100000")));
    JsonNode invoice = invoice("binh");
    assertEquals(new BigDecimal("350000"), decimal(invoice, "subtotal"));
    assertEquals(new BigDecimal("35000"), decimal(invoice, "tax"));
    assertEquals(new BigDecimal("385000"), decimal(invoice, "total_including_tax"));
    assertEquals(new BigDecimal("385000"), decimal(invoice, "total"));
    assertEquals(new BigDecimal("25000"), decimal(invoice.get("tax_lines").get(0), "amount"));
    assertEquals(new BigDecimal("10.0"), decimal(invoice.get("tax_lines").get(0), "percentage"));
  }

  /** Stripe Tax answers 400 customer_tax_location_invalid: it cannot place the address. */
  private void refusesTheTaxLocation() {
    stripe.stubFor(
        post(urlEqualTo(CALCULATIONS))
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        """
                        {"error": {"type": "invalid_request_error",
                         "code": "customer_tax_location_invalid",
                         "message": "We could not determine the customer's tax location."}}""")));
  }

  @Test
  void aFailedCalculationLeavesTheDraft_raisesTheAlert_andTheNextRunFinalizesItOnceFixed() {
    load(TAXED);
    usedHundredHours("ann", Map.of());

    finalizeMarch(); // no address kept: nothing to calculate at, no call to Stripe

    JsonNode draft = invoice("ann");
    assertEquals("draft", draft.get("status").textValue(), draft.toString());
    assertEquals("failed", draft.get("tax_status").textValue());
    assertTrue(draft.get("tax_failure").textValue().contains("no billing address"));
    assertEquals(1, published("billing.invoice.tax_failed").size());
    JsonNode jobs = billing.call(HttpMethod.GET, "/jobs/status", admin("root")).body();
    assertEquals(1L, backlogOf(jobs, FinalizeInvoicesJob.NAME), jobs.toString());

    // the address is kept, but Stripe refuses the calculation (a 400): still a draft, told again
    address("ann", "US", "WA", "[]");
    refusesTheTaxLocation();
    billing.runAt(FinalizeInvoicesJob.NAME, "2026-04-01T01:15:00Z");
    draft = invoice("ann");
    assertEquals("draft", draft.get("status").textValue());
    assertTrue(draft.get("tax_failure").textValue().contains("tax location"), draft.toString());
    assertEquals(2, published("billing.invoice.tax_failed").size());
    billing.runAt(FinalizeInvoicesJob.NAME, "2026-04-01T01:30:00Z");
    assertEquals(2, published("billing.invoice.tax_failed").size(), "same reason: told once");

    // fixed at Stripe: the next run calculates and finalizes it
    stripe.resetAll();
    calculatesWashingtonSalesTax();
    billing.runAt(FinalizeInvoicesJob.NAME, "2026-04-01T01:45:00Z");

    JsonNode sent = invoice("ann");
    assertEquals("sent", sent.get("status").textValue(), sent.toString());
    assertEquals(new BigDecimal("14.91"), decimal(sent, "total"));
    assertFalse(sent.has("tax_failure"));
    jobs = billing.call(HttpMethod.GET, "/jobs/status", admin("root")).body();
    assertEquals(0L, backlogOf(jobs, FinalizeInvoicesJob.NAME));
  }

  /**
   * Stripe keeps a refusal under its idempotency key for 24 hours and refuses the key with other
   * parameters: once ann corrects her address, the calculation is asked under another key.
   */
  @Test
  void aCalculationRefusedForTheAddress_isAskedUnderANewKeyOnceTheAddressIsCorrected() {
    load(TAXED);
    usedHundredHours("ann", Map.of());
    address("ann", "US", "WA", "[]");
    refusesTheTaxLocation();
    finalizeMarch();
    billing.runAt(FinalizeInvoicesJob.NAME, "2026-04-01T01:15:00Z"); // same address, same key
    TestDatabase.execute(
        "UPDATE billing_tax_details SET state = 'OR', postal_code = '97201'"
            + " WHERE account_id = 'ann'");
    billing.runAt(FinalizeInvoicesJob.NAME, "2026-04-01T01:30:00Z");

    List<String> keys =
        stripe.getAllServeEvents().stream()
            .filter(e -> e.getRequest().getUrl().equals(CALCULATIONS))
            .sorted(
                (a, b) -> a.getRequest().getLoggedDate().compareTo(b.getRequest().getLoggedDate()))
            .map(e -> e.getRequest().getHeader("Idempotency-Key"))
            .toList();
    assertEquals(3, keys.size(), keys.toString());
    assertEquals(keys.get(0), keys.get(1), "a retry of the same request keeps its key");
    assertFalse(keys.get(1).equals(keys.get(2)), "the corrected address is another request");
  }

  /** Stripe's words on a refused key (its last characters, the account) stay in the log. */
  @Test
  void aKeyStripeRefuses_isNotNamedToTheOrganizationOnItsDraft() {
    load(TAXED);
    usedHundredHours("ann", Map.of());
    address("ann", "US", "WA", "[]");
    stripe.stubFor(
        post(urlEqualTo(CALCULATIONS))
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        """
                        {"error": {"type": "invalid_request_error",
                         "message": "Invalid API Key provided: sk_live_****************7dc9"}}                        """)));

    finalizeMarch();

    JsonNode draft = invoice("ann");
    assertEquals("failed", draft.get("tax_status").textValue(), draft.toString());
    String failure = draft.get("tax_failure").textValue();
    assertFalse(failure.contains("sk_live") || failure.contains("API Key"), failure);
    assertTrue(failure.contains("could not be reached or refused"), failure);
  }

  @Test
  void anAdminsInvoiceOfARangeIsTaxedBeforeItIsFinalized() {
    load(TAXED);
    usedHundredHours("ann", Map.of());
    address("ann", "US", "WA", "[]");
    calculatesWashingtonSalesTax();
    billing.calculateUsageAt("2026-03-10T00:00:00Z");
    billing.clock.set(at("2026-03-10T00:00:00Z"));

    JsonNode invoice =
        billing
            .call(
                HttpMethod.POST,
                "/admin/invoices",
                admin("root"),
                "{\"user_id\": \"ann\", \"period_start\": \"2026-03-01\","
                    + " \"period_end\": \"2026-03-10\", \"reason\": \"test\"}")
            .body();

    assertEquals("sent", invoice.get("status").textValue(), invoice.toString());
    assertEquals("calculated", invoice.get("tax_status").textValue());
    assertEquals(new BigDecimal("0.91"), decimal(invoice, "tax"));
    assertEquals(new BigDecimal("14.91"), decimal(invoice, "total"));
    stripe.verify(1, postRequestedFor(urlEqualTo(CALCULATIONS)));
  }

  @Test
  void turningStripeTaxOffFinalizesAFailedDraftWithoutTax() {
    load(TAXED);
    usedHundredHours("ann", Map.of());
    finalizeMarch(); // no address: failed, a draft
    assertEquals(1L, value("SELECT count(*) FROM billing_invoice_taxes"));

    billing.context.setConfigJson(BillingHarness.USD_AND_VND_CONFIG);
    billing.billing.onConfigChanged(billing.context);
    billing.runAt(FinalizeInvoicesJob.NAME, "2026-04-01T01:15:00Z");

    JsonNode invoice = invoice("ann");
    assertEquals("sent", invoice.get("status").textValue(), invoice.toString());
    assertEquals("not_calculated", invoice.get("tax_status").textValue());
    assertEquals(new BigDecimal("14.00"), decimal(invoice, "total"));
    assertEquals(0L, value("SELECT count(*) FROM billing_invoice_taxes"));
  }

  private static long backlogOf(JsonNode jobs, String name) {
    for (JsonNode job : jobs.get("jobs")) {
      if (job.get("name").textValue().equals(name)) {
        return job.get("backlog").longValue();
      }
    }
    throw new AssertionError("no job " + name + " in " + jobs);
  }

  @Test
  void withoutStripeTaxTheInvoiceSaysTaxNotCalculated_neverARate() throws IOException {
    load(BillingHarness.USD_AND_VND_CONFIG);
    usedHundredHours("ann", Map.of());

    finalizeMarch();

    JsonNode invoice = invoice("ann");
    assertEquals("sent", invoice.get("status").textValue());
    assertEquals("not_calculated", invoice.get("tax_status").textValue());
    assertTrue(invoice.get("tax").isNull(), invoice.toString());
    assertEquals(new BigDecimal("14.00"), decimal(invoice, "total"));
    assertEquals(0, invoice.get("tax_lines").size());
    assertTrue(pdfText("ann").contains("Tax not calculated"), pdfText("ann"));
    assertTrue(csv("ann").contains("total,,tax,,,,,Tax not calculated,"), csv("ann"));
    stripe.verify(0, postRequestedFor(urlEqualTo(CALCULATIONS)));
  }
}

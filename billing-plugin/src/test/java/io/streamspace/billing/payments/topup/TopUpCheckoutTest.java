package io.streamspace.billing.payments.topup;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.StripeSigning.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A top-up of a prepaid balance bought through Stripe Checkout, with the real stripe-java client
 * against WireMock and Stripe's signed webhook, on real PostgreSQL: the session asked of Stripe,
 * the refusals made before Stripe is asked, the balance credited net of tax once however often
 * Stripe delivers the completion, and a refund at Stripe taken back as far as the balance still
 * has it. ann's session cs_top_1 paid 27.50 USD: a top-up of 25.00 and 2.50 of tax.
 */
class TopUpCheckoutTest {

  private static final String KEY = "sk_test_top_up_checkout";
  private static final String SECRET = "whsec_test_top_up_checkout";
  private static final String SESSIONS = "/v1/checkout/sessions";
  private static final String URLS =
      "\"success_url\":\"https://app.example.com/paid\","
          + "\"cancel_url\":\"https://app.example.com/cancel\"";

  private final WireMockServer stripe = new WireMockServer(options().dynamicPort());
  private BillingHarness billing;

  /** The plugin with that config, Stripe at WireMock, and ann's account. */
  private void load(String config) {
    stripe.start();
    billing = new BillingHarness(at("2026-03-10T12:00:00Z"), config);
    billing.context.setSecret("STRIPE_SECRET_KEY", KEY);
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", SECRET);
    StripeTestEndpoint.pointAt(billing.billing, stripe.baseUrl());
    billing.userCreated("ann", Map.of());
    billing.flush();
  }

  @AfterEach
  void stop() {
    if (billing != null) {
      billing.close();
    }
    stripe.stop();
  }

  private Answer checkout(String topUp) {
    return billing.call(
        HttpMethod.POST, "/create-checkout", user("ann"), "{" + topUp + "," + URLS + "}");
  }

  /** ann's top-up session cs_top_1, completed paid by pi_cs_1, as Stripe sends it. */
  private static String completed(String eventId, String type) {
    return event(
        eventId,
        type,
        at("2026-03-15T10:00:00Z"),
        """
        {"id": "cs_top_1", "object": "checkout.session", "mode": "payment",
         "status": "complete", "payment_status": "paid", "client_reference_id": "ann",
         "customer": "cus_ann", "currency": "usd", "amount_subtotal": 2500,
         "amount_total": 2750, "total_details": {"amount_discount": 0, "amount_shipping": 0,
          "amount_tax": 250},
         "created": 1773568800, "expires_at": 1773655200, "livemode": false,
         "payment_intent": "pi_cs_1", "payment_method_types": ["card"], "setup_intent": null,
         "url": null, "success_url": "https://app.example.com/paid",
         "cancel_url": "https://app.example.com/cancel",
         "metadata": {"account_id": "ann", "kind": "top_up"}}""");
  }

  /** A {@code charge.refunded} of pi_cs_1's charge, {@code refunded} of its 2750 cents in all. */
  private static String refunded(String eventId, String when, long refunded) {
    return event(
        eventId,
        "charge.refunded",
        at(when),
        """
        {"id": "ch_cs_1", "object": "charge", "amount": 2750, "amount_captured": 2750,
         "amount_refunded": %d, "captured": true, "currency": "usd", "customer": "cus_ann",
         "disputed": false, "livemode": false, "metadata": {}, "paid": true,
         "payment_intent": "pi_cs_1", "refunded": %s, "status": "succeeded",
         "created": 1773568800}"""
            .formatted(refunded, refunded == 2750));
  }

  private void deliverAt(String when, String payload) {
    billing.clock.set(at(when));
    StripeSigning.delivered(billing, SECRET, payload);
  }

  private JsonNode balance() {
    return billing.call(HttpMethod.GET, "/balance", user("ann")).body();
  }

  private List<String> toppedUp() {
    return billing.context.published().stream()
        .filter(e -> e.startsWith("billing.balance.topped_up "))
        .toList();
  }

  @Test
  void aTopUpIsAPaymentSessionOfItsAmountInMinorUnits_taxedAsTheOtherCheckouts() {
    load("{\"stripeEnabled\": true, \"stripeTax\": true}");
    stripe.stubFor(
        post(urlEqualTo("/v1/customers"))
            .willReturn(
                okJson(
                    """
                    {"id":"cus_ann","object":"customer","created":1773100800,\
                    "livemode":false,"metadata":{"account_id":"ann"}}""")));
    stripe.stubFor(
        post(urlEqualTo(SESSIONS))
            .willReturn(
                okJson(
                    """
                    {"id":"cs_top_1","object":"checkout.session","mode":"payment",\
                    "status":"open","payment_status":"unpaid","customer":"cus_ann",\
                    "currency":"usd","created":1773140400,"expires_at":1773226800,\
                    "livemode":false,"metadata":{"account_id":"ann","kind":"top_up"},\
                    "url":"https://checkout.stripe.com/c/pay/cs_top_1"}""")));

    Answer answer = checkout("\"top_up\":{\"amount\":25,\"currency\":\"USD\"}");

    assertEquals(200, answer.status(), answer.body().toString());
    assertEquals(
        "{\"checkout_url\":\"https://checkout.stripe.com/c/pay/cs_top_1\","
            + "\"session_id\":\"cs_top_1\"}",
        answer.body().toString());
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo(SESSIONS))
            .withFormParam("mode", equalTo("payment"))
            .withFormParam("customer", equalTo("cus_ann"))
            .withFormParam("client_reference_id", equalTo("ann"))
            .withFormParam("metadata[account_id]", equalTo("ann"))
            .withFormParam("metadata[kind]", equalTo("top_up"))
            .withFormParam("line_items[0][price_data][currency]", equalTo("usd"))
            .withFormParam("line_items[0][price_data][unit_amount]", equalTo("2500"))
            .withFormParam(
                "line_items[0][price_data][product_data][name]", equalTo("Prepaid balance top-up"))
            .withFormParam("line_items[0][price_data][tax_behavior]", equalTo("exclusive"))
            .withFormParam("line_items[0][quantity]", equalTo("1"))
            .withFormParam("automatic_tax[enabled]", equalTo("true"))
            .withFormParam("billing_address_collection", equalTo("required")));
    assertEquals(0L, value("SELECT count(*) FROM billing_prepaid_entries"), "nothing until paid");
  }

  @Test
  void badTopUpsAreRefusedNamingTheFieldAndStripeIsNotAsked() {
    load("{\"stripeEnabled\": true}");
    // the field each top-up is refused for, and the top-up (USD, from 5 to 10,000 by default)
    String refusals =
        """
        top_up          | "top_up":25
        top_up.amount   | "top_up":{"currency":"USD"}
        top_up.amount   | "top_up":{"amount":"25","currency":"USD"}
        top_up.amount   | "top_up":{"amount":0,"currency":"USD"}
        top_up.amount   | "top_up":{"amount":-5,"currency":"USD"}
        top_up.amount   | "top_up":{"amount":25.001,"currency":"USD"}
        top_up.amount   | "top_up":{"amount":4.99,"currency":"USD"}
        top_up.amount   | "top_up":{"amount":10000.01,"currency":"USD"}
        top_up.currency | "top_up":{"amount":25}
        top_up.currency | "top_up":{"amount":25,"currency":"EUR"}
        plan_id         | "top_up":{"amount":25,"currency":"USD"},"pack_id":"slots-5"
        """;
    Map<String, String> before = BillingHarness.tableContents();

    for (String refusal : refusals.strip().split("\n")) {
      String field = refusal.substring(0, refusal.indexOf('|')).strip();
      String topUp = refusal.substring(refusal.indexOf('|') + 1).strip();
      Answer answer = checkout(topUp);
      assertEquals(400, answer.status(), topUp + " → " + answer.body());
      assertEquals(field, answer.errorField(), topUp + " → " + answer.body());
    }

    assertEquals(List.of(), stripe.getAllServeEvents(), "Stripe not asked");
    assertEquals(before, BillingHarness.tableContents(), "nothing stored");
  }

  /**
   * The completion credits 25.00, what the session took less its tax, as a top_up entry of
   * source checkout:cs_top_1, audited and announced once; the same event again, and the same
   * session's async_payment_succeeded, add nothing.
   */
  @Test
  void aCompletedTopUpCreditsTheBalanceNetOfTaxOnce_howeverOftenStripeDeliversIt() {
    load("{\"stripeEnabled\": true}");

    deliverAt("2026-03-15T10:00:05Z", completed("evt_1", "checkout.session.completed"));
    deliverAt("2026-03-15T10:05:00Z", completed("evt_1", "checkout.session.completed"));
    deliverAt(
        "2026-03-15T10:06:00Z", completed("evt_2", "checkout.session.async_payment_succeeded"));

    JsonNode statement = balance();
    assertEquals("25.00", statement.get("balance").toString());
    assertEquals(1, statement.get("entries").size(), statement.toString());
    JsonNode entry = statement.at("/entries/0");
    assertEquals("top_up", entry.get("kind").asText());
    assertEquals("25.00", entry.get("amount").toString());
    assertEquals("checkout:cs_top_1", entry.get("source").asText());
    assertEquals("Stripe Checkout top-up", entry.get("reason").asText());
    assertEquals("stripe", entry.get("actor_type").asText());
    assertEquals("evt_1", entry.get("actor_id").asText());
    assertEquals(
        List.of(Arrays.asList("stripe", "evt_1", "0.00")),
        rows(
            """
            SELECT actor_type, actor_id, before ->> 'balance' FROM billing_audit_entries
            WHERE kind = 'balance.top_up'"""));
    assertEquals(1, toppedUp().size(), toppedUp().toString());
    assertTrue(toppedUp().get(0).contains("\"source\":\"checkout:cs_top_1\""), toppedUp().get(0));
  }

  /**
   * Refunds at Stripe take back the refunded share of the 25.00 (net x refunded / 27.50): 11.00
   * refunded gives back 10.00; then ann's March invoice (2 cores for 120 hours, 12.00) spends
   * 12.00 of the 15.00 left; the rest refunded in full owes 15.00 more, of which the balance has
   * 3.00: it goes to 0.00, never below, and the 12.00 already spent is recorded as unrecovered.
   */
  @Test
  void aRefundAtStripeTakesBackItsShareAsFarAsTheBalanceHasIt_andRecordsWhatWasSpent() {
    load("{\"stripeEnabled\": true}");
    billing.session(
        "s1", "ann", "2026-03-02T00:00:00Z", "2026-03-07T00:00:00Z", size("2", "0", "0"));
    deliverAt("2026-03-15T10:00:05Z", completed("evt_1", "checkout.session.completed"));

    deliverAt("2026-03-20T10:00:00Z", refunded("evt_partial", "2026-03-20T10:00:00Z", 1100));
    String afterPartial = balance().get("balance").toString();
    billing.calculateUsageAt("2026-04-01T00:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
    String afterInvoice = balance().get("balance").toString();
    deliverAt("2026-04-02T10:00:00Z", refunded("evt_full", "2026-04-02T10:00:00Z", 2750));
    deliverAt("2026-04-02T10:05:00Z", refunded("evt_full_again", "2026-04-02T10:00:00Z", 2750));

    assertEquals("15.00", afterPartial, "25.00 x 11.00 / 27.50 = 10.00 given back");
    assertEquals("3.00", afterInvoice);
    JsonNode statement = balance();
    assertEquals("0.00", statement.get("balance").toString());
    List<String> entries = new ArrayList<>();
    statement
        .get("entries")
        .forEach(
            e ->
                entries.add(
                    e.get("kind").asText() + " " + e.get("amount") + " " + e.get("balance_after")));
    assertEquals(
        List.of(
            "refund -3.00 0.00",
            "invoice_applied -12.00 3.00",
            "refund -10.00 15.00",
            "top_up 25.00 25.00"),
        entries);
    assertEquals("refund:pi_cs_1:27.50", statement.at("/entries/0/source").asText());
    assertEquals(
        List.of(Arrays.asList("27.50", "13.00", "12.00")),
        rows(
            """
            SELECT refunded::text, taken_back::text, unrecovered::text FROM billing_top_ups
            WHERE payment_intent_id = 'pi_cs_1'"""));
    assertEquals(
        List.of(Arrays.asList("stripe", "evt_full", "12.00")),
        rows(
            """
            SELECT actor_type, actor_id, after ->> 'unrecovered' FROM billing_audit_entries
            WHERE kind = 'top_up.refund_unrecovered'"""),
        "once, though the full refund was told twice");
  }
}

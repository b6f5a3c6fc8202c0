package io.streamspace.billing.tax;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.StripeSigning.event;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.plugin.api.http.HttpMethod;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Checkout with {@code stripeTax}: the session asks Stripe Tax to tax it and collects the
 * customer's address and tax ids, and its completion keeps them on the organization, the newest
 * by the event's time. The real stripe-java client against WireMock; the webhook signed as
 * Stripe signs it.
 */
class StripeTaxCheckoutTest {

  private static final String SECRET = "whsec_test_tax_checkout";
  private static final String CONFIG =
      "{\"stripeEnabled\": true, \"stripeTax\": true, \"taxBehavior\": \"inclusive\", "
          + BillingHarness.USD_AND_VND_CONFIG.substring(1);
  private static final String URLS =
      "\"success_url\":\"https://app.example.com/paid\","
          + "\"cancel_url\":\"https://app.example.com/cancel\"";
  private static final Instant COMPLETED = at("2026-03-12T09:30:00Z");

  private final WireMockServer stripe = new WireMockServer(options().dynamicPort());
  private final BillingHarness billing = new BillingHarness(at("2026-03-10T00:00:00Z"), CONFIG);

  @BeforeEach
  void start() {
    stripe.start();
    billing.context.setSecret("STRIPE_SECRET_KEY", "sk_test_tax_checkout");
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", SECRET);
    StripeTestEndpoint.pointAt(billing.billing, stripe.baseUrl());
    billing.userCreated("fay", Map.of());
    billing.flush();
    stripe.stubFor(
        post(urlEqualTo("/v1/customers"))
            .willReturn(
                okJson(
                    """
                    {"id":"cus_fay","object":"customer","created":1773100800,"livemode":false,\
                    "metadata":{"account_id":"fay"},\
                    "invoice_settings":{"default_payment_method":null}}""")));
    stripe.stubFor(
        post(urlEqualTo("/v1/checkout/sessions"))
            .willReturn(
                okJson(
                    """
                    {"id":"cs_pack_1","object":"checkout.session","mode":"payment",\
                    "status":"open","payment_status":"unpaid","customer":"cus_fay",\
                    "client_reference_id":"fay","currency":"usd","amount_total":500,\
                    "created":1773100800,"expires_at":1773187200,"livemode":false,\
                    "metadata":{"account_id":"fay","kind":"pack"},\
                    "url":"https://checkout.stripe.com/c/pay/cs_pack_1"}""")));
  }

  @AfterEach
  void stop() {
    billing.close();
    stripe.stop();
  }

  /** fay's pack session completed and paid, with what Checkout collected for tax. */
  private static String completedWith(String session, String country, String taxId) {
    return """
        {"id": "%s", "object": "checkout.session", "mode": "payment", "status": "complete",
         "payment_status": "paid", "client_reference_id": "fay", "customer": "cus_fay",
         "currency": "usd", "amount_subtotal": 500, "amount_total": 500,
         "created": 1773300000, "expires_at": 1773386400, "livemode": false,
         "payment_intent": "pi_%s", "payment_method_types": ["card"], "setup_intent": null,
         "url": null, "success_url": "https://app.example.com/paid",
         "cancel_url": "https://app.example.com/cancel",
         "customer_details": {"address": {"city": "Berlin", "country": "%s",
           "line1": "Unter den Linden 1", "line2": null, "postal_code": "10117",
           "state": null},
          "email": "fay@example.com", "name": "Fay GmbH", "phone": null,
          "tax_exempt": "none", "tax_ids": [{"type": "eu_vat", "value": "%s"}]},
         "metadata": {"account_id": "fay", "kind": "pack", "pack_id": "slots-5"}}"""
        .formatted(session, session, country, taxId);
  }

  private void deliver(String eventId, Instant created, String session) {
    StripeSigning.delivered(
        billing, SECRET, event(eventId, "checkout.session.completed", created, session));
  }

  private static List<Object> kept() {
    return rows("SELECT country, tax_ids::text, session_id, tax_exempt FROM billing_tax_details"
            + " WHERE account_id = 'fay'")
        .get(0);
  }

  @Test
  void withStripeTaxTheSessionAsksForAutomaticTax_andCollectsAddressAndTaxIds() {
    Answer checkout =
        billing.call(
            HttpMethod.POST,
            "/create-checkout",
            user("fay"),
            "{\"pack_id\": \"slots-5\", " + URLS + "}");

    assertEquals(200, checkout.status(), checkout.toString());
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
            .withFormParam("automatic_tax[enabled]", equalTo("true"))
            .withFormParam("tax_id_collection[enabled]", equalTo("true"))
            .withFormParam("customer_update[address]", equalTo("auto"))
            .withFormParam("customer_update[name]", equalTo("auto"))
            .withFormParam("billing_address_collection", equalTo("required"))
            .withFormParam("line_items[0][price_data][tax_behavior]", equalTo("inclusive")));
  }

  @Test
  void theCompletionKeepsAddressAndTaxIds_theNewestEventWinningWhateverTheOrder() {
    billing.clock.set(COMPLETED);
    deliver("evt_new", COMPLETED, completedWith("cs_new", "DE", "DE123456789"));
    // an older session's completion, delivered late: what the newer one told stays
    deliver("evt_old", COMPLETED.minusSeconds(3600), completedWith("cs_old", "FR", "FRAB123"));

    assertEquals(
        List.of("DE", "[{\"type\": \"eu_vat\", \"value\": \"DE123456789\"}]", "cs_new", "none"),
        kept());

    deliver("evt_newer", COMPLETED.plusSeconds(60), completedWith("cs_newer", "AT", "ATU1234"));
    assertEquals("AT", kept().get(0));
  }
}

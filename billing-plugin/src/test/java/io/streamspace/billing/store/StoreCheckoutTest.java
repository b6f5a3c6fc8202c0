package io.streamspace.billing.store;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.StoreFixtures;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.billing.support.ThemeBundles;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A store item paid at once through Stripe Checkout, with the real stripe-java client against
 * WireMock answering as Stripe's API does, and the webhook signed with Stripe's scheme: the
 * session asked for, the purchase stored when the session completes paid (once, never
 * invoiced), and its refund given back at Stripe under one idempotency key. ann's organization
 * pays in USD; Midnight costs 4.99 USD (499 cents), once.
 */
class StoreCheckoutTest {

  private static final String KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
  private static final String SECRET = "whsec_test_store";
  private static final String CONFIG =
      "{\"stripeEnabled\": true, " + BillingHarness.USD_AND_VND_CONFIG.substring(1);
  private static final String URLS =
      "\"success_url\":\"https://app.example.com/paid\","
          + "\"cancel_url\":\"https://app.example.com/cancel\"";
  private static final Instant PAID = at("2026-03-12T09:30:00Z");

  private final WireMockServer stripe = new WireMockServer(options().dynamicPort());
  private final BillingHarness billing = new BillingHarness(at("2026-03-10T00:00:00Z"), CONFIG);
  private long midnight;
  private long version;

  @BeforeEach
  void start() {
    stripe.start();
    billing.context.setSecret("STRIPE_SECRET_KEY", KEY);
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", SECRET);
    StripeTestEndpoint.pointAt(billing.billing, stripe.baseUrl());
    billing.userCreated("ann", Map.of());
    billing.flush();
    midnight = StoreFixtures.listed(billing, ThemeBundles.good("Midnight", "1.0.0"));
    version = (Long) value("SELECT max(id) FROM billing_store_item_versions");
    stripe.stubFor(
        post(urlEqualTo("/v1/customers"))
            .willReturn(
                okJson(
                    """
                    {"id":"cus_ann","object":"customer","created":1773100800,"livemode":false,\
                    "metadata":{"account_id":"ann"},\
                    "invoice_settings":{"default_payment_method":null}}""")));
    stripe.stubFor(
        post(urlEqualTo("/v1/checkout/sessions"))
            .willReturn(
                okJson(
                    """
                    {"id":"cs_store_1","object":"checkout.session","mode":"payment",\
                    "status":"open","payment_status":"unpaid","customer":"cus_ann",\
                    "client_reference_id":"ann","currency":"usd","amount_total":499,\
                    "created":1773100800,"expires_at":1773187200,"livemode":false,\
                    "metadata":{"account_id":"ann","kind":"store"},\
                    "url":"https://checkout.stripe.com/c/pay/cs_store_1"}""")));
  }

  @AfterEach
  void stop() {
    billing.close();
    stripe.stop();
  }

  /** ann's session for Midnight, completed and paid: 499 cents, as Stripe sends it. */
  private String completed(String eventId) {
    return StoreFixtures.checkoutCompleted(eventId, PAID, midnight, version);
  }

  private void deliver(String payload) {
    StripeSigning.delivered(billing, SECRET, payload);
  }

  private long purchased() {
    billing.clock.set(PAID);
    deliver(completed("evt_1"));
    return (Long) value("SELECT id FROM billing_store_purchases");
  }

  @Test
  void theSessionTakesTheItemsPriceOnce_andItsCompletionStoresThePurchasePaidNeverInvoiced() {
    Answer checkout =
        billing.call(
            HttpMethod.POST,
            "/create-checkout",
            user("ann"),
            "{\"store_item_id\": " + midnight + ", " + URLS + "}");

    assertEquals(200, checkout.status(), checkout.toString());
    assertEquals(
        "https://checkout.stripe.com/c/pay/cs_store_1",
        checkout.body().get("checkout_url").asText());
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
            .withRequestBody(
                com.github.tomakehurst.wiremock.client.WireMock.containing("mode=payment"))
            .withFormParam("metadata[kind]", equalTo("store"))
            .withFormParam("metadata[store_item_id]", equalTo(Long.toString(midnight)))
            .withFormParam("metadata[store_version_id]", equalTo(Long.toString(version)))
            .withFormParam("line_items[0][price_data][unit_amount]", equalTo("499"))
            .withFormParam("line_items[0][price_data][currency]", equalTo("usd")));
    assertEquals(0L, value("SELECT count(*) FROM billing_store_purchases"), "not before paid");

    billing.clock.set(PAID);
    deliver(completed("evt_1"));
    deliver(completed("evt_1")); // replayed
    deliver(completed("evt_2")); // the same session, another event

    assertEquals(
        List.of(List.of("checkout", "active", new java.math.BigDecimal("4.99"), "pi_store_1")),
        BillingHarness.rows(
            "SELECT pay, status, price, payment_intent FROM billing_store_purchases"));
    assertEquals(
        1,
        billing.context.published().stream()
            .filter(p -> p.startsWith("billing.entitlement.granted "))
            .count());
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
    assertEquals(List.of(), lines(invoiceId("ann", "2026-03-01T00:00:00Z")), "paid at Stripe");
  }

  @Test
  void anItemOwnedAlreadyOrNotOnSaleGetsNoSession() {
    purchased();

    Answer owned =
        billing.call(
            HttpMethod.POST,
            "/create-checkout",
            user("ann"),
            "{\"store_item_id\": " + midnight + ", " + URLS + "}");
    Answer unknown =
        billing.call(
            HttpMethod.POST,
            "/create-checkout",
            user("ann"),
            "{\"store_item_id\": 999999, " + URLS + "}");

    assertEquals(409, owned.status(), owned.toString());
    assertEquals("already_owned", owned.body().at("/error/code").asText());
    assertEquals(400, unknown.status());
    assertEquals("store_item_id", unknown.errorField());
    stripe.verify(0, postRequestedFor(urlEqualTo("/v1/checkout/sessions")));
  }

  @Test
  void aRefundGivesThePaymentBackAtStripeOnceUnderOneKey_andAFailedOneChangesNothing() {
    long purchase = purchased();
    String refundPath = "/admin/store/purchases/" + purchase + "/refund";
    stripe.stubFor(
        post(urlEqualTo("/v1/refunds"))
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        """
                        {"error": {"type": "invalid_request_error",
                         "code": "charge_disputed",
                         "message": "Charge ch_1 has been charged back; cannot issue a refund."}}                        """)));

    Answer failed = billing.call(HttpMethod.POST, refundPath, admin("root"), "{\"reason\":\"x\"}");

    assertEquals(502, failed.status(), failed.toString());
    assertEquals("stripe_error", failed.body().at("/error/code").asText());
    assertEquals("active", value("SELECT status FROM billing_store_purchases"));

    stripe.stubFor(
        post(urlEqualTo("/v1/refunds"))
            .willReturn(
                okJson(
                    """
                    {"id": "re_1", "object": "refund", "amount": 499, "currency": "usd",
                     "payment_intent": "pi_store_1", "status": "succeeded",
                     "created": 1773400000}""")));
    Answer refunded =
        billing.call(HttpMethod.POST, refundPath, admin("root"), "{\"reason\":\"broken theme\"}");

    assertEquals(200, refunded.status(), refunded.toString());
    assertEquals("refunded", refunded.body().get("status").asText());
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withFormParam("payment_intent", equalTo("pi_store_1"))
            .withFormParam("amount", equalTo("499"))
            .withHeader("Idempotency-Key", equalTo("store-refund-" + purchase)));
    assertEquals(0L, value("SELECT count(*) FROM billing_credits"), "given back at Stripe");
  }

  /** A {@code charge.refunded} of Midnight's payment, {@code refunded} of its 499 cents. */
  private static String refundedInStripe(String eventId, long refunded) {
    return StripeSigning.event(
        eventId,
        "charge.refunded",
        at("2026-03-13T10:00:00Z"),
        """
        {"id": "ch_store_1", "object": "charge", "amount": 499, "amount_captured": 499,
         "amount_refunded": %d, "billing_details": {"email": null, "name": null},
         "captured": true, "currency": "usd", "customer": "cus_ann", "disputed": false,
         "livemode": false, "metadata": {}, "paid": true, "payment_intent": "pi_store_1",
         "refunded": %s, "status": "succeeded", "created": 1773396000}"""
            .formatted(refunded, refunded == 499));
  }

  /**
   * A refund made in Stripe's Dashboard: 1.00 of the 4.99 first (the access was paid for, less
   * that: nothing ends), then the rest (refunded in full: the access ends as an admin's refund
   * ends it, once, its event announced); the event delivered again changes nothing.
   */
  @Test
  void aRefundInStripesDashboardEndsThePurchaseOnceRefundedInFull_aPartialOneEndsNothing() {
    purchased();
    billing.clock.set(at("2026-03-13T10:00:00Z"));

    deliver(refundedInStripe("evt_partial", 100));
    assertEquals("active", value("SELECT status FROM billing_store_purchases"));

    deliver(refundedInStripe("evt_full", 499));
    deliver(refundedInStripe("evt_full_again", 499));

    assertEquals(
        List.of(List.of("refunded", "refunded in Stripe")),
        BillingHarness.rows("SELECT status, refund_reason FROM billing_store_purchases"));
    assertEquals(
        1,
        billing.context.published().stream()
            .filter(e -> e.startsWith("billing.entitlement.expired "))
            .count());
    assertEquals(
        List.of(List.of("refund", new BigDecimal("-4.99"))),
        BillingHarness.rows("SELECT kind, gross FROM billing_store_sales WHERE kind = 'refund'"),
        "the creator's share clawed back");
    assertEquals(0L, value("SELECT count(*) FROM billing_credits"), "given back by Stripe");
  }

  /**
   * The same refund delivered before the session's completion (its delivery failed, and Stripe
   * tried it again later): the purchase ends as it would have ended after it. The order of the
   * events changes nothing.
   */
  @Test
  void aDashboardRefundDeliveredBeforeTheCompletionEndsThePurchaseAsIfAfter() {
    billing.clock.set(at("2026-03-13T10:00:00Z"));
    deliver(refundedInStripe("evt_full", 499));

    deliver(completed("evt_1"));

    assertEquals(
        List.of(List.of("refunded", "refunded in Stripe")),
        BillingHarness.rows("SELECT status, refund_reason FROM billing_store_purchases"));
    assertEquals(
        List.of(
            List.of("sale", new BigDecimal("4.99")), List.of("refund", new BigDecimal("-4.99"))),
        BillingHarness.rows("SELECT kind, gross FROM billing_store_sales ORDER BY id"));
    assertEquals(
        1,
        billing.context.published().stream()
            .filter(e -> e.startsWith("billing.entitlement.expired "))
            .count());
  }

  @Test
  void aPaymentStripeSaysWasRefundedAlready_isRefundedHere() {
    long purchase = purchased();
    stripe.stubFor(
        post(urlEqualTo("/v1/refunds"))
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        """
                        {"error": {"type": "invalid_request_error",
                         "code": "charge_already_refunded",
                         "message": "Charge ch_1 has already been refunded."}}""")));

    Answer refunded =
        billing.call(
            HttpMethod.POST,
            "/admin/store/purchases/" + purchase + "/refund",
            admin("root"),
            "{\"reason\": \"refunded in the Dashboard\"}");

    assertEquals(200, refunded.status(), refunded.toString());
    assertEquals("refunded", value("SELECT status FROM billing_store_purchases"));
  }
}

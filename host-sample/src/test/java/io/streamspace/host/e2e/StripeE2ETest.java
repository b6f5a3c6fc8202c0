package io.streamspace.host.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.streamspace.host.support.HostClient;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Stripe end to end over HTTP with the packaged plugin: WireMock answers as Stripe's API (the
 * plugin pointed at it by the {@code streamspace.billing.stripeApiBase} system property), the
 * webhooks are signed with Stripe's scheme, the secrets come from the host's environment. A plan
 * bought through Checkout, its card the default, the month's invoice charged by collect-payments
 * and paid by {@code payment_intent.succeeded}.
 */
class StripeE2ETest extends BillingHostTestBase {

  private static final String BILLING = "/api/plugins/billing";
  private static final String KEY = "sk_test_e2e_0123456789";
  private static final String WEBHOOK_SECRET = "whsec_e2e_0123456789";
  private static final String PROPERTY = "streamspace.billing.stripeApiBase";

  private final WireMockServer stripe = startedStripe();

  /** Started before the host, so the plugin reads its address when it loads. */
  private static WireMockServer startedStripe() {
    WireMockServer server = new WireMockServer(options().dynamicPort());
    server.start();
    System.setProperty(PROPERTY, server.baseUrl());
    return server;
  }

  @Override
  Map<String, String> secrets() {
    return Map.of("STRIPE_SECRET_KEY", KEY, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET);
  }

  @AfterAll
  void stopStripe() {
    System.clearProperty(PROPERTY);
    stripe.stop();
  }

  @Test
  void aPlanBoughtThroughCheckoutIsActive_andItsInvoiceIsChargedAndPaidThroughTheWebhook() {
    api.http
        .call(
            "PATCH",
            "/api/admin/plugins/billing/config",
            api.adminToken,
            HostClient.json(Map.of("stripeEnabled", true)))
        .expect(200);
    String ann = newUser("ann");
    String annToken = api.token(ann, "user");
    String customer = "cus_" + ann;
    api.postEvents(platformToken, List.of(Events.userCreated(ann, at("11:00"))));
    api.awaitCaughtUp("billing");
    stubCustomer(ann, customer);
    stripe.stubFor(
        post(urlEqualTo("/v1/checkout/sessions"))
            .willReturn(
                okJson(
                    """
                    {"id":"cs_test_e2e","object":"checkout.session","mode":"setup",\
                    "status":"open","customer":"%s","client_reference_id":"%s",\
                    "url":"https://checkout.stripe.com/c/pay/cs_test_e2e","livemode":false}"""
                        .formatted(customer, ann))));

    JsonNode checkout =
        api.http
            .post(
                BILLING + "/create-checkout",
                annToken,
                """
                {"plan_id":"pro","success_url":"https://app.example.com/ok",\
                "cancel_url":"https://app.example.com/cancel"}""")
            .expect(200);
    assertEquals("cs_test_e2e", checkout.get("session_id").asText());
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
            .withHeader("Authorization", equalTo("Bearer " + KEY))
            .withFormParam("customer", equalTo(customer))
            .withFormParam("metadata[plan_id]", equalTo("pro")));

    deliver(
        "evt_checkout",
        "checkout.session.completed",
        """
        {"id": "cs_test_e2e", "object": "checkout.session", "mode": "setup",
         "status": "complete", "payment_status": "no_payment_required",
         "client_reference_id": "%s", "customer": "%s", "currency": "usd",
         "amount_total": null, "payment_intent": null,
         "setup_intent": {"id": "seti_1", "object": "setup_intent", "status": "succeeded",
          "customer": "%s", "payment_method": "pm_card_visa", "usage": "off_session"},
         "metadata": {"account_id": "%s", "kind": "plan", "plan_id": "pro"}}"""
            .formatted(ann, customer, customer, ann));
    assertEquals(
        "pro",
        api.http.get(BILLING + "/subscription", annToken).expect(200).get("plan_id").asText());
    deliver(
        "evt_customer",
        "customer.updated",
        """
        {"id": "%s", "object": "customer", "metadata": {"account_id": "%s"},
         "invoice_settings": {"default_payment_method": "pm_card_visa"}}"""
            .formatted(customer, ann));

    clock.set(at("16:00"));
    api.postEvents(
        platformToken,
        List.of(
            Events.sessionCreated("s1-" + ann, ann, at("13:00"), "2", "4", "0"),
            Events.sessionTerminated("s1-" + ann, ann, at("15:00"))));
    api.awaitCaughtUp("billing");
    clock.set(Instant.parse("2026-04-01T01:00:00Z"));
    api.runJob("calculate-usage");
    api.runJob("generate-invoices");
    JsonNode listed = api.http.get(BILLING + "/invoices", annToken).expect(200).at("/invoices/0");
    long invoiceId = listed.get("id").asLong();
    assertEquals("sent", listed.get("status").asText());
    long cents = new BigDecimal(listed.get("total").asText()).movePointRight(2).longValueExact();
    String intent =
        """
        {"id": "pi_e2e", "object": "payment_intent", "amount": %d, "amount_received": %d,
         "currency": "usd", "status": "%s", "customer": "%s", "latest_charge": "ch_e2e",
         "livemode": false,
         "metadata": {"account_id": "%s", "invoice_id": "%d", "attempt": "1"}}""";
    stripe.stubFor(
        post(urlEqualTo("/v1/payment_intents"))
            .willReturn(
                okJson(intent.formatted(cents, 0, "processing", customer, ann, invoiceId))));

    api.runJob("collect-payments");

    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/payment_intents"))
            .withHeader("Idempotency-Key", equalTo("invoice-" + invoiceId + "-attempt-1"))
            .withFormParam("amount", equalTo(Long.toString(cents)))
            .withFormParam("customer", equalTo(customer))
            .withFormParam("payment_method", equalTo("pm_card_visa"))
            .withFormParam("metadata[invoice_id]", equalTo(Long.toString(invoiceId))));
    deliver(
        "evt_paid",
        "payment_intent.succeeded",
        intent.formatted(cents, cents, "succeeded", customer, ann, invoiceId));

    JsonNode invoice = api.http.get(BILLING + "/invoices/" + invoiceId, annToken).expect(200);
    assertEquals("paid", invoice.get("status").asText());
    JsonNode payment = api.http.get(BILLING + "/payments", annToken).expect(200).at("/payments/0");
    assertEquals(invoiceId, payment.get("invoice_id").asLong());
    assertEquals("succeeded", payment.get("status").asText());
    assertEquals("pi_e2e", payment.get("payment_intent_id").asText());
    assertEquals(listed.get("total").asText(), payment.get("amount").asText());
  }

  /** The account's Stripe customer: created at its first call, its default card pm_card_visa. */
  private void stubCustomer(String account, String customer) {
    String body =
        """
        {"id":"%s","object":"customer","livemode":false,"metadata":{"account_id":"%s"},\
        "invoice_settings":{"default_payment_method":"pm_card_visa"}}"""
            .formatted(customer, account);
    stripe.stubFor(
        post(urlEqualTo("/v1/customers"))
            .withFormParam("metadata[account_id]", equalTo(account))
            .willReturn(okJson(body)));
    stripe.stubFor(get(urlEqualTo("/v1/customers/" + customer)).willReturn(okJson(body)));
  }

  /** Posts the event to the webhook as Stripe does: no bearer token, signed now. */
  private void deliver(String id, String type, String object) {
    Instant now = clock.instant();
    String payload =
        """
        {"id": "%s", "object": "event", "api_version": "2024-06-20", "created": %d,
         "data": {"object": %s}, "livemode": false, "pending_webhooks": 1,
         "request": {"id": null, "idempotency_key": null}, "type": "%s"}"""
            .formatted(id, now.getEpochSecond(), object, type);
    api.http
        .call(
            "POST",
            BILLING + "/webhook",
            null,
            payload,
            Map.of("Stripe-Signature", signature(now, payload), "Content-Type", "application/json"))
        .expect(200);
  }

  /** Stripe's scheme: {@code t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>}. */
  private static String signature(Instant at, String payload) {
    long t = at.getEpochSecond();
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal((t + "." + payload).getBytes(StandardCharsets.UTF_8));
      return "t=" + t + ",v1=" + HexFormat.of().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}

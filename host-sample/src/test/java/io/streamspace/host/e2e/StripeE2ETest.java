package io.streamspace.host.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Stripe end to end over HTTP with the packaged plugin: WireMock answers as Stripe's API (the
 * plugin pointed at it by the {@code streamspace.billing.stripeApiBase} system property), the
 * webhooks are signed with Stripe's scheme, the secrets come from the host's environment. A plan
 * bought through Checkout, its card the default, the month's invoice charged by collect-payments
 * and paid by {@code payment_intent.succeeded}; then a declined one, the account locked after the
 * grace and unlocked by the payment. The clock only moves forward, so the tests run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StripeE2ETest extends BillingHostTestBase {

  private static final String BILLING = "/api/plugins/billing";
  private static final String KEY = "sk_test_e2e_0123456789";
  private static final String WEBHOOK_SECRET = "whsec_e2e_0123456789";
  private static final String PROPERTY = "streamspace.billing.stripeApiBase";

  private static final String DECLINE =
      """
      "last_payment_error": {"type": "card_error", "code": "card_declined",
       "decline_code": "insufficient_funds", "charge": "ch_bob",
       "message": "Your card has insufficient funds."}""";

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
  @Order(1)
  void aPlanBoughtThroughCheckoutIsActive_andItsInvoiceIsChargedAndPaidThroughTheWebhook() {
    api.http
        .call(
            "PATCH",
            "/api/admin/plugins/billing/config",
            api.adminToken,
            HostClient.json(Map.of("stripeEnabled", true)),
            HostClient.CONFIG_REASON)
        .expect(200);
    String ann = newUser("ann");
    String annToken = buyProThroughCheckout(ann);
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
            .withHeader("Authorization", equalTo("Bearer " + KEY))
            .withFormParam("customer", equalTo("cus_" + ann))
            .withFormParam("metadata[plan_id]", equalTo("pro"))
            .withFormParam("setup_intent_data[metadata][account_id]", equalTo(ann))
            .withFormParam("setup_intent_data[metadata][kind]", equalTo("plan")));
    assertEquals(
        "pro",
        api.http.get(BILLING + "/subscription", annToken).expect(200).get("plan_id").asText());
    clock.set(at("16:00"));
    usedTwoHours(ann, at("13:00"));

    JsonNode listed = invoicedAndCollected(ann, annToken, Instant.parse("2026-04-01T01:00:00Z"));

    long invoiceId = listed.get("id").asLong();
    long cents = cents(listed);
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/payment_intents"))
            .withHeader("Idempotency-Key", equalTo("invoice-" + invoiceId + "-attempt-1"))
            .withFormParam("amount", equalTo(Long.toString(cents)))
            .withFormParam("customer", equalTo("cus_" + ann))
            .withFormParam("payment_method", equalTo("pm_card_visa"))
            .withFormParam("metadata[invoice_id]", equalTo(Long.toString(invoiceId))));
    deliver("evt_paid_" + ann, "payment_intent.succeeded", intent(ann, listed, cents, "succeeded"));

    JsonNode invoice = api.http.get(BILLING + "/invoices/" + invoiceId, annToken).expect(200);
    assertEquals("paid", invoice.get("status").asText());
    JsonNode payment = api.http.get(BILLING + "/payments", annToken).expect(200).at("/payments/0");
    assertEquals(invoiceId, payment.get("invoice_id").asLong());
    assertEquals("succeeded", payment.get("status").asText());
    assertEquals("pi_" + ann, payment.get("payment_intent_id").asText());
    assertEquals(listed.get("total").asText(), payment.get("amount").asText());
  }

  @Test
  @Order(2)
  void aDeclinedChargeLeavesTheInvoiceOverdue_lockedAfterTheGrace_andItsPaymentUnlocks() {
    clock.set(Instant.parse("2026-04-02T00:00:00Z"));
    String bob = newUser("bob");
    String bobToken = buyProThroughCheckout(bob);
    clock.set(Instant.parse("2026-04-02T16:00:00Z"));
    usedTwoHours(bob, Instant.parse("2026-04-02T13:00:00Z"));
    JsonNode listed = invoicedAndCollected(bob, bobToken, Instant.parse("2026-05-01T01:00:00Z"));
    long invoiceId = listed.get("id").asLong();
    String declined =
        intent(bob, listed, 0, "requires_payment_method")
            .replace("\"livemode\"", DECLINE + ", \"livemode\"");

    deliver("evt_failed_" + bob, "payment_intent.payment_failed", declined);

    JsonNode failed = api.http.get(BILLING + "/payments", bobToken).expect(200).at("/payments/0");
    assertEquals("failed", failed.get("status").asText());
    assertEquals("insufficient_funds", failed.get("failure_code").asText());
    clock.set(Instant.parse("2026-05-15T01:00:00Z"));
    api.runJob("finalize-invoices");
    assertEquals("overdue", invoiceStatus(bobToken, invoiceId));
    clock.set(Instant.parse("2026-05-18T01:00:00Z"));
    api.runJob("check-quotas");
    assertEquals("account_locked", api.admission(platformToken, bob).path("code").asText());

    deliver(
        "evt_paid_" + bob,
        "payment_intent.succeeded",
        intent(bob, listed, cents(listed), "succeeded"));

    assertEquals("paid", invoiceStatus(bobToken, invoiceId));
    assertNotEquals("account_locked", api.admission(platformToken, bob).path("code").asText());
  }

  /**
   * The specification's routes answer as the billing routes they alias: its usage the plugin's
   * {@code /usage} (same figures, same 401), its upgrade a Checkout Session for the plan named
   * in the body (its URL and session id; 401 as the target; 403 to a token without the roles
   * the target's description names, which the target refuses 404 for want of an account), its
   * webhook Stripe's
   * events verified over the body handed on byte for byte (the upgrade completed through it
   * changes the plan; a wrong signature is 400 invalid_signature, as on the target).
   */
  @Test
  @Order(3)
  void theSpecificationsSubscriptionRoutesAnswerAsTheBillingRoutesTheyAlias() {
    clock.set(Instant.parse("2026-05-18T01:00:00Z"));
    String carol = newUser("carol");
    String token = buyProThroughCheckout(carol);
    usedTwoHours(carol, Instant.parse("2026-05-17T20:00:00Z"));
    api.runJob("calculate-usage");
    String day = "?from=2026-05-17&to=2026-05-18";

    JsonNode usage = api.http.get("/api/subscriptions/usage" + day, token).expect(200);

    assertEquals(api.http.get(BILLING + "/usage" + day, token).expect(200), usage);
    // 2 cores and 4 GB for two hours: 0.20 + 0.08
    assertEquals(0, new BigDecimal("0.28").compareTo(usage.get("total_cost").decimalValue()));
    assertEquals(401, api.http.get("/api/subscriptions/usage", null).status());
    assertEquals(401, api.http.get(BILLING + "/usage", null).status());

    stripe.stubFor(
        post(urlEqualTo("/v1/checkout/sessions"))
            .withFormParam("customer", equalTo("cus_" + carol))
            .withFormParam("metadata[plan_id]", equalTo("enterprise"))
            .willReturn(okJson(checkoutSession(carol, "cs_up_" + carol, "enterprise"))));
    String upgrade =
        """
        {"plan_id":"enterprise","success_url":"https://app.example.com/ok",\
        "cancel_url":"https://app.example.com/cancel"}""";

    JsonNode checkout = api.http.post("/api/subscriptions/upgrade", token, upgrade).expect(200);

    assertEquals("cs_up_" + carol, checkout.get("session_id").asText());
    assertEquals(
        "https://checkout.stripe.com/c/pay/cs_up_" + carol, checkout.get("checkout_url").asText());
    assertEquals(401, api.http.post("/api/subscriptions/upgrade", null, upgrade).status());
    // the one difference: a token without the user or admin role the target's description
    // names is refused by the host (403); the target looks for its caller's account (404)
    assertEquals(403, api.http.post("/api/subscriptions/upgrade", platformToken, upgrade).status());
    assertEquals(404, api.http.post(BILLING + "/create-checkout", platformToken, upgrade).status());

    deliver(
        "/api/subscriptions/webhook",
        "evt_up_checkout_" + carol,
        "checkout.session.completed",
        completedSession("cs_up_" + carol, carol, "seti_" + carol, "enterprise"));

    assertEquals(
        "enterprise",
        api.http.get(BILLING + "/subscription", token).expect(200).get("plan_id").asText());
    for (String path : List.of("/api/subscriptions/webhook", BILLING + "/webhook")) {
      JsonNode refused =
          api.http
              .call(
                  "POST",
                  path,
                  null,
                  "{\"id\": \"evt_forged\"}",
                  Map.of("Stripe-Signature", "t=1,v1=00", "Content-Type", "application/json"))
              .expect(400);
      assertEquals("invalid_signature", refused.at("/error/code").asText(), path);
    }
  }

  /** A Checkout Session of {@code account}'s customer for a plan, in setup mode, as created. */
  private String checkoutSession(String account, String sessionId, String planId) {
    return """
        {"id":"%s","object":"checkout.session","mode":"setup",\
        "status":"open","payment_status":"no_payment_required",\
        "customer":"cus_%s","client_reference_id":"%s","currency":"usd",\
        "created":%d,"expires_at":%d,"payment_method_types":["card"],\
        "success_url":"https://app.example.com/ok",\
        "cancel_url":"https://app.example.com/cancel",\
        "metadata":{"account_id":"%s","kind":"plan","plan_id":"%s"},\
        "url":"https://checkout.stripe.com/c/pay/%s","livemode":false}"""
        .formatted(
            sessionId,
            account,
            account,
            clock.instant().getEpochSecond(),
            clock.instant().plusSeconds(86_400).getEpochSecond(),
            account,
            planId,
            sessionId);
  }

  /** That session completed with its SetupIntent as an id, as the event shows it. */
  private String completedSession(
      String sessionId, String account, String setupIntent, String planId) {
    return """
        {"id": "%s", "object": "checkout.session", "mode": "setup",
         "status": "complete", "payment_status": "no_payment_required",
         "client_reference_id": "%s", "customer": "cus_%s", "currency": "usd",
         "amount_subtotal": null, "amount_total": null, "created": %d, "expires_at": %d,
         "livemode": false, "payment_intent": null, "payment_method_types": ["card"],
         "setup_intent": "%s", "success_url": "https://app.example.com/ok",
         "cancel_url": "https://app.example.com/cancel", "url": null,
         "metadata": {"account_id": "%s", "kind": "plan", "plan_id": "%s"}}"""
        .formatted(
            sessionId,
            account,
            account,
            clock.instant().getEpochSecond(),
            clock.instant().plusSeconds(86_400).getEpochSecond(),
            setupIntent,
            account,
            planId);
  }

  private String invoiceStatus(String token, long invoiceId) {
    return api.http
        .get(BILLING + "/invoices/" + invoiceId, token)
        .expect(200)
        .get("status")
        .asText();
  }

  /**
   * A new account on Pro through Checkout: its Stripe customer {@code cus_<account>} made at the
   * call, the session {@code cs_<account>} completed with its card pm_card_visa; its token.
   */
  private String buyProThroughCheckout(String account) {
    String token = api.token(account, "user");
    api.postEvents(platformToken, List.of(Events.userCreated(account, clock.instant())));
    api.awaitCaughtUp("billing");
    String customer = "cus_" + account;
    stubCustomer(account, customer);
    stripe.stubFor(
        post(urlEqualTo("/v1/checkout/sessions"))
            .withFormParam("customer", equalTo(customer))
            .willReturn(
                okJson(
                    """
                    {"id":"cs_%s","object":"checkout.session","mode":"setup",\
                    "status":"open","payment_status":"no_payment_required",\
                    "customer":"%s","client_reference_id":"%s","currency":"usd",\
                    "created":%d,"expires_at":%d,"payment_method_types":["card"],\
                    "success_url":"https://app.example.com/ok",\
                    "cancel_url":"https://app.example.com/cancel",\
                    "metadata":{"account_id":"%s","kind":"plan","plan_id":"pro"},\
                    "url":"https://checkout.stripe.com/c/pay/cs_%s","livemode":false}"""
                        .formatted(
                            account,
                            customer,
                            account,
                            clock.instant().getEpochSecond(),
                            clock.instant().plusSeconds(86_400).getEpochSecond(),
                            account,
                            account))));
    JsonNode checkout =
        api.http
            .post(
                BILLING + "/create-checkout",
                token,
                """
                {"plan_id":"pro","success_url":"https://app.example.com/ok",\
                "cancel_url":"https://app.example.com/cancel"}""")
            .expect(200);
    assertEquals("cs_" + account, checkout.get("session_id").asText());
    // as Stripe sends them: the card saved by the session attached, its SetupIntent succeeded
    // (the card, the default), then the session completed with its SetupIntent as an id (an
    // event's object never has its fields expanded)
    deliver(
        "evt_attached_" + account,
        "payment_method.attached",
        """
        {"id": "pm_card_visa", "object": "payment_method", "type": "card",
         "billing_details": {"email": null, "name": null},
         "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030,
          "funding": "credit"},
         "created": %d, "customer": "%s", "livemode": false, "metadata": {}}"""
            .formatted(clock.instant().getEpochSecond(), customer));
    deliver(
        "evt_setup_" + account,
        "setup_intent.succeeded",
        """
        {"id": "seti_%s", "object": "setup_intent", "status": "succeeded",
         "usage": "off_session", "customer": "%s", "payment_method": "pm_card_visa",
         "payment_method_types": ["card"], "created": %d, "livemode": false,
         "metadata": {"account_id": "%s", "kind": "plan"}}"""
            .formatted(account, customer, clock.instant().getEpochSecond(), account));
    deliver(
        "evt_checkout_" + account,
        "checkout.session.completed",
        """
        {"id": "cs_%s", "object": "checkout.session", "mode": "setup",
         "status": "complete", "payment_status": "no_payment_required",
         "client_reference_id": "%s", "customer": "%s", "currency": "usd",
         "amount_subtotal": null, "amount_total": null, "created": %d, "expires_at": %d,
         "livemode": false, "payment_intent": null, "payment_method_types": ["card"],
         "setup_intent": "seti_%s", "success_url": "https://app.example.com/ok",
         "cancel_url": "https://app.example.com/cancel", "url": null,
         "metadata": {"account_id": "%s", "kind": "plan", "plan_id": "pro"}}"""
            .formatted(
                account,
                account,
                customer,
                clock.instant().getEpochSecond(),
                clock.instant().plusSeconds(86_400).getEpochSecond(),
                account,
                account));
    return token;
  }

  /** A session of 2 cores and 4 GB for two hours from {@code start}. */
  private void usedTwoHours(String account, Instant start) {
    api.postEvents(
        platformToken,
        List.of(
            Events.sessionCreated("s1-" + account, account, start, "2", "4", "0"),
            Events.sessionTerminated("s1-" + account, account, start.plusSeconds(7200))));
    api.awaitCaughtUp("billing");
  }

  /**
   * The account's newest invoice, finalized at {@code invoiceDay} and sent to Stripe by
   * collect-payments (Stripe answering {@code processing}, as for a charge still under way).
   */
  private JsonNode invoicedAndCollected(String account, String token, Instant invoiceDay) {
    clock.set(invoiceDay);
    api.runJob("calculate-usage");
    api.runJob("generate-invoices");
    JsonNode listed = api.http.get(BILLING + "/invoices", token).expect(200).at("/invoices/0");
    assertEquals("sent", listed.get("status").asText());
    stripe.stubFor(
        post(urlEqualTo("/v1/payment_intents"))
            .withFormParam("customer", equalTo("cus_" + account))
            .willReturn(okJson(intent(account, listed, 0, "processing"))));
    api.runJob("collect-payments");
    return listed;
  }

  /** The invoice's total in cents. */
  private static long cents(JsonNode invoice) {
    return new BigDecimal(invoice.get("total").asText()).movePointRight(2).longValueExact();
  }

  /**
   * The PaymentIntent {@code pi_<account>} of the invoice's first attempt, as Stripe shows it:
   * created by collect-payments at the finalization, an hour after the period.
   */
  private static String intent(String account, JsonNode invoice, long received, String status) {
    return """
        {"id": "pi_%s", "object": "payment_intent", "amount": %d, "amount_received": %d,
         "capture_method": "automatic", "confirmation_method": "automatic",
         "created": %d, "currency": "usd", "status": "%s", "customer": "cus_%s",
         "latest_charge": "ch_%s", "payment_method_types": ["card"], "livemode": false,
         "metadata": {"account_id": "%s", "invoice_id": "%d", "attempt": "1"}}"""
        .formatted(
            account,
            cents(invoice),
            received,
            Instant.parse(invoice.get("period_end").asText()).plusSeconds(3600).getEpochSecond(),
            status,
            account,
            account,
            account,
            invoice.get("id").asLong());
  }

  /**
   * The account's Stripe customer: created at its first call without a default payment method
   * (as Stripe creates one), read later with its default card pm_card_visa.
   */
  private void stubCustomer(String account, String customer) {
    String body =
        """
        {"id":"%s","object":"customer","created":%d,"livemode":false,\
        "metadata":{"account_id":"%s"},"invoice_settings":{"default_payment_method":%s}}""";
    long created = clock.instant().getEpochSecond();
    stripe.stubFor(
        post(urlEqualTo("/v1/customers"))
            .withFormParam("metadata[account_id]", equalTo(account))
            .willReturn(okJson(body.formatted(customer, created, account, "null"))));
    stripe.stubFor(
        get(urlEqualTo("/v1/customers/" + customer))
            .willReturn(okJson(body.formatted(customer, created, account, "\"pm_card_visa\""))));
  }

  /** Posts the event to the webhook as Stripe does: no bearer token, signed now. */
  private void deliver(String id, String type, String object) {
    deliver(BILLING + "/webhook", id, type, object);
  }

  /** As {@link #deliver(String, String, String)}, to {@code path}. */
  private void deliver(String path, String id, String type, String object) {
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
            path,
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

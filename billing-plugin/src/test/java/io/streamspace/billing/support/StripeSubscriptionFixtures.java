package io.streamspace.billing.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.streamspace.billing.support.BillingHarness.user;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.plugin.api.http.HttpMethod;
import java.time.Instant;
import java.util.Map;

/**
 * Stripe Billing as the tests of subscriptions meet it: hybrid mode, default plans (Pro 29.99,
 * Enterprise 99.99 USD); dan on Pro from March 1, his Stripe customer {@code cus_dan}; the
 * objects (a Checkout Session, a Subscription with its price) shaped as Stripe sends them.
 */
public final class StripeSubscriptionFixtures {

  public static final String SECRET = "whsec_test_subscriptions";

  /** The config of Stripe Billing: plan Checkouts in subscription mode. */
  public static final String STRIPE_INVOICES =
      "{\"billingMode\": \"hybrid\", \"stripeEnabled\": true,"
          + " \"stripeCollection\": \"stripe_invoices\"}";

  /** The config of today's collection: plan Checkouts in setup mode. */
  public static final String PAYMENT_INTENTS =
      "{\"billingMode\": \"hybrid\", \"stripeEnabled\": true}";

  public static final String URLS =
      "\"success_url\":\"https://app.example.com/paid\","
          + "\"cancel_url\":\"https://app.example.com/cancel\"";

  private StripeSubscriptionFixtures() {}

  /** dan on Pro with his customer, Stripe at WireMock, the clock at {@code now}. */
  public static BillingHarness danOnPro(String config, WireMockServer stripe, Instant now) {
    BillingHarness billing = new BillingHarness(BillingHarness.at("2026-03-01T00:00:00Z"), config);
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", SECRET);
    billing.context.setSecret("STRIPE_SECRET_KEY", "sk_test_subscriptions");
    StripeTestEndpoint.pointAt(billing.billing, stripe.baseUrl());
    billing.userCreated("dan", Map.of("plan", "pro"));
    billing.flush();
    TestDatabase.execute(
        """
        INSERT INTO billing_stripe_customers (account_id, customer_id, created_at)
        VALUES ('dan', 'cus_dan', '2026-03-01T00:00:00Z')""");
    billing.clock.set(now);
    return billing;
  }

  /** The plan dan is on, as GET /subscription shows it. */
  public static String planOfDan(BillingHarness billing) {
    return billing
        .call(HttpMethod.GET, "/subscription", user("dan"))
        .body()
        .get("plan_id")
        .textValue();
  }

  /** Stripe answers a session created with {@code id} (its other members do not matter here). */
  public static void sessionCreated(WireMockServer stripe, String id, String mode) {
    stripe.stubFor(
        post(urlEqualTo("/v1/checkout/sessions"))
            .willReturn(
                okJson(
                    """
                    {"id": "%s", "object": "checkout.session", "mode": "%s", "status": "open",
                     "customer": "cus_dan", "client_reference_id": "dan", "created": 1773664000,
                     "expires_at": 1773750400, "livemode": false,
                     "metadata": {"account_id": "dan", "kind": "plan"},
                     "url": "https://checkout.stripe.com/c/pay/%s"}"""
                        .formatted(id, mode, id))));
  }

  /** Stripe holds Enterprise's USD price as the catalog makes it: {@code price_ent}. */
  public static void enterprisePriceAtStripe(WireMockServer stripe) {
    stripe.stubFor(
        get(urlPathEqualTo("/v1/prices"))
            .willReturn(
                okJson(
                    """
                    {"object": "list", "has_more": false, "url": "/v1/prices",
                     "data": [%s]}"""
                        .formatted(price("price_ent", "enterprise", 9999)))));
  }

  /** A plan's monthly USD price as Stripe shows it (in a list or a subscription's item). */
  public static String price(String id, String planId, long cents) {
    return """
        {"id": "%s", "object": "price", "active": true, "currency": "usd",
         "lookup_key": "ss_plan_%s_usd", "product": "ss_plan_%s", "unit_amount": %d,
         "tax_behavior": "exclusive", "type": "recurring",
         "recurring": {"interval": "month", "interval_count": 1}, "created": 1772323200,
         "livemode": false, "metadata": {}}"""
        .formatted(id, planId, planId, cents);
  }

  /** Asks for dan's plan Checkout: the answer's status. */
  public static int checkout(BillingHarness billing, String planId) {
    return billing
        .call(
            HttpMethod.POST,
            "/create-checkout",
            user("dan"),
            "{\"plan_id\": \"" + planId + "\", " + URLS + "}")
        .status();
  }

  /** dan's subscription-mode session completed and paid, for {@code planId}. */
  public static String subscriptionSession(String id, String planId, String subscription) {
    return """
        {"id": "%s", "object": "checkout.session", "mode": "subscription", "status": "complete",
         "payment_status": "paid", "client_reference_id": "dan", "customer": "cus_dan",
         "currency": "usd", "amount_subtotal": 9999, "amount_total": 9999,
         "created": 1773664000, "expires_at": 1773750400, "livemode": false,
         "payment_intent": null, "setup_intent": null, "subscription": "%s", "invoice": "in_1",
         "url": null, "success_url": "https://app.example.com/paid",
         "cancel_url": "https://app.example.com/cancel",
         "metadata": {"account_id": "dan", "kind": "plan", "plan_id": "%s"}}"""
        .formatted(id, subscription, planId);
  }

  /** dan's setup-mode plan session completed. */
  public static String setupSession(String id, String planId) {
    return """
        {"id": "%s", "object": "checkout.session", "mode": "setup", "status": "complete",
         "payment_status": "no_payment_required", "client_reference_id": "dan",
         "customer": "cus_dan", "currency": "usd", "amount_subtotal": null,
         "amount_total": null, "created": 1773664000, "expires_at": 1773750400,
         "livemode": false, "payment_intent": null, "setup_intent": "seti_1", "url": null,
         "success_url": "https://app.example.com/paid",
         "cancel_url": "https://app.example.com/cancel",
         "metadata": {"account_id": "dan", "kind": "plan", "plan_id": "%s"}}"""
        .formatted(id, planId);
  }

  /**
   * dan's Subscription {@code id} on a plan's price, with that status, {@code
   * cancel_at_period_end} and metadata (JSON), as Stripe's 2025+ API shows it: the period on
   * the item.
   */
  public static String subscription(
      String id, String status, String priceJson, boolean cancelAtPeriodEnd, String metadata) {
    return """
        {"id": "%s", "object": "subscription", "status": "%s", "customer": "cus_dan",
         "cancel_at_period_end": %s, "created": 1772323200, "livemode": false,
         "metadata": %s,
         "items": {"object": "list", "has_more": false, "url": "/v1/subscription_items",
          "data": [{"id": "si_1", "object": "subscription_item", "quantity": 1,
           "current_period_start": 1772323200, "current_period_end": 1775001600,
           "price": %s}]}}"""
        .formatted(id, status, cancelAtPeriodEnd, metadata, priceJson);
  }

  /** The metadata a plan Checkout gives dan's subscription. */
  public static String metadataOf(String planId) {
    return "{\"account_id\": \"dan\", \"plan_id\": \"" + planId + "\"}";
  }

  /** Stripe shows invoice in_1 paid: 9,999 cents by the PaymentIntent pi_1. */
  public static void firstInvoicePaid(WireMockServer stripe) {
    stripe.stubFor(
        get(urlPathEqualTo("/v1/invoices/in_1"))
            .willReturn(
                okJson(
                    """
                    {"id": "in_1", "object": "invoice", "status": "paid", "currency": "usd",
                     "amount_paid": 9999, "created": 1773655200, "livemode": false,
                     "payments": {"object": "list", "has_more": false,
                      "url": "/v1/invoice_payments",
                      "data": [{"id": "inpay_1", "object": "invoice_payment",
                       "amount_paid": 9999, "currency": "usd", "invoice": "in_1",
                       "is_default": true, "status": "paid", "livemode": false,
                       "created": 1773655200,
                       "payment": {"type": "payment_intent", "payment_intent": "pi_1"}}]}}""")));
  }

  /** Stripe answers a refund of pi_1 with {@code status}: 200 refunded, else an error. */
  public static void refundAnswers(WireMockServer stripe, int status) {
    stripe.stubFor(
        post(urlEqualTo("/v1/refunds"))
            .willReturn(
                status == 200
                    ? okJson(
                        """
                        {"id": "re_1", "object": "refund", "amount": 9999, "currency": "usd",
                         "payment_intent": "pi_1", "status": "succeeded",
                         "created": 1773664496}""")
                    : aResponse()
                        .withStatus(status)
                        .withHeader("Content-Type", "application/json")
                        .withBody(
                            "{\"error\": {\"type\": \"api_error\", \"message\": \"down\"}}")));
  }
}

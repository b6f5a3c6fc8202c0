package io.streamspace.billing.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.FINALIZE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.billing.jobs.CheckQuotasJob;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.RecordingMetrics;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import io.streamspace.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Stripe routes with the real stripe-java client against WireMock answering as Stripe's API
 * does (the shapes of its OpenAPI: customer, checkout.session, billing_portal.session, a list of
 * payment_method), on real PostgreSQL: what stripe-java sends (form parameters, the secret key,
 * idempotency keys), the customer created once, retries after a timeout and a 429, and the
 * routes' refusals. Ann (USD) and Thu (VND), both on the free plan.
 *
 * <p>No call here times out unless the test means it to: the plugin waits for WireMock as long
 * as for Stripe ({@link #patient}), and a test of a timeout makes WireMock answer several times
 * later than the client waits, never within it. (With the 500 ms these tests used to allow and
 * a 200 ms delay on every customer creation, a machine busy with other builds answered late,
 * the client retried, and the counts of requests, outcomes and keys were off by one.)
 */
class StripeCallsTest {

  private static final String KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
  private static final String ENABLED =
      "{\"stripeEnabled\": true, " + BillingHarness.USD_AND_VND_CONFIG.substring(1);
  private static final String URLS =
      "\"success_url\":\"https://app.example.com/paid\","
          + "\"cancel_url\":\"http://localhost:3000/cancelled\"";

  private final WireMockServer stripe = new WireMockServer(options().dynamicPort());
  private final ExecutorService threads = Executors.newFixedThreadPool(2);
  private final BillingHarness billing = new BillingHarness(at("2026-03-10T00:00:00Z"), ENABLED);

  @BeforeEach
  void start() {
    stripe.start();
    billing.context.setSecret("STRIPE_SECRET_KEY", KEY);
    StripeTestEndpoint.pointAt(billing.billing, patient());
    billing.userCreated("ann", Map.of());
    billing.userCreated("bob", Map.of());
    billing.userCreated("thu", Map.of("currency", "VND"));
    billing.flush();
    for (String account : List.of("ann", "bob", "thu")) {
      stripe.stubFor(
          post(urlEqualTo("/v1/customers"))
              .withFormParam("metadata[account_id]", equalTo(account))
              .willReturn(okJson(customer(account, null))));
    }
    for (String[] mode :
        List.of(
            new String[] {"setup", "no_payment_required"}, new String[] {"payment", "unpaid"})) {
      stripe.stubFor(
          post(urlEqualTo("/v1/checkout/sessions"))
              .withFormParam("mode", equalTo(mode[0]))
              .willReturn(okJson(SESSION.formatted(mode[0], mode[1]))));
    }
    stripe.stubFor(post(urlEqualTo("/v1/billing_portal/sessions")).willReturn(okJson(PORTAL)));
  }

  @AfterEach
  void stop() {
    threads.shutdownNow();
    billing.close();
    stripe.stop();
  }

  /** WireMock with Stripe's own read timeouts for the queue and for a route (30 s, 8 s). */
  private StripeEndpoint patient() {
    return new StripeEndpoint(
        stripe.baseUrl(),
        Duration.ofSeconds(2),
        StripeEndpoint.STRIPE.readTimeout(),
        StripeEndpoint.STRIPE.interactiveReadTimeout());
  }

  /** The customer creation for ann, answered only after {@code delay}. */
  private void annsCustomerAnsweredAfter(Duration delay) {
    stripe.stubFor(
        post(urlEqualTo("/v1/customers"))
            .withFormParam("metadata[account_id]", equalTo("ann"))
            .willReturn(okJson(customer("ann", null)).withFixedDelay((int) delay.toMillis())));
  }

  /** An open Checkout Session in a mode, with its payment_status, as Stripe answers its create. */
  private static final String SESSION =
      """
      {"id":"cs_test_a1","object":"checkout.session","mode":"%s","status":"open",\
      "payment_status":"%s","customer":"cus_ann","client_reference_id":"ann",\
      "currency":"usd","created":1773100800,"expires_at":1773187200,"livemode":false,\
      "success_url":"https://app.example.com/paid",\
      "cancel_url":"http://localhost:3000/cancelled","payment_method_types":["card"],\
      "metadata":{"account_id":"ann"},\
      "url":"https://checkout.stripe.com/c/pay/cs_test_a1"}""";

  private static final String PORTAL =
      """
      {"id":"bps_1","object":"billing_portal.session","configuration":"bpc_1",\
      "created":1773100800,"customer":"cus_ann",\
      "return_url":"https://app.example.com/account","livemode":false,\
      "url":"https://billing.stripe.com/p/session/test_1"}""";

  /** The customer of the account, {@code cus_<account>}, as Stripe answers it. */
  private static String customer(String account, String defaultMethod) {
    return """
        {"id":"cus_%s","object":"customer","created":1773100800,"livemode":false,\
        "metadata":{"account_id":"%s"},"invoice_settings":{"default_payment_method":%s}}"""
        .formatted(account, account, defaultMethod == null ? "null" : "\"" + defaultMethod + "\"");
  }

  /** A plugin with that config, this Stripe and its key, and the account of a new user. */
  private BillingHarness anotherPlugin(String config, String user) {
    BillingHarness other = new BillingHarness(at("2026-03-10T00:00:00Z"), config);
    other.context.setSecret("STRIPE_SECRET_KEY", KEY);
    StripeTestEndpoint.pointAt(other.billing, patient());
    other.userCreated(user, Map.of());
    other.flush();
    return other;
  }

  private Answer checkout(Caller caller, String body) {
    return billing.call(HttpMethod.POST, "/create-checkout", caller, body);
  }

  private Answer portal(Caller caller) {
    return billing.call(
        HttpMethod.POST, "/portal", caller, "{\"return_url\":\"https://app.example.com/account\"}");
  }

  @Test
  void aPlanCheckoutSavesAPaymentMethodInSetupMode_itsSetupIntentMarkedAsThePlansOfTheAccount() {
    Answer answer = checkout(user("ann"), "{\"plan_id\":\"pro\"," + URLS + "}");

    assertEquals(200, answer.status(), answer.body().toString());
    assertEquals(
        "{\"checkout_url\":\"https://checkout.stripe.com/c/pay/cs_test_a1\","
            + "\"session_id\":\"cs_test_a1\"}",
        answer.body().toString());
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/customers"))
            .withHeader("Authorization", equalTo("Bearer " + KEY))
            .withHeader("Idempotency-Key", equalTo("customer-ann"))
            .withHeader("Content-Type", equalTo("application/x-www-form-urlencoded;charset=UTF-8"))
            .withFormParam("metadata[account_id]", equalTo("ann")));
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
            .withHeader("Authorization", equalTo("Bearer " + KEY))
            .withFormParam("mode", equalTo("setup"))
            .withFormParam("customer", equalTo("cus_ann"))
            .withFormParam("currency", equalTo("usd"))
            .withFormParam("client_reference_id", equalTo("ann"))
            .withFormParam("metadata[account_id]", equalTo("ann"))
            .withFormParam("metadata[kind]", equalTo("plan"))
            .withFormParam("metadata[plan_id]", equalTo("pro"))
            .withFormParam("setup_intent_data[metadata][account_id]", equalTo("ann"))
            .withFormParam("setup_intent_data[metadata][kind]", equalTo("plan"))
            .withFormParam("success_url", equalTo("https://app.example.com/paid"))
            .withFormParam("cancel_url", equalTo("http://localhost:3000/cancelled")));
    assertEquals("cus_ann", value("SELECT customer_id FROM billing_stripe_customers"));
  }

  @Test
  void aPackCheckoutTakesItsPriceOnceInMinorUnits_centsForUsdAndWholeDongForVnd() {
    Answer usd = checkout(user("ann"), "{\"pack_id\":\"slots-5\"," + URLS + "}");
    Answer vnd =
        checkout(admin("root"), "{\"pack_id\":\"slots-5\",\"user_id\":\"thu\"," + URLS + "}");

    assertEquals(200, usd.status(), usd.body().toString());
    assertEquals(200, vnd.status(), vnd.body().toString());
    for (String[] expected :
        List.of(new String[] {"ann", "usd", "500"}, new String[] {"thu", "vnd", "125000"})) {
      stripe.verify(
          1,
          postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
              .withFormParam("mode", equalTo("payment"))
              .withFormParam("client_reference_id", equalTo(expected[0]))
              .withFormParam("line_items[0][price_data][currency]", equalTo(expected[1]))
              .withFormParam("line_items[0][price_data][unit_amount]", equalTo(expected[2]))
              .withFormParam(
                  "line_items[0][price_data][product_data][name]", equalTo("5 job slots"))
              .withFormParam("line_items[0][quantity]", equalTo("1"))
              .withFormParam("metadata[kind]", equalTo("pack"))
              .withFormParam("metadata[pack_id]", equalTo("slots-5")));
    }
  }

  @Test
  void aPackPricedFinerThanStripeTakesTheCurrencyIsRefusedNamingThePrice_andStripeIsNotAsked() {
    String bhd =
        """
        {"stripeEnabled": true, "currency": "BHD", "capacityPacks": [{"id": "slots-5",
          "name": "5 job slots", "adds": {"active_sessions": 5}, "prices": {"BHD": 1.005},
          "kind": "one_time", "valid_days": 30}]}""";
    try (BillingHarness dinars = anotherPlugin(bhd, "ali")) {
      Answer answer =
          dinars.call(
              HttpMethod.POST,
              "/create-checkout",
              user("ali"),
              "{\"pack_id\":\"slots-5\"," + URLS + "}");

      assertEquals(409, answer.status(), answer.body().toString());
      assertEquals("amount_not_chargeable", answer.body().at("/error/code").asText());
      assertEquals(
          "BHD\u00a01.005 cannot be charged through Stripe, which takes BHD amounts to 2 decimals",
          answer.body().at("/error/message").asText());
    }
    assertEquals(0, stripe.getAllServeEvents().size());
  }

  @Test
  void concurrentFirstCallsAskForTheCustomerUnderOneIdempotencyKey_andBothUseTheOneStored()
      throws Exception {
    // each call on its own thread (the common pool has one worker on two cores: the calls would
    // take turns), let go together; the creation answered after a second, so that both are
    // usually at Stripe at once (the assertions hold whichever comes first)
    annsCustomerAnsweredAfter(Duration.ofSeconds(1));
    CyclicBarrier go = new CyclicBarrier(2);
    List<Future<Answer>> calls =
        List.of(1, 2).stream()
            .map(
                i ->
                    threads.submit(
                        () -> {
                          go.await();
                          return portal(user("ann"));
                        }))
            .toList();

    for (Future<Answer> call : calls) {
      assertEquals(200, call.get().status(), call.get().body().toString());
    }
    // Stripe answers every create under one key with the one customer it created
    List<String> keys =
        stripe.findAll(postRequestedFor(urlEqualTo("/v1/customers"))).stream()
            .map(r -> r.getHeader("Idempotency-Key"))
            .distinct()
            .toList();
    assertEquals(List.of("customer-ann"), keys);
    stripe.verify(
        2,
        postRequestedFor(urlEqualTo("/v1/billing_portal/sessions"))
            .withFormParam("customer", equalTo("cus_ann")));
    assertEquals(1L, value("SELECT count(*) FROM billing_stripe_customers"));
  }

  @Test
  void noTransactionIsOpenWhileStripeCreatesTheCustomer() throws Exception {
    // answered seconds after WireMock's journal shows the request: the look below falls within
    // the wait, not after the answer, when the plugin stores the customer
    annsCustomerAnsweredAfter(Duration.ofSeconds(3));
    Future<Answer> call = threads.submit(() -> portal(user("ann")));
    // Stripe has the request once WireMock's journal shows it
    Await.await(
        Duration.ofSeconds(30),
        Duration.ofMillis(20),
        "the customer creation at Stripe",
        () -> !stripe.findAll(postRequestedFor(urlEqualTo("/v1/customers"))).isEmpty());

    Object open =
        value(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()");

    assertFalse(call.isDone(), "looked while Stripe was still to answer");
    assertEquals(0L, open, "a transaction held open while Stripe answers");
    assertEquals(200, call.get().status());
  }

  @Test
  void aFirstAttemptOlderThanStripesKeyWindowFindsTheCustomerItCreated_insteadOfASecondOne() {
    stripe.stubFor(
        post(urlEqualTo("/v1/customers"))
            .withFormParam("metadata[account_id]", equalTo("ann"))
            .willReturn(aResponse().withStatus(500).withBody("{}")));
    portal(user("ann")); // Stripe created cus_ann, but its answer never came back
    billing.clock.advance(Duration.ofHours(23).plusMinutes(1));
    stripe.stubFor(
        get(urlPathEqualTo("/v1/customers/search"))
            .withQueryParam("query", equalTo("metadata['account_id']:'ann'"))
            .willReturn(
                okJson(
                    """
                    {"object":"search_result","url":"/v1/customers/search","has_more":false,                    "next_page":null,"data":[                    {"id":"cus_ann2","object":"customer","created":1773100900,"livemode":false,                    "metadata":{"account_id":"ann"}},                    {"id":"cus_ann","object":"customer","created":1773100800,"livemode":false,                    "metadata":{"account_id":"ann"}}]}""")));
    stripe.resetRequests();

    Answer answer = portal(user("ann"));

    assertEquals(200, answer.status(), answer.body().toString());
    stripe.verify(0, postRequestedFor(urlEqualTo("/v1/customers")));
    assertEquals("cus_ann", value("SELECT customer_id FROM billing_stripe_customers"));
  }

  @Test
  void withinStripesKeyWindowARetriedFirstCallCreatesUnderTheSameKey_withoutSearching() {
    stripe.stubFor(
        post(urlEqualTo("/v1/customers"))
            .inScenario("lost answer")
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("answering")
            .willReturn(aResponse().withStatus(400).withBody("{\"error\":{}}")));
    portal(user("ann"));
    billing.clock.advance(Duration.ofHours(22));

    Answer answer = portal(user("ann"));

    assertEquals(200, answer.status(), answer.body().toString());
    stripe.verify(0, getRequestedFor(urlPathEqualTo("/v1/customers/search")));
    assertEquals("cus_ann", value("SELECT customer_id FROM billing_stripe_customers"));
  }

  @Test
  void thePortalIsASessionForTheAccountsCustomerComingBackToTheReturnUrl() {
    Answer answer = portal(user("ann"));

    assertEquals(
        "{\"portal_url\":\"https://billing.stripe.com/p/session/test_1\"}",
        answer.body().toString());
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/billing_portal/sessions"))
            .withFormParam("customer", equalTo("cus_ann"))
            .withFormParam("return_url", equalTo("https://app.example.com/account")));
  }

  @Test
  void aCallThatTimesOutIsRetriedWithTheSameIdempotencyKeyAndSucceeds() {
    // a route waits 2 s here; the first try is answered after 10 s, never in time, the retry
    // at once, well within them
    StripeTestEndpoint.pointAt(
        billing.billing,
        new StripeEndpoint(
            stripe.baseUrl(),
            Duration.ofSeconds(2),
            Duration.ofSeconds(30),
            Duration.ofSeconds(2)));
    portal(user("ann")); // the customer, created in time
    stripe.resetRequests();
    stripe.stubFor(
        post(urlEqualTo("/v1/billing_portal/sessions"))
            .inScenario("timeout")
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("answering")
            .willReturn(okJson(PORTAL).withFixedDelay(10_000)));
    stripe.stubFor(
        post(urlEqualTo("/v1/billing_portal/sessions"))
            .inScenario("timeout")
            .whenScenarioStateIs("answering")
            .willReturn(okJson(PORTAL)));

    Answer answer = portal(user("ann"));

    assertEquals(200, answer.status(), answer.body().toString());
    stripe.verify(2, postRequestedFor(urlEqualTo("/v1/billing_portal/sessions")));
    List<String> keys =
        stripe.findAll(postRequestedFor(urlEqualTo("/v1/billing_portal/sessions"))).stream()
            .map(r -> r.getHeader("Idempotency-Key"))
            .distinct()
            .toList();
    assertEquals(1, keys.size(), "one key for both tries: " + keys);
  }

  @Test
  void aRateLimitedCallIsRetriedAndSucceeds() {
    stripe.stubFor(
        post(urlEqualTo("/v1/billing_portal/sessions"))
            .inScenario("429")
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("answering")
            .willReturn(
                aResponse()
                    .withStatus(429)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        """
                        {"error":{"type":"invalid_request_error","code":"rate_limit",\
                        "doc_url":"https://stripe.com/docs/error-codes/rate-limit",\
                        "message":"Too many requests"}}""")));
    stripe.stubFor(
        post(urlEqualTo("/v1/billing_portal/sessions"))
            .inScenario("429")
            .whenScenarioStateIs("answering")
            .willReturn(okJson(PORTAL)));

    Answer answer = portal(user("ann"));

    assertEquals(200, answer.status(), answer.body().toString());
    stripe.verify(2, postRequestedFor(urlEqualTo("/v1/billing_portal/sessions")));
    RecordingMetrics metrics = billing.context.metrics();
    assertEquals(1, metrics.count("stripe.requests", "outcome", "rate_limited"));
    assertEquals(2, metrics.count("stripe.requests", "outcome", "ok"), "the customer, the portal");
  }

  @Test
  void aStripeThatKeepsFailingIsA502_afterOneRetry_aPersonWaitingOnTheRoute() {
    stripe.stubFor(
        post(urlEqualTo("/v1/billing_portal/sessions"))
            .willReturn(
                aResponse()
                    .withStatus(500)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"error\":{\"type\":\"api_error\",\"message\":\"down\"}}")));

    Answer answer = portal(user("ann"));

    assertEquals(502, answer.status());
    assertEquals("stripe_error", answer.body().at("/error/code").asText());
    stripe.verify(2, postRequestedFor(urlEqualTo("/v1/billing_portal/sessions")));
    assertEquals(2, billing.context.metrics().count("stripe.requests", "outcome", "server_error"));
  }

  @Test
  void routesWaitForStripeLessThanTheCollectionQueue_andTryTwiceNotThreeTimes() throws Exception {
    stripe.stubFor(
        get(urlEqualTo("/v1/customers/cus_slow"))
            .willReturn(okJson(customer("slow", null)).withFixedDelay(1_000)));
    // the queue waits 30 times the answer's second, a route under a third of it: neither
    // outcome depends on how busy the machine is
    StripeEndpoint endpoint =
        new StripeEndpoint(
            stripe.baseUrl(),
            Duration.ofSeconds(2),
            Duration.ofSeconds(30),
            Duration.ofMillis(300));
    StripeClients clients =
        new StripeClients(() -> Optional.of(KEY), () -> endpoint, PluginMetrics.none());

    assertEquals(
        "cus_slow", clients.client().orElseThrow().v1().customers().retrieve("cus_slow").getId());
    stripe.verify(1, getRequestedFor(urlEqualTo("/v1/customers/cus_slow")));
    stripe.resetRequests();

    StripeClient interactive = clients.interactive().orElseThrow();
    assertThrows(
        ApiConnectionException.class, () -> interactive.v1().customers().retrieve("cus_slow"));
    stripe.verify(2, getRequestedFor(urlEqualTo("/v1/customers/cus_slow")));
  }

  @Test
  void stripesOwnEndpointGivesRoutesEightSecondsToAnswer_theQueueThirty() {
    assertEquals(Duration.ofSeconds(30), StripeEndpoint.STRIPE.readTimeout());
    assertEquals(Duration.ofSeconds(8), StripeEndpoint.STRIPE.interactiveReadTimeout());
  }

  /** Ann's customer with two cards and a SEPA debit, {@code pm_2} its invoice settings' default. */
  private void annWithThreeMethods() {
    portal(user("ann")); // creates the customer
    stripe.stubFor(
        get(urlEqualTo("/v1/customers/cus_ann")).willReturn(okJson(customer("ann", "pm_2"))));
    stripe.stubFor(
        get(urlPathEqualTo("/v1/customers/cus_ann/payment_methods"))
            .willReturn(
                okJson(
                    """
                    {"object":"list","url":"/v1/customers/cus_ann/payment_methods",\
                    "has_more":false,"data":[\
                    {"id":"pm_1","object":"payment_method","type":"card","customer":"cus_ann",\
                    "created":1773100800,"livemode":false,\
                    "billing_details":{"email":"ann@example.com","name":"Ann"},\
                    "card":{"brand":"visa","last4":"4242","exp_month":12,"exp_year":2030,\
                    "fingerprint":"Xt5EWLLDS7FJjR1c","funding":"credit","country":"US"}},\
                    {"id":"pm_2","object":"payment_method","type":"card","customer":"cus_ann",\
                    "created":1773100800,"livemode":false,"billing_details":{"name":"Ann"},\
                    "card":{"brand":"mastercard","last4":"4444","exp_month":1,"exp_year":2031,\
                    "funding":"debit"}},\
                    {"id":"pm_3","object":"payment_method","type":"sepa_debit",\
                    "customer":"cus_ann","created":1773100800,"livemode":false,\
                    "billing_details":{"email":"ann@example.com","name":"Ann"},\
                    "sepa_debit":{"last4":"3000","country":"DE"}}]}""")));
  }

  @Test
  void paymentMethodsShowTypeBrandLastFourExpiryAndTheDefault_andNothingMore() {
    annWithThreeMethods();

    Answer answer = billing.call(HttpMethod.GET, "/payment-methods?user_id=ann", admin("root"));

    assertEquals(
        "{\"payment_methods\":["
            + "{\"type\":\"card\",\"brand\":\"visa\",\"last4\":\"4242\","
            + "\"exp_month\":12,\"exp_year\":2030,\"default\":false},"
            + "{\"type\":\"card\",\"brand\":\"mastercard\",\"last4\":\"4444\","
            + "\"exp_month\":1,\"exp_year\":2031,\"default\":true},"
            + "{\"type\":\"sepa_debit\",\"brand\":null,\"last4\":\"3000\","
            + "\"exp_month\":null,\"exp_year\":null,\"default\":false}]}",
        answer.body().toString());
    stripe.verify(
        getRequestedFor(urlPathEqualTo("/v1/customers/cus_ann/payment_methods"))
            .withHeader("Authorization", equalTo("Bearer " + KEY)));
  }

  @Test
  void theDefaultShownIsTheOneKeptFromStripesEvents_beforeTheCustomersInvoiceSettings() {
    annWithThreeMethods();
    // payment_method.attached made pm_1 the default: the webhook keeps it here
    value(
        "UPDATE billing_stripe_customers SET default_payment_method = 'pm_1',"
            + " default_payment_method_at = now() WHERE account_id = 'ann' RETURNING 1");

    Answer answer = billing.call(HttpMethod.GET, "/payment-methods", user("ann"));

    assertEquals(
        List.of("4242 true", "4444 false", "3000 false"),
        StreamSupport.stream(answer.body().get("payment_methods").spliterator(), false)
            .map(m -> m.get("last4").textValue() + " " + m.get("default").booleanValue())
            .toList());
    stripe.verify(0, getRequestedFor(urlEqualTo("/v1/customers/cus_ann")));
  }

  @Test
  void anAccountWithoutACustomerHasNoPaymentMethods_andStripeIsNotAsked() {
    Answer answer = billing.call(HttpMethod.GET, "/payment-methods", user("bob"));

    assertEquals("{\"payment_methods\":[]}", answer.body().toString());
    assertEquals(0, stripe.getAllServeEvents().size());
  }

  @Test
  void badInputIs400NamingTheField_andNothingIsAskedOfStripe() {
    Map<String, String> bodies =
        Map.of(
            "{" + URLS + "}",
            "plan_id",
            "{\"plan_id\":\"pro\",\"pack_id\":\"slots-5\"," + URLS + "}",
            "plan_id",
            "{\"plan_id\":\"gold\"," + URLS + "}",
            "plan_id",
            "{\"plan_id\":\"free\"," + URLS + "}",
            "plan_id",
            "{\"pack_id\":\"slots-999\"," + URLS + "}",
            "pack_id",
            "{\"pack_id\":\"storage-10\"," + URLS + "}", // recurring: billed on the invoice
            "pack_id",
            "{\"plan_id\":\"pro\",\"cancel_url\":\"https://a.example\"}",
            "success_url",
            "{\"plan_id\":\"pro\",\"success_url\":\"http://app.example.com/paid\","
                + "\"cancel_url\":\"https://a.example\"}",
            "success_url",
            "{\"plan_id\":\"pro\",\"success_url\":\"https://a.example\","
                + "\"cancel_url\":\"javascript:alert(1)\"}",
            "cancel_url");
    bodies.forEach(
        (body, field) -> {
          Answer answer = checkout(user("ann"), body);
          assertEquals(400, answer.status(), body);
          assertEquals(field, answer.errorField(), body);
        });
    assertEquals(
        "already on Free Tier",
        checkout(user("ann"), "{\"plan_id\":\"free\"," + URLS + "}").errorMessage(),
        "the current plan by its name");
    assertEquals(
        "no plan \"gold\"",
        checkout(user("ann"), "{\"plan_id\":\"gold\"," + URLS + "}").errorMessage(),
        "an id no plan has, as typed");
    Answer portal = billing.call(HttpMethod.POST, "/portal", user("ann"), "{}");
    assertEquals("return_url", portal.errorField());
    assertEquals(0, stripe.getAllServeEvents().size());
  }

  @Test
  void aUserActsOnlyForThemselves_anAdminForAnyone() {
    assertEquals(401, portal(Caller.ANONYMOUS).status());
    assertEquals(
        403,
        checkout(user("bob"), "{\"plan_id\":\"pro\",\"user_id\":\"ann\"," + URLS + "}").status());
    assertEquals(
        403, billing.call(HttpMethod.GET, "/payment-methods?user_id=ann", user("bob")).status());
    assertEquals(
        404,
        checkout(admin("root"), "{\"plan_id\":\"pro\",\"user_id\":\"nobody\"," + URLS + "}")
            .status());
    assertEquals(
        200,
        checkout(admin("root"), "{\"plan_id\":\"pro\",\"user_id\":\"ann\"," + URLS + "}").status());
  }

  @Test
  void aLockedAccountIsRefusedACheckout_butMayStillOpenThePortalToPay() {
    invoice(
        "ann",
        "2026-02-01T00:00:00Z",
        "2026-03-01T00:00:00Z",
        "sent",
        "INV-2026-000001",
        "USD",
        "12.34",
        "0.00",
        "12.34",
        "2026-03-15T01:00:00Z",
        null);
    billing.runAt(FINALIZE_INVOICES, "2026-03-15T01:00:00Z");
    billing.runAt(CheckQuotasJob.NAME, "2026-03-18T01:00:00Z");

    Answer plan = checkout(user("ann"), "{\"plan_id\":\"pro\"," + URLS + "}");
    Answer pack = checkout(user("ann"), "{\"pack_id\":\"slots-5\"," + URLS + "}");

    assertEquals(423, plan.status());
    assertEquals("account_locked", plan.body().at("/error/code").asText());
    assertEquals(423, pack.status());
    assertEquals(200, portal(user("ann")).status());
    stripe.verify(0, postRequestedFor(urlEqualTo("/v1/checkout/sessions")));
  }

  @Test
  void whileStripeIsDisabledEveryStripeRouteAnswers409() {
    try (BillingHarness off = anotherPlugin("{}", "ann")) {
      List<Answer> answers =
          List.of(
              off.call(
                  HttpMethod.POST,
                  "/create-checkout",
                  user("ann"),
                  "{\"plan_id\":\"pro\"," + URLS + "}"),
              off.call(
                  HttpMethod.POST,
                  "/portal",
                  user("ann"),
                  "{\"return_url\":\"https://app.example.com\"}"),
              off.call(HttpMethod.GET, "/payment-methods", user("ann")));

      for (Answer answer : answers) {
        assertEquals(409, answer.status());
        assertEquals("stripe_disabled", answer.body().at("/error/code").asText());
      }
    }
    assertEquals(0, stripe.getAllServeEvents().size());
  }
}

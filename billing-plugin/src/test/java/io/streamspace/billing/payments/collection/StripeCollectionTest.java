package io.streamspace.billing.payments.collection;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.StripeSigning.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.invoicing.InvoiceStatusChanges;
import io.streamspace.billing.jobs.CollectPaymentsJob;
import io.streamspace.billing.payments.PaymentSuccesses;
import io.streamspace.billing.stripe.CollectionGateway;
import io.streamspace.billing.stripe.StripeClients;
import io.streamspace.billing.stripe.StripeEndpoint;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.common.db.Transactions;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.jobs.JobRun;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import io.streamspace.testing.Await;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Invoice collection through the queue, with the real stripe-java client against WireMock
 * answering as Stripe's API does (customer, payment_intent, a card_error), on real PostgreSQL,
 * the clock moved by hand. Each account used 2 cores and 4 GB for two hours in March: its April
 * 1st invoice is 0.28 USD (28 cents), finalized at 01:00.
 *
 * <p>No call here times out unless the test means it to: the plugin waits for WireMock as long
 * as for Stripe ({@link #patient}), and the test of a timeout makes WireMock answer twenty times
 * later than the client waits, never within it. (With a 500 ms read timeout on every call, a
 * machine busy with other builds could answer late, the client retried, and the exact counts of
 * requests were off by one, as in StripeCallsTest before.)
 */
class StripeCollectionTest {

  private static final String KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
  private static final String ENABLED =
      "{\"stripeEnabled\": true, " + BillingHarness.USD_AND_VND_CONFIG.substring(1);
  private static final String WEBHOOK_SECRET = "whsec_test_collection";
  private static final String FINALIZED = "2026-04-01T01:00:00Z";
  private static final String INTENTS = "/v1/payment_intents";
  private static final String SEARCH = "/v1/payment_intents/search";

  private final WireMockServer stripe = new WireMockServer(options().dynamicPort());
  private BillingHarness billing;

  private void load(String config) {
    stripe.start();
    billing = new BillingHarness(at("2026-03-01T00:00:00Z"), config);
    billing.context.setSecret("STRIPE_SECRET_KEY", KEY);
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET);
    StripeTestEndpoint.pointAt(billing.billing, patient());
    stripe.stubFor(post(urlEqualTo(INTENTS)).willReturn(okJson(intent("pi_1", "succeeded"))));
  }

  /** WireMock with Stripe's own read timeouts for the queue and for a route (30 s, 8 s). */
  private StripeEndpoint patient() {
    return new StripeEndpoint(
        stripe.baseUrl(),
        Duration.ofSeconds(2),
        StripeEndpoint.STRIPE.readTimeout(),
        StripeEndpoint.STRIPE.interactiveReadTimeout());
  }

  @AfterEach
  void stop() {
    if (billing != null) {
      billing.close();
    }
    stripe.stop();
  }

  /** An account with a Stripe customer whose default payment method is {@code method}. */
  private void customer(String account, String method) {
    billing.userCreated(account, Map.of());
    billing.flush();
    value(
        "INSERT INTO billing_stripe_customers VALUES (?, ?, now()) RETURNING 1",
        account,
        "cus_" + account);
    stripe.stubFor(
        get(urlEqualTo("/v1/customers/cus_" + account))
            .willReturn(
                okJson(
                    """
                    {"id":"cus_%s","object":"customer","created":1772323200,"livemode":false,\
                    "metadata":{"account_id":"%s"},\
                    "invoice_settings":{"default_payment_method":%s}}"""
                        .formatted(
                            account, account, method == null ? "null" : "\"" + method + "\""))));
  }

  /** Two hours of 2 cores and 4 GB in March: 0.28 on the invoice finalized at 01:00. */
  private void usedTwoHours(String account) {
    billing.created("2026-03-02T10:00:00Z", "s-" + account, account, size("2", "4", "0"));
    billing.terminated("2026-03-02T12:00:00Z", "s-" + account, account);
  }

  private void finalizeMarch() {
    billing.calculateUsageAt(FINALIZED);
    billing.runAt(GENERATE_INVOICES, FINALIZED);
  }

  private JobRun collectAt(String now) {
    return billing.runAt(CollectPaymentsJob.NAME, now);
  }

  private static long invoiceOf(String account) {
    return (Long) value("SELECT id FROM billing_invoices WHERE user_id = ?", account);
  }

  /** The PaymentIntent Stripe answers its confirmed create with: its charge, in a status. */
  private static String intent(String id, String status) {
    return """
        {"id":"%s","object":"payment_intent","amount":28,"amount_received":%d,\
        "currency":"usd","status":"%s","capture_method":"automatic",\
        "confirmation_method":"automatic","created":1775005200,"latest_charge":"ch_%s",\
        "payment_method_types":["card"],"livemode":false}"""
        .formatted(id, status.equals("succeeded") ? 28 : 0, status, id.substring(3));
  }

  /** The attempts of the account's invoice: attempt, state, due, payment intent, error. */
  private static List<String> attempts(String account) {
    return rows(
            """
            SELECT c.attempt || ' ' || c.state || ' ' || to_char(c.due_at AT TIME ZONE 'UTC',
                'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ' ' || coalesce(c.payment_intent_id, '-')
                || ' ' || coalesce(c.last_error, '-')
            FROM billing_stripe_collections c JOIN billing_invoices i ON i.id = c.invoice_id
            WHERE i.user_id = ? ORDER BY c.attempt""",
            account)
        .stream()
        .map(row -> (String) row.get(0))
        .toList();
  }

  /** How many PaymentIntent creations Stripe answered with success, by idempotency key. */
  private Map<String, Long> intentsCreated() {
    return stripe.getAllServeEvents().stream()
        .filter(e -> e.getRequest().getUrl().equals(INTENTS))
        .filter(e -> e.getResponse().getStatus() == 200)
        .collect(
            Collectors.groupingBy(
                e -> e.getRequest().getHeader("Idempotency-Key"),
                TreeMap::new,
                Collectors.counting()));
  }

  /** Stripe answering these requests 503, until the stub is removed. */
  private StubMapping down(MappingBuilder requests) {
    return stripe.stubFor(
        requests
            .atPriority(1)
            .willReturn(
                aResponse()
                    .withStatus(503)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"error\":{\"type\":\"api_error\",\"message\":\"down\"}}")));
  }

  private long backlog() {
    var jobs = billing.call(HttpMethod.GET, "/jobs/status", admin("root")).body().get("jobs");
    for (var job : jobs) {
      if (job.get("name").asText().equals(CollectPaymentsJob.NAME)) {
        return job.get("backlog").asLong();
      }
    }
    throw new AssertionError("no collect-payments in " + jobs);
  }

  @Test
  void aFinalizedInvoiceIsChargedOffSessionWithItsIdempotencyKeyAndMetadata() {
    load(ENABLED);
    customer("ann", "pm_card_visa");
    usedTwoHours("ann");
    finalizeMarch();
    long invoice = invoiceOf("ann");

    JobRun run = collectAt(FINALIZED);

    assertEquals(1, run.rowsTouched(), run.message());
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo(INTENTS))
            .withHeader("Authorization", equalTo("Bearer " + KEY))
            .withHeader("Idempotency-Key", equalTo("invoice-" + invoice + "-attempt-1"))
            .withFormParam("amount", equalTo("28"))
            .withFormParam("currency", equalTo("usd"))
            .withFormParam("customer", equalTo("cus_ann"))
            .withFormParam("payment_method", equalTo("pm_card_visa"))
            .withFormParam("off_session", equalTo("true"))
            .withFormParam("confirm", equalTo("true"))
            .withFormParam("metadata[account_id]", equalTo("ann"))
            .withFormParam("metadata[invoice_id]", equalTo(Long.toString(invoice)))
            .withFormParam("metadata[attempt]", equalTo("1")));
    assertEquals(List.of("1 sent " + FINALIZED + " pi_1 -"), attempts("ann"));
    assertEquals(0, collectAt("2026-04-01T02:00:00Z").rowsTouched(), "sent once");
    stripe.verify(1, postRequestedFor(urlEqualTo(INTENTS)));
  }

  @Test
  void aCallThatTimesOutStaysQueuedAndIsSentAgainWithTheSameKeyAfterTheBackoff() {
    load(ENABLED);
    customer("ann", "pm_card_visa");
    usedTwoHours("ann");
    finalizeMarch();
    String key = "invoice-" + invoiceOf("ann") + "-attempt-1";
    // the queue waits 500 ms here; every try (stripe-java's 3) is answered after 10 s, twenty
    // times later, never in time however busy the machine
    StripeTestEndpoint.pointAt(
        billing.billing,
        new StripeEndpoint(stripe.baseUrl(), Duration.ofSeconds(2), Duration.ofMillis(500)));
    StubMapping slow =
        stripe.stubFor(
            post(urlEqualTo(INTENTS))
                .atPriority(1)
                .willReturn(okJson(intent("pi_1", "succeeded")).withFixedDelay(10_000)));

    collectAt(FINALIZED);

    assertEquals(1, backlog());
    assertTrue(attempts("ann").get(0).startsWith("1 pending 2026-04-01T01:01:00Z - "));
    stripe.removeStub(slow);
    assertEquals(0, collectAt("2026-04-01T01:00:59Z").rowsTouched(), "not due before 1 minute");
    collectAt("2026-04-01T01:01:00Z");
    assertEquals(List.of("1 sent 2026-04-01T01:01:00Z pi_1 -"), attempts("ann"));
    assertEquals(0, backlog());
    List<String> keys =
        stripe.findAll(postRequestedFor(urlEqualTo(INTENTS))).stream()
            .map(r -> r.getHeader("Idempotency-Key"))
            .distinct()
            .toList();
    assertEquals(List.of(key), keys, "every try of the attempt with its one key");
  }

  @Test
  void aDeclinedCardIsChargedAgainOnTheRetryScheduleWithTheNextAttemptsKey() {
    load(ENABLED);
    customer("ann", "pm_card_visa");
    usedTwoHours("ann");
    finalizeMarch();
    long invoice = invoiceOf("ann");
    stripe.stubFor(
        post(urlEqualTo(INTENTS))
            .atPriority(1)
            .withHeader("Idempotency-Key", equalTo("invoice-" + invoice + "-attempt-1"))
            .willReturn(
                aResponse()
                    .withStatus(402)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        """
                        {"error":{"type":"card_error","code":"card_declined",\
                        "decline_code":"insufficient_funds","charge":"ch_declined",\
                        "doc_url":"https://stripe.com/docs/error-codes/card-declined",\
                        "message":"Your card has insufficient funds.",\
                        "payment_intent":{"id":"pi_declined","object":"payment_intent",\
                        "amount":28,"amount_received":0,"currency":"usd",\
                        "capture_method":"automatic","confirmation_method":"automatic",\
                        "created":1775005200,"customer":"cus_ann","latest_charge":"ch_declined",\
                        "livemode":false,"payment_method":null,\
                        "payment_method_types":["card"],"status":"requires_payment_method",\
                        "last_payment_error":{"type":"card_error","code":"card_declined",\
                        "decline_code":"insufficient_funds","charge":"ch_declined",\
                        "message":"Your card has insufficient funds."}}}}""")));

    collectAt(FINALIZED);
    collectAt("2026-04-01T23:59:59Z");

    assertEquals(
        List.of(
            "1 failed 2026-04-01T01:00:00Z pi_declined card_declined: Your card has insufficient funds.",
            "2 pending 2026-04-02T01:00:00Z - -"),
        attempts("ann"),
        "attempt 2 one day (paymentRetryDays[0]) after the first");
    collectAt("2026-04-02T01:00:00Z");
    assertEquals("2 sent 2026-04-02T01:00:00Z pi_1 -", attempts("ann").get(1));
    assertEquals(
        Map.of("invoice-" + invoice + "-attempt-2", 1L),
        intentsCreated(),
        "the decline was not a creation; attempt 2 created once");
    sentOnce(invoice, 2, "metadata[attempt]", "2");
  }

  @Test
  void aSentIntentDeclinedLaterThroughTheWebhookQueuesTheNextAttempt_aReplayChangesNothing() {
    long invoice = annsInvoiceCollected("processing");
    String failed = declinedLater(invoice);

    deliverAt("2026-04-01T03:00:00Z", "evt_failed", failed);
    deliverAt("2026-04-01T03:01:00Z", "evt_failed_again", failed);

    assertEquals(
        List.of(
            "1 failed 2026-04-01T01:00:00Z pi_1 card_declined: Your card has insufficient funds.",
            "2 pending 2026-04-02T01:00:00Z - -"),
        attempts("ann"),
        "attempt 2 one day (paymentRetryDays[0]) after the finalization, as after a decline");
    stripe.stubFor(
        post(urlEqualTo(INTENTS)).atPriority(1).willReturn(okJson(intent("pi_2", "succeeded"))));
    collectAt("2026-04-02T01:00:00Z");
    assertEquals("2 sent 2026-04-02T01:00:00Z pi_2 -", attempts("ann").get(1));
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo(INTENTS))
            .withHeader("Idempotency-Key", equalTo("invoice-" + invoice + "-attempt-2")));
  }

  @Test
  void aDeclineTheCallAlreadyFailed_orOfAnIntentTheQueueDidNotSend_queuesNothingMore() {
    long invoice = annsInvoiceCollected("requires_payment_method");
    List<String> before = attempts("ann");
    String failed =
        """
        {"id": "%s", "object": "payment_intent", "amount": 28, "amount_received": 0,
         "currency": "usd", "status": "requires_payment_method", "created": 1775005200,
         "customer": "cus_ann", "livemode": false,
         "last_payment_error": {"type": "card_error", "code": "card_declined",
          "decline_code": "generic_decline", "message": "Your card was declined."},
         "metadata": {"account_id": "ann", "invoice_id": "%d", "attempt": "%s"}}""";

    deliverAt("2026-04-01T03:00:00Z", "evt_1", failed.formatted("pi_1", invoice, "1"));
    deliverAt("2026-04-01T03:01:00Z", "evt_2", failed.formatted("pi_other", invoice, "2"));

    assertEquals(2, before.size());
    assertEquals(before, attempts("ann"));
  }

  /** pi_1, attempt 1 of ann's invoice, as {@code payment_intent.payment_failed} carries it. */
  private static String declinedLater(long invoice) {
    return """
        {"id": "pi_1", "object": "payment_intent", "amount": 28, "amount_received": 0,
         "currency": "usd", "status": "requires_payment_method", "created": 1775005200,
         "customer": "cus_ann", "latest_charge": "ch_1", "livemode": false,
         "last_payment_error": {"type": "card_error", "code": "card_declined",
          "decline_code": "insufficient_funds", "charge": "ch_1",
          "message": "Your card has insufficient funds."},
         "metadata": {"account_id": "ann", "invoice_id": "%d", "attempt": "1"}}"""
        .formatted(invoice);
  }

  /** ann's March invoice, its attempt 1 sent and Stripe's PaymentIntent pi_1 in that status. */
  private long annsInvoiceCollected(String status) {
    long invoice = annsMarchInvoice();
    stripe.stubFor(
        post(urlEqualTo(INTENTS)).atPriority(1).willReturn(okJson(intent("pi_1", status))));
    collectAt(FINALIZED);
    return invoice;
  }

  /** ann's March invoice, finalized and its attempt 1 queued; her default card pm_card_visa. */
  private long annsMarchInvoice() {
    load(ENABLED);
    customer("ann", "pm_card_visa");
    usedTwoHours("ann");
    finalizeMarch();
    return invoiceOf("ann");
  }

  /** A signed {@code payment_intent.payment_failed} of {@code intent}, delivered at now. */
  private void deliverAt(String now, String id, String intent) {
    deliverAt(now, id, "payment_intent.payment_failed", intent);
  }

  /**
   * A signed event of that type about {@code object}, created and delivered at now. The {@code
   * customer.updated} sent here change the default: Stripe names it in {@code
   * previous_attributes} (its value before, not read, given as null).
   */
  private void deliverAt(String now, String id, String type, String object) {
    deliver(
        now,
        type.equals("customer.updated")
            ? StripeSigning.updated(
                id,
                type,
                at(now),
                object,
                "{\"invoice_settings\": {\"default_payment_method\": null}}")
            : event(id, type, at(now), object));
  }

  /**
   * ann's {@code customer.updated} as Stripe sends it when her default payment method changed
   * from pm_card_visa to {@code method}: the old value in {@code previous_attributes}.
   */
  private void newDefaultAt(String now, String id, String method) {
    deliver(
        now,
        """
        {"id": "%s", "object": "event", "api_version": "2024-06-20", "created": %d,
         "data": {"object": %s, "previous_attributes": {"invoice_settings":
          {"default_payment_method": "pm_card_visa"}}},
         "livemode": false, "pending_webhooks": 1,
         "request": {"id": null, "idempotency_key": null}, "type": "customer.updated"}"""
            .formatted(id, at(now).getEpochSecond(), annWithDefault(method)));
  }

  /** A signed event, delivered at now. */
  private void deliver(String now, String payload) {
    billing.clock.set(at(now));
    BillingHarness.Answer answer =
        billing.call(
            HttpMethod.POST,
            "/webhook",
            Caller.ANONYMOUS,
            payload,
            Map.of("stripe-signature", StripeSigning.header(WEBHOOK_SECRET, at(now), payload)));
    assertEquals(200, answer.status(), answer.body().toString());
  }

  @Test
  void afterTheLastRetryDayNoFurtherAttemptIsQueued() {
    load("{\"stripeEnabled\": true, \"paymentRetryDays\": [2]}");
    customer("ann", "pm_card_visa");
    usedTwoHours("ann");
    finalizeMarch();
    stripe.stubFor(
        post(urlEqualTo(INTENTS))
            .atPriority(1)
            .willReturn(okJson(intent("pi_d", "requires_payment_method"))));

    collectAt(FINALIZED);
    collectAt("2026-04-03T01:00:00Z");
    collectAt("2026-04-30T01:00:00Z");

    assertEquals(
        List.of(
            "1 failed 2026-04-01T01:00:00Z pi_d payment declined",
            "2 failed 2026-04-03T01:00:00Z pi_d payment declined"),
        attempts("ann"));
    assertEquals(0, backlog());
  }

  @Test
  void aThirtySecondStripeOutageDelaysCollectionButNotInvoicing_thenEachIntentIsCreatedOnce() {
    load(ENABLED);
    customer("ann", "pm_ann");
    customer("dan", "pm_dan");
    usedTwoHours("ann");
    usedTwoHours("dan");
    StubMapping outage = down(any(anyUrl()));

    // Stripe is down from 01:00:00 to 01:00:30: finalization only queues
    finalizeMarch();
    assertEquals(
        List.of("sent", "sent"),
        rows("SELECT status FROM billing_invoices ORDER BY id").stream()
            .map(row -> row.get(0))
            .toList());
    JobRun duringOutage = collectAt(FINALIZED);
    collectAt("2026-04-01T01:00:20Z");

    assertEquals("sent 0; failed 0; cancelled 0; deferred 1", duringOutage.message());
    assertEquals(2, backlog());
    assertEquals(Map.of(), intentsCreated());

    stripe.removeStub(outage);
    collectAt("2026-04-01T01:00:30Z");
    collectAt("2026-04-01T01:01:00Z");
    collectAt("2026-04-01T01:05:00Z");
    collectAt("2026-04-01T02:00:00Z");

    assertEquals(0, backlog());
    assertEquals(
        new TreeMap<>(
            Map.of(
                "invoice-" + invoiceOf("ann") + "-attempt-1", 1L,
                "invoice-" + invoiceOf("dan") + "-attempt-1", 1L)),
        intentsCreated());
    assertEquals(List.of("1 sent"), attempts("ann").stream().map(a -> a.substring(0, 6)).toList());
    assertEquals(List.of("1 sent"), attempts("dan").stream().map(a -> a.substring(0, 6)).toList());
  }

  @Test
  void nothingIsChargedWhileStripeIsDisabled() {
    load(BillingHarness.USD_AND_VND_CONFIG);
    customer("ann", "pm_card_visa");
    usedTwoHours("ann");
    finalizeMarch();

    JobRun run = collectAt(FINALIZED);

    assertEquals("stripe is disabled", run.message());
    assertEquals(List.of(), attempts("ann"), "not queued");
    assertEquals(List.of(), stripe.getAllServeEvents());
  }

  @Test
  void anAccountWithoutADefaultPaymentMethodOrCustomerIsNotCharged_theAttemptFails() {
    load(ENABLED);
    customer("bob", null);
    billing.userCreated("eve", Map.of());
    usedTwoHours("bob");
    usedTwoHours("eve");
    finalizeMarch();

    collectAt(FINALIZED);

    assertEquals(
        List.of(
            "1 failed 2026-04-01T01:00:00Z - no default payment method",
            "2 pending 2026-04-02T01:00:00Z - -"),
        attempts("bob"));
    assertEquals(
        List.of(
            "1 failed 2026-04-01T01:00:00Z - no Stripe customer",
            "2 pending 2026-04-02T01:00:00Z - -"),
        attempts("eve"));
    stripe.verify(0, postRequestedFor(urlEqualTo(INTENTS)));
  }

  @Test
  void aZeroTotalInvoiceIsNeverCharged() {
    load(ENABLED);
    customer("cat", "pm_card_visa");
    finalizeMarch();

    collectAt(FINALIZED);

    assertEquals("paid", value("SELECT status FROM billing_invoices WHERE user_id = 'cat'"));
    assertEquals(List.of(), attempts("cat"));
    stripe.verify(0, postRequestedFor(urlEqualTo(INTENTS)));
  }

  @Test
  void aTotalFinerThanACentFailsItsAttemptWithoutACall_andTheNextAccountIsStillCharged() {
    load(ENABLED);
    customer("ann", "pm_card_visa");
    customer("dan", "pm_card_visa");
    usedTwoHours("ann");
    usedTwoHours("dan");
    finalizeMarch();
    value("UPDATE billing_invoices SET total = 0.285 WHERE user_id = 'ann' RETURNING 1");

    collectAt(FINALIZED);

    assertTrue(
        attempts("ann").get(0).endsWith("- total is not a whole number of minor units"),
        attempts("ann").toString());
    assertEquals(List.of("1 sent " + FINALIZED + " pi_1 -"), attempts("dan"));
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo(INTENTS))
            .withFormParam("metadata[account_id]", equalTo("dan")));
  }

  @Test
  void aPaidInvoicesQueuedAttemptIsCancelledWithoutACall() {
    load(ENABLED);
    customer("ann", "pm_card_visa");
    usedTwoHours("ann");
    finalizeMarch();
    value("UPDATE billing_invoices SET status = 'paid', paid_at = now() RETURNING 1");

    collectAt(FINALIZED);

    assertEquals(List.of("1 cancelled " + FINALIZED + " - invoice is paid"), attempts("ann"));
    assertEquals(List.of(), stripe.getAllServeEvents().stream().map(ServeEvent::getId).toList());
  }

  @Test
  void theDefaultPaymentMethodTheWebhookKeptIsCharged_StripesOnlyWhenNoneIsKept() {
    load(ENABLED);
    customer("ann", "pm_stripe_ann");
    customer("dan", "pm_stripe_dan");
    value(
        "UPDATE billing_stripe_customers SET default_payment_method = 'pm_kept_ann',"
            + " default_payment_method_at = now() WHERE account_id = 'ann' RETURNING 1");
    usedTwoHours("ann");
    usedTwoHours("dan");
    finalizeMarch();

    collectAt(FINALIZED);

    stripe.verify(
        1,
        postRequestedFor(urlEqualTo(INTENTS))
            .withFormParam("customer", equalTo("cus_ann"))
            .withFormParam("payment_method", equalTo("pm_kept_ann")));
    stripe.verify(0, getRequestedFor(urlEqualTo("/v1/customers/cus_ann")));
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo(INTENTS))
            .withFormParam("customer", equalTo("cus_dan"))
            .withFormParam("payment_method", equalTo("pm_stripe_dan")));
  }

  /** ann's customer as {@code customer.updated} carries it, with that default (or none). */
  private static String annWithDefault(String method) {
    return """
        {"id": "cus_ann", "object": "customer", "created": 1772323200, "livemode": false,
         "metadata": {"account_id": "ann"},
         "invoice_settings": {"default_payment_method": %s}}"""
        .formatted(method == null ? "null" : "\"" + method + "\"");
  }

  @Test
  void aNewDefaultPaymentMethodQueuesAnAttemptDueNowForAnInvoiceWithNoneLeft_once() {
    load("{\"stripeEnabled\": true, \"paymentRetryDays\": [2]}");
    customer("ann", "pm_card_visa");
    usedTwoHours("ann");
    finalizeMarch();
    long invoice = invoiceOf("ann");
    StubMapping declining =
        stripe.stubFor(
            post(urlEqualTo(INTENTS))
                .atPriority(1)
                .willReturn(okJson(intent("pi_d", "requires_payment_method"))));
    collectAt(FINALIZED);
    deliverAt(
        "2026-04-02T09:00:00Z", "evt_while_pending", "customer.updated", annWithDefault("pm_a"));
    assertEquals(2, attempts("ann").size(), "attempt 2 is pending: nothing more queued");
    collectAt("2026-04-03T01:00:00Z");
    stripe.removeStub(declining);

    deliverAt("2026-04-04T09:00:00Z", "evt_none", "customer.updated", annWithDefault(null));
    assertEquals(2, attempts("ann").size(), "no method: nothing to charge");
    deliverAt("2026-04-05T10:00:00Z", "evt_new", "customer.updated", annWithDefault("pm_new"));
    deliverAt("2026-04-05T10:00:30Z", "evt_same", "customer.updated", annWithDefault("pm_new"));

    assertEquals(
        List.of(
            "1 failed 2026-04-01T01:00:00Z pi_d payment declined",
            "2 failed 2026-04-03T01:00:00Z pi_d payment declined",
            "3 pending 2026-04-05T10:00:00Z - -"),
        attempts("ann"),
        "one attempt for the new method; the same default again queues nothing");
    collectAt("2026-04-05T10:01:00Z");
    sentOnce(invoice, 3, "payment_method", "pm_new");
    assertEquals("paid", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
  }

  @Test
  void noTransactionIsOpenWhileStripeAnswers_andADeclineLandingBeforeTheAnswerIsKept()
      throws Exception {
    long invoice = annsMarchInvoice();
    // the call waits for the answer (load's patient endpoint: 30 s against Stripe's 2 s delay)
    stripe.stubFor(
        post(urlEqualTo(INTENTS))
            .atPriority(1)
            .willReturn(okJson(intent("pi_1", "processing")).withFixedDelay(2000)));
    CompletableFuture<JobRun> run = CompletableFuture.supplyAsync(() -> collectAt(FINALIZED));
    // Stripe has the request once WireMock's journal shows it
    Await.await(
        Duration.ofSeconds(30),
        Duration.ofMillis(20),
        "the PaymentIntent request at Stripe",
        () -> !stripe.findAll(postRequestedFor(urlEqualTo(INTENTS))).isEmpty());

    Object open =
        value(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()");
    deliverAt("2026-04-01T01:00:01Z", "evt_failed", declinedLater(invoice));
    boolean answered = run.isDone();
    run.get();

    assertEquals(0L, open, "a transaction held open while Stripe answers");
    assertFalse(answered, "the decline was applied before Stripe answered the call");
    assertEquals(
        List.of(
            "1 failed 2026-04-01T01:00:01Z pi_1 card_declined: Your card has insufficient funds.",
            "2 pending 2026-04-02T01:00:00Z - -"),
        attempts("ann"),
        "the answer settles nothing over the decline");
  }

  @Test
  void aRetriedAttemptSendsTheCardAndAmountOfItsFirstTry_thoughTheDefaultChangedMeanwhile() {
    annsMarchInvoice();
    StubMapping outage = down(post(urlEqualTo(INTENTS)));
    collectAt(FINALIZED);
    value(
        "UPDATE billing_stripe_customers SET default_payment_method = 'pm_new',"
            + " default_payment_method_at = now() RETURNING 1");
    stripe.removeStub(outage);

    collectAt("2026-04-01T01:01:00Z");

    assertEquals(List.of("1 sent 2026-04-01T01:01:00Z pi_1 -"), attempts("ann"));
    stripe.verify(
        0,
        postRequestedFor(urlEqualTo(INTENTS)).withFormParam("payment_method", equalTo("pm_new")));
    assertEquals(
        List.of("pm_card_visa"),
        stripe.findAll(postRequestedFor(urlEqualTo(INTENTS))).stream()
            .map(r -> r.formParameters().get("payment_method").firstValue())
            .distinct()
            .toList());
    assertEquals(
        List.of("pm_card_visa 28"),
        rows("SELECT payment_method || ' ' || amount_minor FROM billing_stripe_collections")
            .stream()
            .map(row -> row.get(0))
            .toList());
  }

  /** Stripe refusing a key as used before: 400 {@code idempotency_error}. */
  private static final String IDEMPOTENCY_ERROR =
      """
      {"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be \
      used with the same parameters they were first used with."}}""";

  /** pi_1 as Stripe's search finds it: with the metadata of the invoice's attempt 1. */
  private static String annsIntentFound(long invoice, String status) {
    return intent("pi_1", status)
        .replace(
            "\"livemode\"",
            "\"metadata\":{\"account_id\":\"ann\",\"invoice_id\":\"%d\",\"attempt\":\"1\"},"
                    .formatted(invoice)
                + "\"livemode\"");
  }

  /**
   * The first call under the attempt's key reaches Stripe, which charges pi_1, but its answer is
   * lost (the connection reset); the retry with the same key is refused idempotency_error.
   */
  private void firstAnswerLostThenIdempotencyError() {
    stripe.stubFor(
        post(urlEqualTo(INTENTS))
            .atPriority(1)
            .inScenario("lost")
            .whenScenarioStateIs(STARTED)
            .willSetStateTo("charged")
            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    stripe.stubFor(
        post(urlEqualTo(INTENTS))
            .atPriority(1)
            .inScenario("lost")
            .whenScenarioStateIs("charged")
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", "application/json")
                    .withBody(IDEMPOTENCY_ERROR)));
  }

  @Test
  void anIdempotencyErrorAfterAFirstCallThatSucceededUnanswered_paysTheInvoice_andQueuesNoRetry() {
    long invoice = annsMarchInvoice();
    firstAnswerLostThenIdempotencyError();
    stripe.stubFor(
        get(urlPathEqualTo(SEARCH))
            .withQueryParam("query", equalTo(searchQuery(invoice, 1)))
            .willReturn(okJson(searchResult(annsIntentFound(invoice, "succeeded")))));

    collectAt(FINALIZED);

    assertEquals(
        List.of("1 sent 2026-04-01T01:00:00Z pi_1 -"),
        attempts("ann"),
        "settled by the PaymentIntent Stripe made under the key: no attempt 2");
    assertEquals("paid", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
    assertEquals(List.of("succeeded 0.28 ch_1"), payments());
    assertEquals(1, paidEvents());
    stripe.verify(1, getRequestedFor(urlPathEqualTo(SEARCH)));
    List<String> calls =
        stripe.findAll(postRequestedFor(urlEqualTo(INTENTS))).stream()
            .map(r -> r.getHeader("Idempotency-Key") + " " + r.getBodyAsString())
            .toList();
    assertEquals(2, calls.size(), "the lost call and its retry, no other");
    assertEquals(1, calls.stream().distinct().count(), "one key, identical parameters: " + calls);
  }

  @Test
  void anIdempotencyErrorWithThePaymentIntentNotFoundYetDefersTheAttempt_theNextTrySettlesIt() {
    long invoice = annsMarchInvoice();
    firstAnswerLostThenIdempotencyError();
    StubMapping notYet =
        stripe.stubFor(get(urlPathEqualTo(SEARCH)).willReturn(okJson(searchResult())));

    collectAt(FINALIZED);

    // deferred as after an outage: due again one minute after its first try, no attempt 2
    List<String> attempts = attempts("ann");
    assertEquals(1, attempts.size(), attempts.toString());
    assertTrue(
        attempts
            .get(0)
            .startsWith("1 pending 2026-04-01T01:01:00Z - idempotency_error, and no PaymentIntent"),
        attempts.toString());
    assertEquals("sent", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
    stripe.removeStub(notYet);
    stripe.stubFor(
        get(urlPathEqualTo(SEARCH))
            .willReturn(okJson(searchResult(annsIntentFound(invoice, "succeeded")))));

    collectAt("2026-04-01T01:01:00Z");

    assertEquals(List.of("1 sent 2026-04-01T01:01:00Z pi_1 -"), attempts("ann"));
    assertEquals("paid", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
    assertEquals(1, paidEvents());
  }

  @Test
  void anIdempotencyErrorForAPaymentIntentDeclinedFailsTheAttemptWithItsDecline() {
    long invoice = annsMarchInvoice();
    firstAnswerLostThenIdempotencyError();
    stripe.stubFor(
        get(urlPathEqualTo(SEARCH))
            .willReturn(okJson(searchResult(annsIntentFound(invoice, "requires_payment_method")))));

    collectAt(FINALIZED);

    assertEquals(
        List.of(
            "1 failed 2026-04-01T01:00:00Z pi_1 payment declined",
            "2 pending 2026-04-02T01:00:00Z - -"),
        attempts("ann"),
        "a real decline still queues the next attempt on the schedule");
  }

  @Test
  void anIntentStripeAnswersSucceededPaysTheInvoiceAtOnce_theWebhooksSuccessChangesNothing() {
    long invoice = annsInvoiceCollected("succeeded");

    assertEquals("paid", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
    assertEquals(List.of("succeeded 0.28 ch_1"), payments());
    assertEquals(1, paidEvents());
    deliverAt(
        "2026-04-01T01:00:05Z",
        "evt_succeeded",
        "payment_intent.succeeded",
        """
        {"id": "pi_1", "object": "payment_intent", "amount": 28, "amount_received": 28,
         "currency": "usd", "status": "succeeded", "created": 1775005200,
         "customer": "cus_ann", "latest_charge": "ch_1", "livemode": false,
         "metadata": {"account_id": "ann", "invoice_id": "%d", "attempt": "1"}}"""
            .formatted(invoice));
    assertEquals(List.of("succeeded 0.28 ch_1"), payments());
    assertEquals(1, paidEvents(), "billing.invoice.paid once");
  }

  @Test
  void anIntentThatNeedsTheCustomersActionFailsTheAttemptAndQueuesTheNext() {
    annsInvoiceCollected("requires_action");

    assertEquals(
        List.of(
            "1 failed 2026-04-01T01:00:00Z pi_1 PaymentIntent requires_action",
            "2 pending 2026-04-02T01:00:00Z - -"),
        attempts("ann"));
  }

  /** Stripe's search query for the PaymentIntent of the invoice's attempt, by our metadata. */
  private static String searchQuery(long invoice, int attempt) {
    return "metadata['invoice_id']:'%d' AND metadata['attempt']:'%d'".formatted(invoice, attempt);
  }

  /** What Stripe answers a PaymentIntent search with: these PaymentIntents, one page. */
  private static String searchResult(String... intents) {
    return """
        {"object":"search_result","data":[%s],"has_more":false,"next_page":null,\
        "url":"/v1/payment_intents/search"}"""
        .formatted(String.join(",", intents));
  }

  /** Asserts attempt n of the invoice was sent to Stripe once, with that form parameter. */
  private void sentOnce(long invoice, int attempt, String parameter, String value) {
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo(INTENTS))
            .withHeader(
                "Idempotency-Key", equalTo("invoice-%d-attempt-%d".formatted(invoice, attempt)))
            .withFormParam(parameter, equalTo(value)));
  }

  /** The PaymentIntents Stripe was asked to create (answered or not). */
  private int creations() {
    return stripe.findAll(postRequestedFor(urlEqualTo(INTENTS))).size();
  }

  @Test
  void aTryADayAfterTheFirstSendSettlesFromThePaymentIntentStripeFinds_andCreatesNoSecond() {
    long invoice = annsMarchInvoice();
    // Stripe created pi_1 under the key but its answer was lost; then nothing is sent for two
    // days, long enough for Stripe to forget the key
    StubMapping lost = down(post(urlEqualTo(INTENTS)));
    collectAt(FINALIZED);
    stripe.removeStub(lost);
    int created = creations();
    stripe.stubFor(
        get(urlPathEqualTo(SEARCH))
            .withQueryParam("query", equalTo(searchQuery(invoice, 1)))
            .willReturn(
                okJson(
                    searchResult(
                        intent("pi_1", "succeeded")
                            .replace(
                                "\"livemode\"",
                                "\"metadata\":{\"account_id\":\"ann\",\"invoice_id\":\"%d\","
                                        .formatted(invoice)
                                    + "\"attempt\":\"1\"},\"livemode\"")))));

    collectAt("2026-04-03T01:00:00Z");

    assertEquals(List.of("1 sent 2026-04-03T01:00:00Z pi_1 -"), attempts("ann"));
    assertEquals(created, creations(), "no PaymentIntent created again under the forgotten key");
    stripe.verify(1, getRequestedFor(urlPathEqualTo(SEARCH)));
    assertEquals("paid", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
    assertEquals(List.of("succeeded 0.28 ch_1"), payments());
  }

  @Test
  void aTry23HoursAfterTheFirstSendWithNoPaymentIntentAtStripeSendsIt_anEarlierTryNeverSearches() {
    long invoice = annsMarchInvoice();
    String key = "invoice-" + invoice + "-attempt-1";
    StubMapping outage = down(post(urlEqualTo(INTENTS)));
    collectAt(FINALIZED);
    collectAt("2026-04-01T23:59:00Z"); // 22 h 59 after the first send: Stripe keeps the key
    stripe.verify(0, getRequestedFor(urlPathEqualTo(SEARCH)));
    stripe.removeStub(outage);
    stripe.stubFor(get(urlPathEqualTo(SEARCH)).willReturn(okJson(searchResult())));

    collectAt("2026-04-02T00:01:00Z");

    stripe.verify(
        1,
        getRequestedFor(urlPathEqualTo(SEARCH))
            .withQueryParam("query", equalTo(searchQuery(invoice, 1))));
    assertEquals(List.of("1 sent 2026-04-02T00:01:00Z pi_1 -"), attempts("ann"));
    assertEquals(Map.of(key, 1L), intentsCreated(), "none found: sent, once");
  }

  @Test
  void aNewDefaultPaymentMethodMakesTheQueuedRetryDueNow_chargedWithIt() {
    long invoice = annsInvoiceCollected("requires_payment_method");
    assertEquals("2 pending 2026-04-02T01:00:00Z - -", attempts("ann").get(1));

    newDefaultAt("2026-04-01T09:00:00Z", "evt_new", "pm_new");

    assertEquals(
        List.of(
            "1 failed 2026-04-01T01:00:00Z pi_1 payment declined",
            "2 pending 2026-04-01T09:00:00Z - -"),
        attempts("ann"),
        "the retry due now, not one day after the finalization; no third attempt");
    stripe.stubFor(
        post(urlEqualTo(INTENTS)).atPriority(1).willReturn(okJson(intent("pi_2", "succeeded"))));
    collectAt("2026-04-01T09:00:00Z");
    sentOnce(invoice, 2, "payment_method", "pm_new");
    assertEquals("paid", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
  }

  @Test
  void aCardDeclinedAfterTheCustomerReplacedItQueuesTheNextAttemptDueNow_evenAfterTheLastDay() {
    load("{\"stripeEnabled\": true, \"paymentRetryDays\": []}");
    customer("ann", "pm_card_visa");
    usedTwoHours("ann");
    finalizeMarch();
    long invoice = invoiceOf("ann");
    StubMapping outage = down(post(urlEqualTo(INTENTS)));
    collectAt(FINALIZED); // attempt 1 chose pm_card_visa; Stripe did not answer
    newDefaultAt("2026-04-01T01:00:30Z", "evt_new", "pm_new");
    assertEquals(1, attempts("ann").size(), "attempt 1 is pending with its card: nothing more");
    stripe.removeStub(outage);
    stripe.stubFor(
        post(urlEqualTo(INTENTS))
            .atPriority(1)
            .willReturn(okJson(intent("pi_d", "requires_payment_method"))));

    collectAt("2026-04-01T01:01:00Z");
    collectAt("2026-04-30T01:00:00Z");

    assertEquals(
        List.of(
            "1 failed 2026-04-01T01:01:00Z pi_d payment declined",
            "2 failed 2026-04-01T01:01:00Z pi_d payment declined"),
        attempts("ann"),
        "attempt 2 at once with the new card; its decline, of the default, queues no third");
    sentOnce(invoice, 2, "payment_method", "pm_new");
  }

  @Test
  void aWebhookDeclineOfACardTheCustomerReplacedQueuesTheNextAttemptDueNow() {
    long invoice = annsInvoiceCollected("processing");
    newDefaultAt("2026-04-01T02:00:00Z", "evt_new", "pm_new");
    assertEquals(1, attempts("ann").size(), "attempt 1 waits for Stripe: nothing more");

    deliverAt("2026-04-01T03:00:00Z", "evt_failed", declinedLater(invoice));

    assertEquals(
        List.of(
            "1 failed 2026-04-01T01:00:00Z pi_1 card_declined: Your card has insufficient funds.",
            "2 pending 2026-04-01T03:00:00Z - -"),
        attempts("ann"),
        "attempt 2 due at the decline, not one day after the finalization");
  }

  /** The collection of another node: the same database and Stripe, its own clock. */
  private StripeCollections otherNode(StripeEndpoint patient) {
    var dataSource = billing.context.dataSource();
    return new StripeCollections(
        dataSource,
        new StripeClients(() -> Optional.of(KEY), () -> patient, PluginMetrics.none()),
        new PaymentSuccesses(
            new InvoiceStatusChanges(
                dataSource, new BillingEvents(billing.context.events()), account -> {})),
        BillingConfig::defaults);
  }

  @Test
  void anAttemptClaimedAgainAfterItsLeaseSendsTheSameKeyAndParameters_andIsSettledOnce()
      throws Exception {
    long invoice = annsMarchInvoice();
    // both nodes wait for Stripe's answers: the first call's comes after 3 s, the second's after
    // 6 s, each with the key's PaymentIntent: the first claim's settles while the second's waits
    StripeEndpoint patient = patient();
    stripe.stubFor(
        post(urlEqualTo(INTENTS))
            .atPriority(1)
            .inScenario("lease")
            .whenScenarioStateIs(STARTED)
            .willSetStateTo("second")
            .willReturn(okJson(intent("pi_1", "succeeded")).withFixedDelay(3000)));
    stripe.stubFor(
        post(urlEqualTo(INTENTS))
            .atPriority(1)
            .inScenario("lease")
            .whenScenarioStateIs("second")
            .willReturn(okJson(intent("pi_1", "succeeded")).withFixedDelay(6000)));
    Clock atFinalization = Clock.fixed(at(FINALIZED), ZoneOffset.UTC);
    CompletableFuture<StripeCollections.Run> first =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return otherNode(patient).collectDue(atFinalization);
              } catch (SQLException e) {
                throw new CompletionException(e);
              }
            });
    Await.await(
        Duration.ofSeconds(30),
        Duration.ofMillis(20),
        "the first claim's call at Stripe",
        () -> creations() > 0 || first.isDone());

    collectAt("2026-04-01T01:10:01Z"); // its lease (10 minutes) is over: claimed again

    assertEquals(1, first.get().sent(), "the first claim had its answer, and settled nothing");
    assertEquals(
        List.of("1 sent 2026-04-01T01:10:01Z pi_1 -"),
        attempts("ann"),
        "settled by the second claim only: the first's answer, settled meanwhile, changed nothing");
    assertEquals(2, value("SELECT tries FROM billing_stripe_collections"));
    List<String> calls =
        stripe.findAll(postRequestedFor(urlEqualTo(INTENTS))).stream()
            .map(r -> r.getHeader("Idempotency-Key") + " " + r.getBodyAsString())
            .toList();
    assertEquals(2, calls.size());
    assertEquals(1, calls.stream().distinct().count(), "one key, identical parameters: " + calls);
    assertTrue(calls.get(0).startsWith("invoice-" + invoice + "-attempt-1 "), calls.get(0));
    assertEquals(List.of("succeeded 0.28 ch_1"), payments());
    assertEquals(1, paidEvents(), "billing.invoice.paid once");
  }

  @Test
  void aNodeThatDiesMidCallLeavesTheAttemptToAnotherAfterItsLease_sameKey_soStripeChargesOnce()
      throws Exception {
    long invoice = annsMarchInvoice();
    // Stripe as it keeps a key: the first request charges pi_1, a repeat is answered with the
    // same PaymentIntent, replayed, charging nothing
    stripe.stubFor(
        post(urlEqualTo(INTENTS))
            .atPriority(1)
            .inScenario("key")
            .whenScenarioStateIs(STARTED)
            .willSetStateTo("charged")
            .willReturn(okJson(intent("pi_1", "succeeded"))));
    stripe.stubFor(
        post(urlEqualTo(INTENTS))
            .atPriority(1)
            .inScenario("key")
            .whenScenarioStateIs("charged")
            .willReturn(
                okJson(intent("pi_1", "succeeded")).withHeader("Idempotent-Replayed", "true")));
    // node A claims the attempt at 01:00 (leased until 01:10), keeps its choice, calls Stripe,
    // and dies before Stripe's answer is settled: its outcome is never seen
    var dataSource = billing.context.dataSource();
    var finalized = at(FINALIZED);
    Attempt claimedByA =
        Transactions.inTransaction(
                dataSource,
                c ->
                    CollectionRepository.claim(
                        c, finalized.plus(StripeCollections.LEASE), finalized))
            .orElseThrow();
    new CollectionGateway(
            new StripeClients(() -> Optional.of(KEY), this::patient, PluginMetrics.none()))
        .charge(
            claimedByA.charge(),
            (method, amount) ->
                Transactions.inTransaction(
                    dataSource,
                    c -> CollectionRepository.keepChoice(c, claimedByA, method, amount, finalized)),
            finalized);

    collectAt("2026-04-01T01:09:59Z"); // node B, a second before A's lease ends: nothing to take
    assertEquals(1, creations(), "the lease held: B sent nothing");
    assertEquals(List.of("1 pending 2026-04-01T01:10:00Z - -"), attempts("ann"));

    collectAt("2026-04-01T01:10:01Z"); // node B after the lease: takes the attempt

    assertEquals(List.of("1 sent 2026-04-01T01:10:01Z pi_1 -"), attempts("ann"));
    assertEquals(2L, ((Number) value("SELECT tries FROM billing_stripe_collections")).longValue());
    List<String> calls =
        stripe.findAll(postRequestedFor(urlEqualTo(INTENTS))).stream()
            .map(r -> r.getHeader("Idempotency-Key") + " " + r.getBodyAsString())
            .toList();
    assertEquals(2, calls.size(), "A's call and B's");
    assertEquals(1, calls.stream().distinct().count(), "one key, identical parameters: " + calls);
    assertTrue(calls.get(0).startsWith("invoice-" + invoice + "-attempt-1 "), calls.get(0));
    long charged =
        stripe.getAllServeEvents().stream()
            .filter(e -> e.getRequest().getUrl().equals(INTENTS))
            .filter(e -> !e.getResponse().getHeaders().getHeader("Idempotent-Replayed").isPresent())
            .count();
    assertEquals(1, charged, "Stripe charged once; B's call was answered by replay");
    assertEquals("paid", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
    assertEquals(List.of("succeeded 0.28 ch_1"), payments());
    assertEquals(1, paidEvents(), "billing.invoice.paid once");
  }

  private static List<Object> payments() {
    return rows("SELECT status || ' ' || amount || ' ' || charge_id FROM billing_payments").stream()
        .map(row -> row.get(0))
        .toList();
  }

  private long paidEvents() {
    return billing.context.published().stream()
        .filter(e -> e.startsWith("billing.invoice.paid "))
        .count();
  }
}

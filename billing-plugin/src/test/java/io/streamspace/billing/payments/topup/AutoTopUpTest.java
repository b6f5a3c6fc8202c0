package io.streamspace.billing.payments.topup;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.streamspace.billing.support.BillingHarness.admin;
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
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.jobs.CollectPaymentsJob;
import io.streamspace.billing.stripe.StripeClients;
import io.streamspace.billing.stripe.StripeEndpoint;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Auto top-ups of prepaid balances, with the real stripe-java client against WireMock answering
 * as Stripe's API does, on real PostgreSQL, the clock moved by hand: the Owner's rule (set with
 * consent, read by Admins), and the charges it makes when a balance falls below its threshold:
 * once, to the target, within the month's cap, told when declined or impossible, retried on the
 * collection's schedule.
 */
class AutoTopUpTest {

  private static final String KEY = "sk_test_auto_top_up";
  private static final String SECRET = "whsec_test_auto_top_up";
  private static final String INTENTS = "/v1/payment_intents";
  private static final String RULE = "{\"threshold\":5,\"target\":20,\"max_per_month\":50}";

  private final WireMockServer stripe = new WireMockServer(options().dynamicPort());
  private final BillingHarness billing =
      new BillingHarness(at("2026-03-10T12:00:00Z"), "{\"stripeEnabled\": true}");

  @AfterEach
  void stop() {
    billing.close();
    if (stripe.isRunning()) {
      stripe.stop();
    }
  }

  /** Stripe at WireMock, and {@code account} a customer whose default card is {@code method}. */
  private void customer(String account, String method) {
    stripe.start();
    billing.context.setSecret("STRIPE_SECRET_KEY", KEY);
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", SECRET);
    StripeTestEndpoint.pointAt(billing.billing, stripe.baseUrl());
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

  /** The PaymentIntent Stripe answers a confirmed create with, of {@code cents}. */
  private static String intent(String id, long cents) {
    return """
        {"id":"%s","object":"payment_intent","amount":%d,"amount_received":%d,\
        "currency":"usd","status":"succeeded","capture_method":"automatic",\
        "confirmation_method":"automatic","created":1775005200,"latest_charge":"ch_%s",\
        "payment_method_types":["card"],"livemode":false,\
        "metadata":{"account_id":"ann","top_up_id":"%s","attempt":"1"}}"""
        .formatted(id, cents, cents, id, topUpId(1));
  }

  private Answer putRule(Caller caller, String body) {
    return billing.call(HttpMethod.PUT, "/top-up-rule", caller, body);
  }

  private JsonNode balance(String orgId) {
    return billing.call(HttpMethod.GET, "/balance?org_id=" + orgId, admin("root")).body();
  }

  private void collectAt(String now) {
    billing.runAt(CollectPaymentsJob.NAME, now);
  }

  /** The id of the account's auto top-up attempt {@code attempt} (all of ann's, here). */
  private static String topUpId(int attempt) {
    Object id =
        value("SELECT coalesce(max(id), 0) FROM billing_top_up_charges WHERE attempt = ?", attempt);
    return id.toString();
  }

  /** The attempts: attempt, state, amount, reason. */
  private static List<String> attempts() {
    return rows(
            """
            SELECT attempt || ' ' || state || ' ' || coalesce(amount::text, '-') || ' '
                || coalesce(reason, '-')
            FROM billing_top_up_charges ORDER BY id""")
        .stream()
        .map(row -> (String) row.get(0))
        .toList();
  }

  /**
   * acme's owner olivia sets the rule, consenting to its terms (kept, and in the audit trail);
   * its admin adam reads it but may not set it, nor may its member mia read it; olivia removes
   * it. A bad rule is refused naming the field, nothing stored.
   */
  @Test
  void theOwnerSetsTheRuleWithConsentAudited_adminsReadIt_membersMayNot_theOwnerRemovesIt() {
    billing.clock.set(at("2026-03-10T12:00:00Z"));
    OrgFixtures.created("acme", "olivia", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "adam", "admin", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "mia", "member", "2026-03-01T00:00:00Z");
    OrgFixtures.session(
        billing,
        "acme",
        "s1",
        "mia",
        "2026-03-02T09:00:00Z",
        "2026-03-02T10:00:00Z",
        size("1", "0", "0"));
    billing.flush();
    assertEquals(201, billing.grant("acme", "30").status(), "at 30.00, above the threshold");
    String acmeRule = "{\"org_id\":\"acme\"," + RULE.substring(1);
    Map<String, String> before = BillingHarness.tableContents();
    String refusals =
        """
        threshold     | {"org_id":"acme","target":20,"max_per_month":50}
        threshold     | {"org_id":"acme","threshold":0,"target":20,"max_per_month":50}
        target        | {"org_id":"acme","threshold":5,"max_per_month":50}
        target        | {"org_id":"acme","threshold":5,"target":20,"amount":10,"max_per_month":50}
        target        | {"org_id":"acme","threshold":5,"target":8,"max_per_month":50}
        amount        | {"org_id":"acme","threshold":5,"amount":2,"max_per_month":50}
        amount        | {"org_id":"acme","threshold":5,"amount":10.001,"max_per_month":50}
        max_per_month | {"org_id":"acme","threshold":5,"target":20,"max_per_month":10}
        max_per_month | {"org_id":"acme","threshold":5,"target":20}
        """;
    for (String refusal : refusals.strip().split("\n")) {
      String field = refusal.substring(0, refusal.indexOf('|')).strip();
      String body = refusal.substring(refusal.indexOf('|') + 1).strip();
      Answer answer = putRule(user("olivia"), body);
      assertEquals(400, answer.status(), body + " → " + answer.body());
      assertEquals(field, answer.errorField(), body + " → " + answer.body());
    }
    assertEquals(before, BillingHarness.tableContents(), "a refused rule stores nothing");
    assertEquals(
        "owner_required", putRule(user("adam"), acmeRule).body().at("/error/code").asText());

    Answer set = putRule(user("olivia"), acmeRule);

    String terms =
        "acme's saved payment method is charged off-session, without asking each time, whenever"
            + " its prepaid balance available falls below $5.00: what brings it to $20.00, at"
            + " most $50.00 in a calendar month (UTC).";
    assertEquals(200, set.status(), set.body().toString());
    assertEquals(
        """
        {"org_id":"acme","currency":"USD","threshold":5.00,"target":20.00,"amount":null,\
        "max_per_month":50.00,"consented_by":"olivia","consented_at":"2026-03-10T12:00:00Z",\
        "terms":"%s","charged_this_month":0.00,"below_threshold_since":null,"halted":null}"""
            .formatted(terms),
        set.body().toString());
    Answer read = billing.call(HttpMethod.GET, "/top-up-rule?org_id=acme", user("adam"));
    assertEquals(set.body(), read.body(), "an admin reads it");
    assertEquals(
        "admin_required",
        billing
            .call(HttpMethod.GET, "/top-up-rule?org_id=acme", user("mia"))
            .body()
            .at("/error/code")
            .asText());
    assertEquals(
        List.of(List.of("user", "olivia", "top_up_rule:acme", "olivia", terms)),
        rows(
            """
            SELECT actor_type, actor_id, subject, after ->> 'consented_by', after ->> 'terms'
            FROM billing_audit_entries WHERE kind = 'top_up_rule.set'"""),
        "the consent in the audit trail: who, when (the entry's), the terms");
    assertEquals(0L, value("SELECT count(*) FROM billing_top_up_charges"), "30.00: no charge");

    Answer removed =
        billing.call(HttpMethod.DELETE, "/top-up-rule?org_id=acme", user("olivia"), null);

    assertEquals(200, removed.status());
    assertTrue(removed.body().get("terms").isNull(), removed.body().toString());
    assertEquals(
        1L, value("SELECT count(*) FROM billing_audit_entries WHERE kind = 'top_up_rule.removed'"));
    assertEquals(0L, value("SELECT count(*) FROM billing_top_up_rules"));
  }

  /**
   * ann holds 10.00 and a rule (threshold 5.00, target 20.00); her March invoice of 6.00 (2
   * cores for 60 hours) is paid from the balance, leaving 4.00: the finalization's own posting
   * queues a charge, which the next collect-payments run sends: 16.00, bringing the balance to
   * 20.00. Once: a later run, and Stripe's webhook of the same PaymentIntent, add nothing.
   */
  @Test
  void anInvoiceTakingTheBalanceBelowTheThresholdChargesTheSavedCardOnce_upToTheTarget() {
    customer("ann", "pm_card_visa");
    assertEquals(201, billing.grant("ann", "10").status());
    assertEquals(200, putRule(user("ann"), RULE).status());
    billing.session(
        "s1", "ann", "2026-03-02T00:00:00Z", "2026-03-04T12:00:00Z", size("2", "0", "0"));
    billing.calculateUsageAt("2026-04-01T00:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
    String queued = String.join(",", attempts());
    String balanceAfterInvoice = balance("ann").get("balance").toString();
    stripe.stubFor(post(urlEqualTo(INTENTS)).willReturn(okJson(intent("pi_top_1", 1600))));

    collectAt("2026-04-01T01:01:00Z");

    assertEquals("4.00", balanceAfterInvoice, "10.00 less the invoice's 6.00");
    assertEquals("1 pending - -", queued, "queued by the invoice's own posting");
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo(INTENTS))
            .withHeader("Idempotency-Key", equalTo("top-up-" + topUpId(1)))
            .withFormParam("amount", equalTo("1600"))
            .withFormParam("currency", equalTo("usd"))
            .withFormParam("customer", equalTo("cus_ann"))
            .withFormParam("payment_method", equalTo("pm_card_visa"))
            .withFormParam("off_session", equalTo("true"))
            .withFormParam("confirm", equalTo("true"))
            .withFormParam("metadata[account_id]", equalTo("ann"))
            .withFormParam("metadata[top_up_id]", equalTo(topUpId(1)))
            .withFormParam("metadata[attempt]", equalTo("1")));
    JsonNode statement = balance("ann");
    assertEquals("20.00", statement.get("balance").toString());
    JsonNode entry = statement.at("/entries/0");
    assertEquals("top_up", entry.get("kind").asText());
    assertEquals("16.00", entry.get("amount").toString());
    assertEquals("payment_intent:pi_top_1", entry.get("source").asText());
    assertEquals("auto top-up", entry.get("reason").asText());
    assertEquals(List.of("1 succeeded 16.00 -"), attempts());
    List<String> toppedUp = billing.published("billing.balance.topped_up");
    assertEquals(2, toppedUp.size(), "the grant's, then the top-up's");
    assertTrue(toppedUp.get(1).contains("\"balance\":20.00"), toppedUp.get(1));

    collectAt("2026-04-01T01:02:00Z");
    StripeSigning.delivered(
        billing,
        SECRET,
        event(
            "evt_pi_top_1",
            "payment_intent.succeeded",
            at("2026-04-01T01:02:00Z"),
            intent("pi_top_1", 1600)));

    stripe.verify(1, postRequestedFor(urlEqualTo(INTENTS)));
    assertEquals("20.00", balance("ann").get("balance").toString(), "credited once");
    assertEquals(2, billing.published("billing.balance.topped_up").size());
    assertEquals(
        "16.00",
        billing
            .call(HttpMethod.GET, "/top-up-rule", user("ann"))
            .body()
            .get("charged_this_month")
            .toString());
  }

  /**
   * ann's card is declined (insufficient funds): billing.top_up.failed tells Stripe's reason and
   * when it is tried again, a day later (paymentRetryDays[0] after the balance fell below the
   * threshold), when attempt 2, under its own key, tops the balance up.
   */
  @Test
  void aDeclinedCardTellsTopUpFailedWithStripesReason_andIsChargedAgainOnTheRetrySchedule() {
    customer("ann", "pm_card_visa");
    stripe.stubFor(
        post(urlEqualTo(INTENTS))
            .willReturn(
                aResponse()
                    .withStatus(402)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        """
                        {"error":{"type":"card_error","code":"card_declined",\
                        "decline_code":"insufficient_funds","charge":"ch_declined",\
                        "message":"Your card has insufficient funds.",\
                        "payment_intent":{"id":"pi_declined","object":"payment_intent",\
                        "amount":2000,"amount_received":0,"currency":"usd",\
                        "created":1775005200,"livemode":false,\
                        "status":"requires_payment_method"}}}""")));
    billing.clock.set(at("2026-04-01T10:00:00Z"));
    assertEquals(200, putRule(user("ann"), RULE).status(), "a balance of 0: below at once");

    collectAt("2026-04-01T10:01:00Z");
    collectAt("2026-04-02T09:59:00Z");

    assertEquals(List.of("1 failed 20.00 insufficient_funds", "2 pending - -"), attempts());
    assertEquals(
        List.of(
            """
            {"org_id":"ann","currency":"USD","amount":20.00,"reason":"insufficient_funds",\
            "message":"Your card has insufficient funds.","attempt":1,\
            "next_attempt_at":"2026-04-02T10:00:00Z","failed_at":"2026-04-01T10:01:00Z"}"""),
        billing.published("billing.top_up.failed"));
    stripe.verify(1, postRequestedFor(urlEqualTo(INTENTS)));

    stripe.stubFor(
        post(urlEqualTo(INTENTS))
            .atPriority(1)
            .withHeader("Idempotency-Key", equalTo("top-up-" + topUpId(2)))
            .willReturn(okJson(intent("pi_top_2", 2000))));
    collectAt("2026-04-02T10:00:00Z");

    stripe.verify(2, postRequestedFor(urlEqualTo(INTENTS)));
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo(INTENTS))
            .withHeader("Idempotency-Key", equalTo("top-up-" + topUpId(2)))
            .withFormParam("amount", equalTo("2000"))
            .withFormParam("metadata[attempt]", equalTo("2")));
    assertEquals("20.00", balance("ann").get("balance").toString());
    assertEquals(List.of("1 failed 20.00 insufficient_funds", "2 succeeded 20.00 -"), attempts());
  }

  /**
   * Two nodes run collect-payments at the same instant while a reservation (another feature's)
   * holds 28.00 of ann's 30.00, so 2.00 is available, below her threshold: one of them queues the
   * charge and one sends it, 18.00, once; the other finds nothing to do, though Stripe takes its
   * time to answer.
   */
  @Test
  void twoNodesFindingTheSameFallAtOnceChargeItOnce() throws Exception {
    customer("ann", "pm_card_visa");
    assertEquals(201, billing.grant("ann", "30").status());
    putRule(user("ann"), RULE);
    value("UPDATE billing_prepaid_balances SET reserved = 28 WHERE org_id = 'ann' RETURNING 1");
    stripe.stubFor(
        post(urlEqualTo(INTENTS)).willReturn(okJson(intent("pi_once", 1800)).withFixedDelay(300)));
    billing.clock.set(at("2026-04-01T10:00:00Z"));
    AutoTopUps otherNode =
        new AutoTopUps(
            TestDatabase.dataSource(),
            new StripeClients(
                () -> Optional.of(KEY),
                () ->
                    new StripeEndpoint(
                        stripe.baseUrl(), Duration.ofSeconds(2), Duration.ofSeconds(30)),
                PluginMetrics.none()),
            change -> {},
            failed -> {},
            BillingConfig::defaults);
    ExecutorService nodes = Executors.newFixedThreadPool(2);
    try {
      CyclicBarrier start = new CyclicBarrier(2);
      Future<?> here =
          nodes.submit(
              () -> {
                start.await();
                return billing.context.scheduler().run(CollectPaymentsJob.NAME);
              });
      Future<?> there =
          nodes.submit(
              () -> {
                start.await();
                return otherNode.chargeDue(billing.clock, Cause.job(CollectPaymentsJob.NAME));
              });
      here.get(30, TimeUnit.SECONDS);
      there.get(30, TimeUnit.SECONDS);
    } finally {
      nodes.shutdownNow();
    }

    stripe.verify(
        1, postRequestedFor(urlEqualTo(INTENTS)).withFormParam("amount", equalTo("1800")));
    assertEquals(List.of("1 succeeded 18.00 -"), attempts());
    assertEquals("48.00", balance("ann").get("balance").toString(), "30.00 + 18.00");
  }

  /**
   * Stripe answers the charge processing: the balance waits for the webhook, and no other charge
   * is made meanwhile; its later payment_intent.payment_failed fails the attempt as a decline at
   * the call would (told, the next attempt queued), once however often it is delivered.
   */
  @Test
  void aChargeProcessingAtStripeWaitsForItsWebhook_aLaterDeclineIsToldAndRetried() {
    customer("ann", "pm_card_visa");
    billing.clock.set(at("2026-04-01T10:00:00Z"));
    putRule(user("ann"), RULE);
    stripe.stubFor(
        post(urlEqualTo(INTENTS))
            .willReturn(
                okJson(intent("pi_slow", 2000).replace("\"succeeded\"", "\"processing\""))));
    collectAt("2026-04-01T10:01:00Z");
    collectAt("2026-04-01T10:02:00Z");
    List<String> whileProcessing = attempts();
    String declined =
        event(
            "evt_declined",
            "payment_intent.payment_failed",
            at("2026-04-01T10:03:00Z"),
            """
            {"id": "pi_slow", "object": "payment_intent", "amount": 2000, "amount_received": 0,
             "currency": "usd", "status": "requires_payment_method", "created": 1775037600,
             "customer": "cus_ann", "livemode": false,
             "last_payment_error": {"type": "card_error", "code": "card_declined",
              "decline_code": "generic_decline", "message": "Your card was declined."},
             "metadata": {"account_id": "ann", "top_up_id": "%s", "attempt": "1"}}"""
                .formatted(topUpId(1)));

    billing.clock.set(at("2026-04-01T10:03:00Z"));
    StripeSigning.delivered(billing, SECRET, declined);
    StripeSigning.delivered(billing, SECRET, declined.replace("evt_declined", "evt_again"));

    assertEquals(List.of("1 sent 20.00 -"), whileProcessing);
    stripe.verify(1, postRequestedFor(urlEqualTo(INTENTS)));
    assertEquals(List.of("1 failed 20.00 generic_decline", "2 pending - -"), attempts());
    assertEquals(
        List.of(
            """
            {"org_id":"ann","currency":"USD","amount":20.00,"reason":"generic_decline",\
            "message":"Your card was declined.","attempt":1,\
            "next_attempt_at":"2026-04-02T10:00:00Z","failed_at":"2026-04-01T10:03:00Z"}"""),
        billing.published("billing.top_up.failed"));
    assertEquals("0.00", balance("ann").get("balance").toString());
  }

  /**
   * Nothing to charge ann with: billing.top_up.failed with no_payment_method, once for the whole
   * time the balance stays below the threshold; the card she then saves is charged at once.
   */
  @Test
  void withoutAPaymentMethodTopUpFailedIsToldOncePerCrossing_andASavedCardIsThenCharged() {
    customer("ann", null);
    billing.clock.set(at("2026-04-01T10:00:00Z"));
    putRule(user("ann"), RULE);

    collectAt("2026-04-01T10:01:00Z");
    collectAt("2026-04-01T10:02:00Z");
    collectAt("2026-04-02T10:02:00Z");

    assertEquals(
        List.of(
            """
            {"org_id":"ann","currency":"USD","amount":20.00,"reason":"no_payment_method",\
            "message":"no payment method on file","attempt":1,"next_attempt_at":null,\
            "failed_at":"2026-04-01T10:01:00Z"}"""),
        billing.published("billing.top_up.failed"));
    assertEquals(List.of("1 failed 20.00 no_payment_method"), attempts());
    assertEquals(
        "no_payment_method",
        billing.call(HttpMethod.GET, "/top-up-rule", user("ann")).body().get("halted").asText());
    stripe.verify(0, postRequestedFor(urlEqualTo(INTENTS)));

    stripe.stubFor(post(urlEqualTo(INTENTS)).willReturn(okJson(intent("pi_top_2", 2000))));
    StripeSigning.delivered(
        billing,
        SECRET,
        event(
            "evt_attached",
            "payment_method.attached",
            at("2026-04-02T11:00:00Z"),
            """
            {"id": "pm_new", "object": "payment_method", "type": "card",
             "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030},
             "created": 1775127600, "customer": "cus_ann", "livemode": false,
             "metadata": {}}"""));
    collectAt("2026-04-02T11:01:00Z");

    stripe.verify(
        1,
        postRequestedFor(urlEqualTo(INTENTS)).withFormParam("payment_method", equalTo("pm_new")));
    assertEquals("20.00", balance("ann").get("balance").toString());
  }

  /**
   * Earlier in April ann's rule charged 16.00 of its 20.00 a month; her balance falls below the
   * threshold again: 4.00 is left of the month, less than a top-up's least (5.00), so nothing is
   * charged, and billing.top_up.failed says monthly_cap, once. In May the cap is lifted.
   */
  @Test
  void theMonthlyCapStopsACharge_andIsLiftedInTheNextMonth() {
    customer("ann", "pm_card_visa");
    billing.clock.set(at("2026-04-20T10:00:00Z"));
    value(
        """
        INSERT INTO billing_top_up_charges (org_id, currency, crossed_at, attempt, state, due_at,
            amount, month, payment_intent_id, created_at, updated_at)
        VALUES ('ann', 'USD', '2026-04-05T10:00:00Z', 1, 'succeeded', '2026-04-05T10:00:00Z',
            16, '2026-04-01', 'pi_earlier', '2026-04-05T10:00:00Z', '2026-04-05T10:00:00Z')
        RETURNING 1""");
    stripe.stubFor(post(urlEqualTo(INTENTS)).willReturn(okJson(intent("pi_top_may", 2000))));
    putRule(user("ann"), "{\"threshold\":5,\"target\":20,\"max_per_month\":20}");

    collectAt("2026-04-20T10:01:00Z");
    collectAt("2026-04-30T23:59:00Z");

    stripe.verify(0, postRequestedFor(urlEqualTo(INTENTS)));
    List<String> failed = billing.published("billing.top_up.failed");
    assertEquals(1, failed.size(), failed.toString());
    assertTrue(failed.get(0).contains("\"amount\":null,\"reason\":\"monthly_cap\""), failed.get(0));
    assertEquals(
        "monthly_cap",
        billing.call(HttpMethod.GET, "/top-up-rule", user("ann")).body().get("halted").asText());

    collectAt("2026-05-01T00:01:00Z");

    stripe.verify(
        1, postRequestedFor(urlEqualTo(INTENTS)).withFormParam("amount", equalTo("2000")));
    assertEquals("20.00", balance("ann").get("balance").toString());
  }
}

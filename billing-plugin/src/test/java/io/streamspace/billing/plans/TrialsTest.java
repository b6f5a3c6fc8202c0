package io.streamspace.billing.plans;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.json;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.billing.support.StripeSubscriptionFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobRun;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Trials (issue 55) through the plugin's hooks, routes and jobs, with figures worked out by hand.
 * Hybrid mode, USD, UTC, invoice day 1. Hobby is free (the default plan, 2 cores); Pro is 30.00 a
 * month including 8 cores, with a 14-day trial.
 *
 * <ul>
 *   <li>acme (owner olivia) opens on Hobby on March 1, with a payment method on file; it moves to
 *       Pro on March 10 at 12:00: its trial runs to March 24 12:00, then it pays 30.00 a month.
 *   <li>bolt (owner ben) opens on Pro on March 1: its trial runs to March 15 00:00; with no
 *       payment method, it falls back to Hobby then.
 * </ul>
 */
class TrialsTest {

  private static final String PLANS =
      """
      "billingMode": "hybrid", "subscriptionPlans": [
        {"id": "free", "name": "Hobby", "price": 0, "interval": "month", "cpu_limit": 2,
         "memory_limit": 4, "storage_limit": 10},
        {"id": "pro", "name": "Pro", "price": 30.00, "interval": "month", "cpu_limit": 8,
         "memory_limit": 16, "storage_limit": 100, "trial_days": 14}]""";

  private BillingHarness billing;

  @BeforeEach
  void acmeOnHobbyWithACard_boltOnPro() {
    billing = new BillingHarness(at("2026-03-01T00:00:00Z"), "{" + PLANS + "}");
    OrgFixtures.opened(billing, "acme", "Acme", "olivia", "USD", "free", "2026-03-01T00:00:00Z");
    OrgFixtures.opened(billing, "bolt", "Bolt", "ben", "USD", "pro", "2026-03-01T00:00:00Z");
    TestDatabase.execute(
        """
        INSERT INTO billing_stripe_customers (account_id, customer_id, created_at,
            default_payment_method, default_payment_method_at)
        VALUES ('acme', 'cus_acme', '2026-03-01T00:00:00Z', 'pm_acme', '2026-03-01T00:00:00Z')""");
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void aFourteenDayTrialWithAPaymentMethodConverts_itsFirstInvoiceBillsTheFeeFromTheTrialsEnd() {
    billing.clock.set(at("2026-03-10T12:00:00Z"));
    Answer moved =
        billing.call(
            HttpMethod.PUT,
            "/subscription",
            user("olivia"),
            "{\"plan_id\": \"pro\", \"org_id\": \"acme\"}");

    assertEquals(200, moved.status(), moved.body().toString());
    assertEquals("0", moved.body().get("price").decimalValue().toPlainString(), "free on trial");
    JsonNode trial = moved.body().get("trial");
    assertEquals("2026-03-24T12:00:00Z", trial.get("ends_at").asText());
    assertEquals("30.00 USD month", money(trial) + " " + trial.get("interval").asText());
    assertTrue(trial.get("will_convert").asBoolean(), "a payment method on file");
    JsonNode changed = json(last(BillingEvents.SUBSCRIPTION_CHANGED));
    assertEquals("2026-03-24T12:00:00Z", changed.get("trial_ends_at").asText());

    run("2026-03-21T11:59:00Z");
    assertEquals(List.of(), willEnd(), "not before 3 days before its end");
    run("2026-03-21T12:00:00Z");
    run("2026-03-21T12:01:00Z");
    assertEquals(
        List.of("acme Pro 2026-03-24T12:00:00Z 30.00 USD month converts, else free"),
        willEnd(),
        "told once, three days before");

    run("2026-03-24T12:00:30Z");
    assertEquals(
        List.of(
            "free 0 2026-03-01T00:00:00Z..2026-03-10T12:00:00Z",
            "pro 0 2026-03-10T12:00:00Z..2026-03-24T12:00:00Z trial",
            "pro 30 2026-03-24T12:00:00Z..null"),
        terms("acme"),
        "converted at the trial's end, not when the job ran");
    assertEquals(
        List.of(
            "bolt pro lapsed false -> free at 2026-03-15T00:00:00Z",
            "acme pro converted true -> pro at 2026-03-24T12:00:00Z"),
        ended());
    assertTrue(json(last(BillingEvents.SUBSCRIPTION_CHANGED)).get("trial_ends_at").isNull());

    billing.calculateUsageAt("2026-04-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
    assertEquals(
        List.of(
            "plan_fee Hobby, 2026-03-01 – 2026-03-10 null null null 0 0.00",
            "plan_fee Pro, trial until 2026-03-24 null null null 0 0.00",
            "plan_fee Pro, 2026-03-24 – 2026-04-01 null null null 30 7.26"),
        lines(invoiceId("acme", "2026-03-01T00:00:00Z")),
        "30.00 × 7.5 days ÷ 31 = 7.2580… → 7.26");
    assertEquals(
        List.of(
            List.of("plan.changed", "olivia", "{\"plan_id\": \"free\"}"),
            List.of(
                "plan.changed",
                "trials",
                "{\"price\": 0, \"plan_id\": \"pro\","
                    + " \"trial_ends_at\": \"2026-03-24T12:00:00Z\"}")),
        rows(
            """
            SELECT kind, actor_id, before::text FROM billing_audit_entries
            WHERE org_id = 'acme' AND kind = 'plan.changed' ORDER BY occurred_at"""));

    Answer analytics =
        billing.call(HttpMethod.GET, "/admin/analytics?from=2026-03&to=2026-03", admin("root"));
    assertEquals(200, analytics.status(), analytics.body().toString());
    assertEquals(
        "[{\"month\":\"2026-03\",\"plan_id\":\"pro\",\"started\":2,\"converted\":1,\"lapsed\":1,"
            + "\"changed\":0,\"conversion_rate\":0.5000}]",
        analytics.body().get("trials").toString(),
        "bolt's and acme's trials began in March; one converted, one lapsed");
    BillingHarness.Text csv =
        billing.text(
            "/admin/analytics?from=2026-03&to=2026-03&format=csv&table=trials", admin("root"));
    assertEquals(200, csv.status(), csv.body());
    assertEquals(
        "month,plan_id,started,converted,lapsed,changed,conversion_rate\r\n"
            + "2026-03,pro,2,1,1,0,0.5000\r\n",
        csv.body(),
        "the same figures as CSV");
    Answer badTable =
        billing.call(HttpMethod.GET, "/admin/analytics?format=csv&table=cohorts", admin("root"));
    assertEquals(400, badTable.status());
    assertEquals("table", badTable.errorField());
  }

  @Test
  void aTrialWithoutACardLapses_toldOnceByTwoNodes_theSecondPays_oneLeftEarlyEndsThere()
      throws Exception {
    JsonNode trial = subscription("bolt").get("trial");
    assertEquals("2026-03-15T00:00:00Z", trial.get("ends_at").asText(), "14 days from opening");
    assertEquals(false, trial.get("will_convert").asBoolean());
    // dora's account is opened by a session event first, on Hobby; its org.created, naming Pro,
    // comes after: the same trial as had it come first
    OrgFixtures.session(
        billing,
        "dora",
        "s1",
        "dan",
        "2026-03-01T00:00:00Z",
        "2026-03-01T00:10:00Z",
        BillingHarness.size("1", "1", "0"));
    billing.flush();
    OrgFixtures.opened(billing, "dora", "Dora", "dan", "USD", "pro", "2026-03-01T00:00:00Z");
    assertEquals(List.of("pro 0 2026-03-01T00:00:00Z..null trial"), terms("dora"));

    billing.clock.set(at("2026-03-12T00:00:00Z"));
    List<String> told = new CopyOnWriteArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Integer>> runs = new ArrayList<>();
      for (TrialRuns node : List.of(node(told), node(told))) {
        runs.add(
            pool.submit(
                () -> {
                  start.await();
                  return node.tell();
                }));
      }
      start.countDown();
      assertEquals(2, runs.get(0).get() + runs.get(1).get(), "each told by one of the nodes");
    } finally {
      pool.shutdownNow();
    }
    assertEquals(List.of("bolt", "dora"), told.stream().sorted().toList());
    run("2026-03-12T00:01:00Z");
    assertEquals(List.of(), willEnd(), "a third node's run tells no one either");

    billing.clock.set(at("2026-03-13T00:00:00Z"));
    Answer left =
        billing.call(
            HttpMethod.PUT,
            "/subscription",
            user("dan"),
            "{\"plan_id\": \"free\", \"org_id\": \"dora\"}");
    assertEquals(200, left.status(), left.body().toString());

    run("2026-03-15T00:00:30Z");
    assertEquals(
        List.of(
            "pro 0 2026-03-01T00:00:00Z..2026-03-15T00:00:00Z trial",
            "free 0 2026-03-15T00:00:00Z..null"),
        terms("bolt"));
    assertEquals(
        List.of(
            "bolt pro lapsed false -> free at 2026-03-15T00:00:00Z",
            "dora pro changed false -> free at 2026-03-13T00:00:00Z"),
        ended());
    JsonNode after = subscription("bolt");
    assertEquals("free 2", after.get("plan_id").asText() + " " + after.get("cpu_limit"));
    assertTrue(after.get("trial").isNull());

    billing.clock.set(at("2026-03-20T00:00:00Z"));
    Answer again =
        billing.call(
            HttpMethod.PUT,
            "/subscription",
            user("ben"),
            "{\"plan_id\": \"pro\", \"org_id\": \"bolt\"}");
    assertEquals(200, again.status(), again.body().toString());
    assertEquals("30", again.body().get("price").decimalValue().toPlainString());
    assertTrue(again.body().get("trial").isNull(), "one trial of a plan: this one pays");
    SQLException second =
        (SQLException)
            assertThrows(
                    IllegalStateException.class,
                    () ->
                        rows(
                            """
                            INSERT INTO billing_trials (org_id, plan_id, term_id, fee)
                            SELECT user_id, plan_id, id, 30 FROM billing_subscriptions
                            WHERE user_id = 'bolt' AND ended_at IS NULL RETURNING org_id"""))
                .getCause();
    assertEquals("23505", second.getSQLState(), "the schema keeps one trial per plan");

    billing.calculateUsageAt("2026-04-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
    assertEquals(
        List.of(
            "plan_fee Pro, trial until 2026-03-15 null null null 0 0.00",
            "plan_fee Hobby, 2026-03-15 – 2026-03-20 null null null 0 0.00",
            "plan_fee Pro, 2026-03-20 – 2026-04-01 null null null 30 11.61"),
        lines(invoiceId("bolt", "2026-03-01T00:00:00Z")),
        "30.00 × 12 days ÷ 31 = 11.6129… → 11.61, from the second start");
  }

  /**
   * acme's trial ends at 12:00 on March 24; the trials run that ends it comes at 12:01, but olivia
   * moves acme to Hobby at 12:00:20. The change starts from what the end made: the trial converted
   * at 12:00 (a payment method on file) and Pro paid from then to the change, not a trial term
   * running free past its end and ended as "changed".
   */
  @Test
  void aPlanChangeInTheMinuteAfterATrialsEnd_beforeItsRun_startsFromWhatTheEndMade() {
    billing.clock.set(at("2026-03-10T12:00:00Z"));
    assertEquals(
        200,
        billing
            .call(
                HttpMethod.PUT,
                "/subscription",
                user("olivia"),
                "{\"plan_id\": \"pro\", \"org_id\": \"acme\"}")
            .status());
    billing.clock.set(at("2026-03-24T12:00:20Z"));

    Answer moved =
        billing.call(
            HttpMethod.PUT,
            "/subscription",
            user("olivia"),
            "{\"plan_id\": \"free\", \"org_id\": \"acme\"}");

    assertEquals(200, moved.status(), moved.body().toString());
    assertEquals(
        List.of(
            "free 0 2026-03-01T00:00:00Z..2026-03-10T12:00:00Z",
            "pro 0 2026-03-10T12:00:00Z..2026-03-24T12:00:00Z trial",
            "pro 30 2026-03-24T12:00:00Z..2026-03-24T12:00:20Z",
            "free 0 2026-03-24T12:00:20Z..null"),
        terms("acme"));
    run("2026-03-24T12:01:00Z");
    assertEquals(
        List.of(
            "acme pro converted true -> pro at 2026-03-24T12:00:00Z",
            "bolt pro lapsed false -> free at 2026-03-15T00:00:00Z"),
        ended(),
        "acme's told once, as the change ended it; bolt's by the run");
  }

  /**
   * dora (owner dan) opens on Pro in VND on March 1 with no payment method, while every plan has a
   * VND price (Hobby 0, Pro 750000); then the config prices them in USD only: Hobby, the default
   * plan, has no VND price any more. dora's trial lapses at 00:00 on March 15 onto Hobby at a fee
   * of 0 (nothing can be charged in VND), once: the run succeeds, tells the end once, and the
   * end's plan.changed entry says Hobby has no price in VND; the next run has nothing to do.
   */
  @Test
  void aLapseToADefaultPlanWithNoPriceInTheCurrency_fallsBackOnceAtNoFee_andSaysSo() {
    billing.context.setConfigJson(
        "{"
            + PLANS
                .replace("\"price\": 0,", "\"price\": 0, \"prices\": {\"VND\": 0},")
                .replace("\"trial_days\": 14", "\"trial_days\": 14, \"prices\": {\"VND\": 750000}")
            + "}");
    billing.billing.onConfigChanged(billing.context);
    OrgFixtures.opened(billing, "dora", "Dora", "dan", "VND", "pro", "2026-03-01T00:00:00Z");
    billing.context.setConfigJson("{" + PLANS + "}");
    billing.billing.onConfigChanged(billing.context);
    assertEquals(
        List.of(List.of("VND")),
        rows("SELECT currency FROM billing_accounts WHERE user_id = 'dora'"));

    run("2026-03-15T00:00:00Z");
    run("2026-03-15T00:01:00Z");

    assertEquals(
        List.of(
            "pro 0 2026-03-01T00:00:00Z..2026-03-15T00:00:00Z trial",
            "free 0 2026-03-15T00:00:00Z..null"),
        terms("dora"));
    assertEquals(
        List.of(
            "bolt pro lapsed false -> free at 2026-03-15T00:00:00Z",
            "dora pro lapsed false -> free at 2026-03-15T00:00:00Z"),
        ended().stream().sorted().toList());
    assertEquals(
        List.of(List.of("lapsed", "VND", "0")),
        rows(
            """
            SELECT after->>'trial', after->>'fallback_unpriced_in', after->>'price'
            FROM billing_audit_entries
            WHERE kind = 'plan.changed' AND subject = 'subscription:dora'"""));
  }

  /**
   * Stripe Billing: cora (owner carl) on Hobby takes Pro through a subscription Checkout on March
   * 10 at 12:00. The Subscription's trial_end is March 24 12:00, 1774353600 in Unix seconds; its
   * completion at 12:05 begins our trial to that same instant, and there the trial converts:
   * Stripe charges the plan from then, and so does our term.
   */
  @Test
  void aStripeSubscriptionsTrialEndsWhereOursDoes_andConvertsThere() {
    WireMockServer stripe = new WireMockServer(options().dynamicPort());
    stripe.start();
    try {
      coraOnAStripeTrialOfPro(stripe);

      run("2026-03-24T12:00:30Z");
      assertEquals(
          List.of(
              "free 0 2026-03-01T00:00:00Z..2026-03-10T12:05:00Z",
              "pro 0 2026-03-10T12:05:00Z..2026-03-24T12:00:00Z trial",
              "pro 30 2026-03-24T12:00:00Z..null"),
          terms("cora"));
      assertTrue(ended().contains("cora pro converted true -> pro at 2026-03-24T12:00:00Z"));
    } finally {
      stripe.stop();
    }
  }

  /**
   * The same Stripe trial; at 12:00:20 on March 24, before the trials run that ends it at 12:01,
   * carl moves cora's Subscription to Hobby's price in the Customer Portal. As with {@code PUT
   * /subscription}, the move starts from what the trial's end makes: converted at 12:00 (the
   * Subscription live), Pro paid from then to the move, told once, by the event.
   */
  @Test
  void aStripePlanChangeInTheMinuteAfterATrialsEnd_beforeItsRun_startsFromWhatTheEndMade() {
    WireMockServer stripe = new WireMockServer(options().dynamicPort());
    stripe.start();
    try {
      coraOnAStripeTrialOfPro(stripe);
      billing.clock.set(at("2026-03-24T12:00:20Z"));

      StripeSigning.delivered(
          billing,
          StripeSubscriptionFixtures.SECRET,
          StripeSigning.event(
              "evt_portal",
              "customer.subscription.updated",
              billing.clock.instant(),
              StripeSubscriptionFixtures.subscription(
                  "sub_cora",
                  "active",
                  StripeSubscriptionFixtures.price("price_free", "free", 0),
                  false,
                  "{\"account_id\": \"cora\", \"plan_id\": \"pro\"}")));

      assertEquals(
          List.of(
              "free 0 2026-03-01T00:00:00Z..2026-03-10T12:05:00Z",
              "pro 0 2026-03-10T12:05:00Z..2026-03-24T12:00:00Z trial",
              "pro 30 2026-03-24T12:00:00Z..2026-03-24T12:00:20Z",
              "free 0 2026-03-24T12:00:20Z..null"),
          terms("cora"));
      run("2026-03-24T12:01:00Z");
      assertEquals(
          List.of(
              "bolt pro lapsed false -> free at 2026-03-15T00:00:00Z",
              "cora pro converted true -> pro at 2026-03-24T12:00:00Z"),
          ended().stream().sorted().toList(),
          "cora's told once, as the move ended it; bolt's by the run");
    } finally {
      stripe.stop();
    }
  }

  // ---- helpers ----

  /**
   * cora (owner carl) opens on Hobby on March 1 in Stripe Billing and takes Pro through a
   * subscription Checkout on March 10 at 12:00, asking Stripe for trial_end 1774353600 (March
   * 24 12:00); the session completes at 12:05 and begins our trial to then.
   */
  private void coraOnAStripeTrialOfPro(WireMockServer stripe) {
    billing.context.setConfigJson(
        "{" + PLANS + ", \"stripeEnabled\": true, \"stripeCollection\": \"stripe_invoices\"}");
    billing.billing.onConfigChanged(billing.context);
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", StripeSubscriptionFixtures.SECRET);
    billing.context.setSecret("STRIPE_SECRET_KEY", "sk_test_trials");
    StripeTestEndpoint.pointAt(billing.billing, stripe.baseUrl());
    OrgFixtures.opened(billing, "cora", "Cora", "carl", "USD", "free", "2026-03-01T00:00:00Z");
    TestDatabase.execute(
        """
        INSERT INTO billing_stripe_customers (account_id, customer_id, created_at)
        VALUES ('cora', 'cus_cora', '2026-03-01T00:00:00Z')""");
    stripe.stubFor(
        get(urlPathEqualTo("/v1/prices"))
            .willReturn(
                okJson(
                    "{\"object\": \"list\", \"has_more\": false, \"data\": [%s]}"
                        .formatted(StripeSubscriptionFixtures.price("price_pro", "pro", 3000)))));
    StripeSubscriptionFixtures.sessionCreated(stripe, "cs_cora", "subscription");
    billing.clock.set(at("2026-03-10T12:00:00Z"));

    Answer checkout =
        billing.call(
            HttpMethod.POST,
            "/create-checkout",
            user("carl"),
            "{\"plan_id\": \"pro\", \"org_id\": \"cora\", "
                + StripeSubscriptionFixtures.URLS
                + "}");

    assertEquals(200, checkout.status(), checkout.body().toString());
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
            .withFormParam("mode", equalTo("subscription"))
            .withFormParam("line_items[0][price]", equalTo("price_pro"))
            .withFormParam("subscription_data[trial_end]", equalTo("1774353600"))
            .withFormParam("metadata[trial_end]", equalTo("1774353600")));

    billing.clock.set(at("2026-03-10T12:05:00Z"));
    StripeSigning.delivered(
        billing,
        StripeSubscriptionFixtures.SECRET,
        StripeSigning.event(
            "evt_cora", "checkout.session.completed", billing.clock.instant(), completed()));
    JsonNode trial = subscription("cora").get("trial");
    assertEquals("2026-03-24T12:00:00Z", trial.get("ends_at").asText(), "Stripe's trial_end");
    assertTrue(trial.get("will_convert").asBoolean(), "the Subscription charges from then");
  }

  /** cora's subscription-mode session completed: its trial took nothing. */
  private static String completed() {
    return """
        {"id": "cs_cora", "object": "checkout.session", "mode": "subscription",
         "status": "complete", "payment_status": "no_payment_required",
         "client_reference_id": "cora", "customer": "cus_cora", "currency": "usd",
         "amount_subtotal": 0, "amount_total": 0, "created": 1773144000,
         "expires_at": 1773230400, "livemode": false, "payment_intent": null,
         "setup_intent": null, "subscription": "sub_cora", "invoice": null, "url": null,
         "metadata": {"account_id": "cora", "kind": "plan", "plan_id": "pro",
                      "trial_end": "1774353600"}}""";
  }

  private void run(String now) {
    JobRun run = billing.runAt("trials", now);
    assertEquals(JobOutcome.SUCCEEDED, run.outcome(), run.message());
  }

  /** A node of its own on the test database, telling into {@code told}. */
  private TrialRuns node(List<String> told) {
    return new TrialRuns(
        TestDatabase.dataSource(),
        null, // it only tells
        new BillingEvents(
            (name, payload) -> told.add(BillingHarness.json(payload).get("org_id").asText())),
        BillingConfig::defaults,
        billing.clock);
  }

  private String last(String event) {
    List<String> published = billing.published(event);
    return published.get(published.size() - 1);
  }

  /** Each billing.trial.will_end, as {@code "org plan ends price currency interval outcome"}. */
  private List<String> willEnd() {
    return billing.published(BillingEvents.TRIAL_WILL_END).stream()
        .map(BillingHarness::json)
        .map(
            n ->
                n.get("org_id").asText()
                    + " "
                    + n.get("plan_name").asText()
                    + " "
                    + n.get("trial_ends_at").asText()
                    + " "
                    + money(n)
                    + " "
                    + n.get("interval").asText()
                    + (n.get("will_convert").asBoolean() ? " converts" : " lapses")
                    + ", else "
                    + n.get("fallback_plan_id").asText())
        .toList();
  }

  /** Each billing.trial.ended, as {@code "org plan outcome converted -> next at"}. */
  private List<String> ended() {
    return billing.published(BillingEvents.TRIAL_ENDED).stream()
        .map(BillingHarness::json)
        .map(
            n ->
                n.get("org_id").asText()
                    + " "
                    + n.get("plan_id").asText()
                    + " "
                    + n.get("outcome").asText()
                    + " "
                    + n.get("converted").asBoolean()
                    + " -> "
                    + n.get("next_plan_id").asText()
                    + " at "
                    + n.get("ended_at").asText())
        .toList();
  }

  private static String money(JsonNode node) {
    return node.get("price").decimalValue().toPlainString() + " " + node.get("currency").asText();
  }

  /** The Owner's GET /subscription. */
  private JsonNode subscription(String org) {
    String owner =
        switch (org) {
          case "acme" -> "olivia";
          case "bolt" -> "ben";
          default -> "carl";
        };
    Answer answer = billing.call(HttpMethod.GET, "/subscription?org_id=" + org, user(owner));
    assertEquals(200, answer.status(), answer.body().toString());
    return answer.body();
  }

  /** The organization's terms as {@code "plan price from..to [trial]"}, oldest first. */
  private static List<String> terms(String org) {
    return rows(
            """
            SELECT plan_id, price, started_at, ended_at, trial_ends_at FROM billing_subscriptions
            WHERE user_id = ? ORDER BY started_at""",
            org)
        .stream()
        .map(
            r ->
                r.get(0)
                    + " "
                    + ((java.math.BigDecimal) r.get(1)).toPlainString()
                    + " "
                    + ((Timestamp) r.get(2)).toInstant()
                    + ".."
                    + (r.get(3) == null ? "null" : ((Timestamp) r.get(3)).toInstant().toString())
                    + (r.get(4) == null ? "" : " trial"))
        .toList();
  }
}

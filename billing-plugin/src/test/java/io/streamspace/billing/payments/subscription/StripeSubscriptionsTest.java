package io.streamspace.billing.payments.subscription;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.StripeSigning.event;
import static io.streamspace.billing.support.StripeSubscriptionFixtures.checkout;
import static io.streamspace.billing.support.StripeSubscriptionFixtures.metadataOf;
import static io.streamspace.billing.support.StripeSubscriptionFixtures.price;
import static io.streamspace.billing.support.StripeSubscriptionFixtures.subscription;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.billing.support.StripeSubscriptionFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.HttpMethod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stripe Billing's plan fee (config {@code stripeCollection} {@code stripe_invoices}) with the
 * real stripe-java client against WireMock and Stripe-signed events: the plan Checkout in
 * subscription mode on the plan's Price, its completion storing the Subscription and changing
 * the plan, then {@code customer.subscription.updated} (a Customer Portal change) and {@code
 * customer.subscription.deleted}, once each and in Stripe's order whatever the delivery's. dan is
 * on Pro (29.99) from March 1; changes happen at March 16 12:34:56.
 */
class StripeSubscriptionsTest {

  private static final Instant CHANGE = at("2026-03-16T12:34:56Z");

  private final WireMockServer stripe = new WireMockServer(options().dynamicPort());
  private BillingHarness billing;

  @BeforeEach
  void start() {
    stripe.start();
    billing =
        StripeSubscriptionFixtures.danOnPro(
            StripeSubscriptionFixtures.STRIPE_INVOICES, stripe, CHANGE);
  }

  @AfterEach
  void stop() {
    billing.close();
    stripe.stop();
  }

  private void deliver(String payload) {
    StripeSigning.delivered(billing, StripeSubscriptionFixtures.SECRET, payload);
  }

  private String planOfDan() {
    return StripeSubscriptionFixtures.planOfDan(billing);
  }

  private long changesPublished() {
    return billing.context.published().stream()
        .filter(e -> e.startsWith("billing.subscription.changed "))
        .count();
  }

  /** The lines of dan's March invoice as its draft shows them. */
  private List<String> marchDraftLines() {
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:10:00Z");
    long id = (Long) value("SELECT id FROM billing_invoices WHERE user_id = 'dan'");
    JsonNode invoice = billing.call(HttpMethod.GET, "/invoices/" + id, user("dan")).body();
    List<String> lines = new ArrayList<>();
    invoice
        .get("lines")
        .forEach(l -> lines.add(l.get("kind").textValue() + " " + l.get("amount").decimalValue()));
    return lines;
  }

  /** dan's Subscription sub_1 on Pro, stored as its Checkout's completion an hour ago left it. */
  private static void subscribedToPro() {
    TestDatabase.execute(
        """
        INSERT INTO billing_stripe_subscriptions (subscription_id, account_id, plan_id, status,
            event_at, updated_at, started_at)
        VALUES ('sub_1', 'dan', 'pro', 'active', '2026-03-16T11:34:56Z',
            '2026-03-16T11:34:56Z', '2026-03-16T11:34:56Z')""");
  }

  private static String updated(String id, Instant created, String subscription) {
    return StripeSigning.updated(
        id, "customer.subscription.updated", created, subscription, "{\"items\": {}}");
  }

  private static String onPlan(String planId, long cents, boolean cancelAtPeriodEnd) {
    return subscription(
        "sub_1",
        "active",
        price("price_" + planId, planId, cents),
        cancelAtPeriodEnd,
        metadataOf("pro"));
  }

  @Test
  void thePlansSessionIsInSubscriptionModeOnItsPrice_namingTheAccountAndPlan() {
    StripeSubscriptionFixtures.enterprisePriceAtStripe(stripe);
    StripeSubscriptionFixtures.sessionCreated(stripe, "cs_sub_1", "subscription");

    assertEquals(200, checkout(billing, "enterprise"));

    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
            .withFormParam("mode", equalTo("subscription"))
            .withFormParam("line_items[0][price]", equalTo("price_ent"))
            .withFormParam("line_items[0][quantity]", equalTo("1"))
            .withFormParam("subscription_data[metadata][account_id]", equalTo("dan"))
            .withFormParam("subscription_data[metadata][plan_id]", equalTo("enterprise"))
            .withFormParam("metadata[account_id]", equalTo("dan"))
            .withFormParam("metadata[kind]", equalTo("plan"))
            .withFormParam("metadata[plan_id]", equalTo("enterprise"))
            .withFormParam("client_reference_id", equalTo("dan")));
    stripe.verify(0, postRequestedFor(urlPathMatching("/v1/prices.*")));
    assertEquals(
        List.of(List.of("cs_sub_1", "subscription", "enterprise", "pro", false, "open")),
        rows(
            """
            SELECT session_id, mode, plan_id, plan_id_then, locked_then, status
            FROM billing_checkout_sessions"""));
  }

  @Test
  void aPriceStripeLacksIsSyncedBeforeTheSession() {
    stripe.stubFor(
        get(urlPathEqualTo("/v1/prices"))
            .inScenario("catalog")
            .whenScenarioStateIs(STARTED)
            .willReturn(okJson("{\"object\": \"list\", \"data\": [], \"has_more\": false}")));
    stripe.stubFor(
        get(urlPathEqualTo("/v1/prices"))
            .inScenario("catalog")
            .whenScenarioStateIs("created")
            .willReturn(
                okJson(
                    "{\"object\": \"list\", \"has_more\": false, \"data\": [%s]}"
                        .formatted(price("price_ent_new", "enterprise", 9999)))));
    stripe.stubFor(
        get(urlEqualTo("/v1/products/ss_plan_enterprise"))
            .willReturn(
                aResponse()
                    .withStatus(404)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"error\": {\"type\": \"invalid_request_error\","
                            + " \"code\": \"resource_missing\", \"message\": \"No such product\"}}")));
    stripe.stubFor(
        post(urlEqualTo("/v1/products"))
            .willReturn(
                okJson(
                    "{\"id\": \"ss_plan_enterprise\", \"object\": \"product\", \"name\":"
                        + " \"Enterprise\", \"active\": true, \"metadata\": {}}")));
    stripe.stubFor(
        post(urlEqualTo("/v1/prices"))
            .inScenario("catalog")
            .willSetStateTo("created")
            .willReturn(okJson(price("price_ent_new", "enterprise", 9999))));
    StripeSubscriptionFixtures.sessionCreated(stripe, "cs_sub_1", "subscription");

    assertEquals(200, checkout(billing, "enterprise"));

    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/prices"))
            .withFormParam("lookup_key", equalTo("ss_plan_enterprise_usd"))
            .withFormParam("unit_amount", equalTo("9999"))
            .withFormParam("recurring[interval]", equalTo("month")));
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
            .withFormParam("line_items[0][price]", equalTo("price_ent_new")));
  }

  @Test
  void itsCompletionStoresTheSubscriptionAndChangesThePlanProratedAsPutSubscription() {
    StripeSubscriptionFixtures.enterprisePriceAtStripe(stripe);
    StripeSubscriptionFixtures.sessionCreated(stripe, "cs_sub_1", "subscription");
    checkout(billing, "enterprise");

    deliver(
        event(
            "evt_1",
            "checkout.session.completed",
            CHANGE,
            StripeSubscriptionFixtures.subscriptionSession("cs_sub_1", "enterprise", "sub_1")));

    assertEquals("enterprise", planOfDan());
    assertEquals(
        List.of(List.of("sub_1", "dan", "enterprise", "active")),
        rows(
            "SELECT subscription_id, account_id, plan_id, status FROM billing_stripe_subscriptions"));
    assertEquals("applied", value("SELECT status FROM billing_checkout_sessions"));
    // as PUT /subscription at the same instant: Pro to March 16 12:34:56, Enterprise after
    assertEquals(List.of("plan_fee 15.02", "plan_fee 49.92"), marchDraftLines());
  }

  /** While Stripe charges the plan fee, our plan changes only through the Customer Portal. */
  @Test
  void aPlanChangeThroughPutSubscriptionIsRefusedWhileAStripeSubscriptionChargesThePlan() {
    subscribedToPro();

    BillingHarness.Answer answer =
        billing.call(
            io.streamspace.plugin.api.http.HttpMethod.PUT,
            "/subscription",
            user("dan"),
            "{\"plan_id\": \"enterprise\"}");

    assertEquals(409, answer.status(), answer.toString());
    assertEquals("subscription_exists", answer.body().at("/error/code").asText());
    assertEquals("pro", planOfDan());
  }

  /**
   * Back on payment_intents, dan's Subscription still charges Pro: a setup-mode session would
   * move him to Enterprise while Stripe went on charging Pro's fee.
   */
  @Test
  void aPlanCheckoutIsRefusedWhileAStripeSubscriptionChargesThePlan_evenBackOnPaymentIntents() {
    billing.context.setConfigJson(StripeSubscriptionFixtures.PAYMENT_INTENTS);
    billing.billing.onConfigChanged(billing.context);
    subscribedToPro();
    StripeSubscriptionFixtures.sessionCreated(stripe, "cs_setup", "setup");

    assertEquals(409, StripeSubscriptionFixtures.checkout(billing, "enterprise"));

    stripe.verify(0, postRequestedFor(urlEqualTo("/v1/checkout/sessions")));
    assertEquals("pro", planOfDan());
  }

  @Test
  void aPortalUpgradeMovesThePlanProratedAsPutSubscription_byThePricesLookupKey() {
    subscribedToPro();

    deliver(updated("evt_1", CHANGE.minusSeconds(5), onPlan("enterprise", 9999, false)));

    assertEquals("enterprise", planOfDan());
    assertEquals(1, changesPublished());
    assertEquals("enterprise", value("SELECT plan_id FROM billing_stripe_subscriptions"));
    assertEquals(List.of("plan_fee 15.02", "plan_fee 49.92"), marchDraftLines());
  }

  @Test
  void aCancellationAtPeriodEndIsRecorded_thePlanKeptUntilTheSubscriptionEnds() {
    subscribedToPro();

    deliver(updated("evt_1", CHANGE.minusSeconds(5), onPlan("pro", 2999, true)));

    assertEquals("pro", planOfDan());
    assertEquals(0, changesPublished());
    assertEquals(
        List.of(List.of(true, Instant.ofEpochSecond(1775001600).toString())),
        rows(
            """
            SELECT cancel_at_period_end, to_char(current_period_end AT TIME ZONE 'UTC',
                'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            FROM billing_stripe_subscriptions"""));
  }

  @Test
  void itsDeletionMovesTheOrganizationToTheFreePlan_once() {
    subscribedToPro();
    String deleted =
        event(
            "evt_1",
            "customer.subscription.deleted",
            CHANGE,
            subscription(
                "sub_1", "canceled", price("price_pro", "pro", 2999), false, metadataOf("pro")));

    deliver(deleted);
    deliver(deleted);

    assertEquals("free", planOfDan());
    assertEquals(1, changesPublished());
    assertEquals("canceled", value("SELECT status FROM billing_stripe_subscriptions"));
    assertEquals(List.of("plan_fee 15.02", "plan_fee 0.00"), marchDraftLines());
  }

  @Test
  void anOlderUpdateDeliveredAfterANewerOne_orAReplay_changesNothing() {
    subscribedToPro();
    String upgrade = updated("evt_new", CHANGE.minusSeconds(10), onPlan("enterprise", 9999, false));
    deliver(upgrade);

    deliver(updated("evt_old", CHANGE.minusSeconds(60), onPlan("pro", 2999, true)));
    deliver(upgrade);

    assertEquals("enterprise", planOfDan());
    assertEquals(1, changesPublished());
    assertEquals(
        List.of(List.of("enterprise", false)),
        rows("SELECT plan_id, cancel_at_period_end FROM billing_stripe_subscriptions"));
  }

  @Test
  void anUpdateAfterTheDeletionChangesNothing_theDeletionIsFinal() {
    subscribedToPro();
    deliver(
        event(
            "evt_1",
            "customer.subscription.deleted",
            CHANGE.minusSeconds(60),
            subscription(
                "sub_1", "canceled", price("price_pro", "pro", 2999), false, metadataOf("pro"))));

    deliver(updated("evt_2", CHANGE.minusSeconds(10), onPlan("enterprise", 9999, false)));

    assertEquals("free", planOfDan());
    assertEquals("canceled", value("SELECT status FROM billing_stripe_subscriptions"));
  }

  @Test
  void aSubscriptionNotOurs_unknownOrWithoutItsAccount_isAnswered200AndIgnored() {
    subscribedToPro();

    deliver(
        updated(
            "evt_1",
            CHANGE,
            subscription(
                "sub_other",
                "active",
                price("price_ent", "enterprise", 9999),
                false,
                metadataOf("pro"))));
    deliver(
        updated(
            "evt_2",
            CHANGE,
            subscription("sub_1", "active", price("price_ent", "enterprise", 9999), false, "{}")));
    deliver(
        event(
            "evt_3",
            "customer.subscription.deleted",
            CHANGE,
            subscription("sub_1", "canceled", price("price_pro", "pro", 2999), false, "{}")));

    assertEquals("pro", planOfDan());
    assertEquals(
        List.of(List.of("pro", "active")),
        rows("SELECT plan_id, status FROM billing_stripe_subscriptions"));
  }
}

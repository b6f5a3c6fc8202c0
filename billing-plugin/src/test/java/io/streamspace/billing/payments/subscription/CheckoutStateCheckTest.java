package io.streamspace.billing.payments.subscription;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.tableContents;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.StripeSigning.event;
import static io.streamspace.billing.support.StripeSubscriptionFixtures.checkout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.streamspace.billing.jobs.CollectPaymentsJob;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.billing.support.StripeSubscriptionFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobRun;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The state check of a plan Checkout Session at its completion, with the real stripe-java client
 * against WireMock and Stripe-signed events: dan (on Pro) asks for Enterprise at 10:00; by the
 * completion at 12:34:56 he changed plan or was locked for non-payment, so the session is refused
 * with a record (its row, an audit entry, {@code billing.checkout.refused}) and nothing applied;
 * in subscription mode the Subscription Stripe started is cancelled and its first payment
 * refunded, under idempotency keys, once.
 */
class CheckoutStateCheckTest {

  private static final Instant ASKED = at("2026-03-16T10:00:00Z");
  private static final Instant COMPLETED = at("2026-03-16T12:34:56Z");

  private final WireMockServer stripe = new WireMockServer(options().dynamicPort());
  private BillingHarness billing;

  @BeforeEach
  void start() {
    stripe.start();
  }

  @AfterEach
  void stop() {
    billing.close();
    stripe.stop();
  }

  private void danAsksForEnterprise(String config, String session, String mode) {
    billing = StripeSubscriptionFixtures.danOnPro(config, stripe, ASKED);
    StripeSubscriptionFixtures.enterprisePriceAtStripe(stripe);
    StripeSubscriptionFixtures.sessionCreated(stripe, session, mode);
    assertEquals(200, checkout(billing, "enterprise"));
  }

  private void danMovesToFreeMeanwhile() {
    billing.clock.set(ASKED.plusSeconds(600));
    Answer put =
        billing.call(HttpMethod.PUT, "/subscription", user("dan"), "{\"plan_id\": \"free\"}");
    assertEquals(200, put.status(), put.toString());
  }

  private void deliver(String payload) {
    billing.clock.set(COMPLETED);
    StripeSigning.delivered(billing, StripeSubscriptionFixtures.SECRET, payload);
  }

  private void completeTheSetupSession() {
    deliver(
        event(
            "evt_1",
            "checkout.session.completed",
            COMPLETED,
            StripeSubscriptionFixtures.setupSession("cs_plan_1", "enterprise")));
  }

  private String planOfDan() {
    return StripeSubscriptionFixtures.planOfDan(billing);
  }

  private List<String> published(String type) {
    return billing.context.published().stream().filter(e -> e.startsWith(type + " ")).toList();
  }

  private static String refusal() {
    return (String) value("SELECT refusal FROM billing_checkout_sessions WHERE status = 'refused'");
  }

  private String auditedRefusal() {
    Answer audit =
        billing.call(
            HttpMethod.GET, "/admin/audit?kind=checkout.refused", BillingHarness.admin("root"));
    assertEquals(200, audit.status(), audit.toString());
    assertEquals(1, audit.body().get("entries").size(), audit.toString());
    return audit.body().get("entries").get(0).at("/after/reason").textValue();
  }

  @Test
  void aSetupSessionCompletedAfterThePlanChangedIsRefusedWithARecord_nothingApplied() {
    danAsksForEnterprise(StripeSubscriptionFixtures.PAYMENT_INTENTS, "cs_plan_1", "setup");
    danMovesToFreeMeanwhile();
    Map<String, String> before = tableContents();

    completeTheSetupSession();

    assertEquals("free", planOfDan());
    assertEquals(before.get("billing_subscriptions"), tableContents().get("billing_subscriptions"));
    assertEquals(
        "the organization changed plan since the session was created (from Pro to Hobby)",
        refusal());
    assertEquals(refusal(), auditedRefusal());
    assertEquals(
        "nothing: the session saved a payment method and took no money",
        value("SELECT given_back FROM billing_checkout_sessions"));
    assertEquals(1, published("billing.checkout.refused").size());
    assertEquals(1, published("billing.subscription.changed").size(), "the PUT's only");
  }

  @Test
  void aSessionCompletedWhileTheOrganizationIsLockedIsRefused() {
    danAsksForEnterprise(StripeSubscriptionFixtures.PAYMENT_INTENTS, "cs_plan_1", "setup");
    TestDatabase.execute(
        """
        INSERT INTO billing_account_holds (user_id, reason, detail, placed_at)
        VALUES ('dan', 'non_payment', 'Invoice INV-1 is unpaid.', '2026-03-16T11:00:00Z')""");

    completeTheSetupSession();

    assertEquals("pro", planOfDan());
    assertEquals("the organization is locked for non-payment: Invoice INV-1 is unpaid.", refusal());
    assertEquals(0, published("billing.subscription.changed").size());
  }

  @Test
  void aSessionOnThePlanItWasCreatedFromIsApplied() {
    danAsksForEnterprise(StripeSubscriptionFixtures.PAYMENT_INTENTS, "cs_plan_1", "setup");

    completeTheSetupSession();

    assertEquals("enterprise", planOfDan());
    assertEquals("applied", value("SELECT status FROM billing_checkout_sessions"));
    assertEquals(0, published("billing.checkout.refused").size());
  }

  private void stripeUndoes() {
    stripe.stubFor(
        delete(urlPathEqualTo("/v1/subscriptions/sub_1"))
            .willReturn(
                okJson(
                    """
                    {"id": "sub_1", "object": "subscription", "status": "canceled",
                     "customer": "cus_dan", "latest_invoice": "in_1", "created": 1773655200,
                     "livemode": false, "metadata": {"account_id": "dan",
                     "plan_id": "enterprise"}}""")));
    StripeSubscriptionFixtures.firstInvoicePaid(stripe);
  }

  private void refundAnswers(int status) {
    StripeSubscriptionFixtures.refundAnswers(stripe, status);
  }

  private String completedSubscriptionSession(String eventId) {
    return event(
        eventId,
        "checkout.session.completed",
        COMPLETED,
        StripeSubscriptionFixtures.subscriptionSession("cs_sub_1", "enterprise", "sub_1"));
  }

  @Test
  void aSubscriptionSessionOfAnOrganizationNoLongerBilledIsCancelledAndRefunded() {
    danAsksForEnterprise(StripeSubscriptionFixtures.STRIPE_INVOICES, "cs_sub_1", "subscription");
    stripeUndoes();
    refundAnswers(200);

    // the session names an organization deleted since it was created
    deliver(
        completedSubscriptionSession("evt_1")
            .replace("\"account_id\": \"dan\"", "\"account_id\": \"gone\""));

    stripe.verify(1, deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/sub_1")));
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withFormParam("payment_intent", equalTo("pi_1")));
    assertEquals("no billing account gone", auditedRefusal());
    assertEquals(
        "canceled",
        value("SELECT status FROM billing_stripe_subscriptions WHERE subscription_id = 'sub_1'"));
    assertEquals("pro", planOfDan(), "dan's own plan is not the session's to move");
  }

  /**
   * Completed a minute after dan's organization closed, but applied before the closing was known
   * here (the host's org.deleted came after Stripe's event): dan moved to Enterprise. The next
   * collect-payments cancels the Subscription and refunds its first payment, as the completion
   * would have been refused had the closing come first.
   */
  @Test
  void
      aSubscriptionSessionAppliedBeforeItsOrganizationsEarlierClosingWasKnownIsUndoneByCollectPayments() {
    danAsksForEnterprise(StripeSubscriptionFixtures.STRIPE_INVOICES, "cs_sub_1", "subscription");
    deliver(completedSubscriptionSession("evt_1"));
    assertEquals("enterprise", planOfDan());
    value(
        "UPDATE billing_accounts SET closed_at = ? WHERE user_id = 'dan' RETURNING 1",
        Timestamp.from(COMPLETED.minusSeconds(60)));
    stripeUndoes();
    refundAnswers(200);

    JobRun run = billing.runAt(CollectPaymentsJob.NAME, "2026-03-16T12:40:00Z");

    assertEquals(JobOutcome.SUCCEEDED, run.outcome(), run.toString());
    assertTrue(run.message().contains("given back 1, failed 0"), run.message());
    stripe.verify(
        1,
        deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/sub_1"))
            .withHeader("Idempotency-Key", equalTo("ss-refused-cs_sub_1-cancel")));
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withFormParam("payment_intent", equalTo("pi_1")));
    assertEquals("organization dan was closed at 2026-03-16T12:33:56Z", auditedRefusal());
    assertEquals(
        "canceled",
        value("SELECT status FROM billing_stripe_subscriptions WHERE subscription_id = 'sub_1'"));
    assertEquals("organization dan was closed at 2026-03-16T12:33:56Z", refusal());
  }

  @Test
  void aSubscriptionSessionRefusedIsCancelledAndItsFirstPaymentRefunded_once() {
    danAsksForEnterprise(StripeSubscriptionFixtures.STRIPE_INVOICES, "cs_sub_1", "subscription");
    danMovesToFreeMeanwhile();
    stripeUndoes();
    refundAnswers(200);

    deliver(completedSubscriptionSession("evt_1"));
    deliver(completedSubscriptionSession("evt_1"));
    deliver(completedSubscriptionSession("evt_2"));

    assertEquals("free", planOfDan());
    stripe.verify(
        1,
        deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/sub_1"))
            .withQueryParam("prorate", equalTo("false"))
            .withHeader("Idempotency-Key", equalTo("ss-refused-cs_sub_1-cancel")));
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withFormParam("payment_intent", equalTo("pi_1"))
            .withHeader("Idempotency-Key", equalTo("ss-refused-cs_sub_1-refund")));
    assertEquals(
        List.of(
            List.of(
                "refused",
                "subscription sub_1 cancelled; payment pi_1 of invoice in_1 refunded in full"
                    + " (9999 usd)")),
        rows("SELECT status, given_back FROM billing_checkout_sessions"));
    assertEquals(
        List.of(
            List.of(
                "the organization changed plan since the session was created (from Pro to Hobby)",
                "subscription sub_1 cancelled; payment pi_1 of invoice in_1 refunded in full"
                    + " (9999 usd)")),
        rows("SELECT refusal, given_back FROM billing_stripe_checkouts"),
        "the session's row says so too: collect-payments' sweep does not find it again");
    assertEquals(
        "canceled",
        value("SELECT status FROM billing_stripe_subscriptions WHERE subscription_id = 'sub_1'"));
    assertEquals(1, published("billing.checkout.refused").size());
  }

  @Test
  void aRefundStripeFailsIsRetriedByTheRedelivery_recordedOnlyOnceDone() {
    danAsksForEnterprise(StripeSubscriptionFixtures.STRIPE_INVOICES, "cs_sub_1", "subscription");
    danMovesToFreeMeanwhile();
    stripeUndoes();
    refundAnswers(500);
    String payload = completedSubscriptionSession("evt_1");
    billing.clock.set(COMPLETED);

    AssertionError failed =
        assertThrows(
            AssertionError.class,
            () ->
                billing.call(
                    HttpMethod.POST,
                    "/webhook",
                    Caller.ANONYMOUS,
                    payload,
                    Map.of(
                        "stripe-signature",
                        StripeSigning.header(
                            StripeSubscriptionFixtures.SECRET, COMPLETED, payload))));

    assertTrue(failed.getMessage().contains("the host would answer 500"), failed.getMessage());
    assertEquals("open", value("SELECT status FROM billing_checkout_sessions"));
    assertEquals(0L, value("SELECT count(*) FROM billing_stripe_events"));

    refundAnswers(200);
    deliver(payload);

    assertEquals("refused", value("SELECT status FROM billing_checkout_sessions"));
    assertEquals("free", planOfDan());
  }
}

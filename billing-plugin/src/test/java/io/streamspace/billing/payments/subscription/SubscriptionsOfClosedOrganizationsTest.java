package io.streamspace.billing.payments.subscription;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.billing.jobs.CollectPaymentsJob;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.billing.support.StripeSubscriptionFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.OrganizationEvent.Organization;
import io.streamspace.plugin.api.event.OrganizationEvent.Type;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Stripe Subscription an organization started before its closing, with the real stripe-java
 * client against WireMock: collect-payments cancels it at Stripe, once, and refunds what it paid
 * for its period after the closing. acme's subscription sub_1 paid 99.99 USD (9,999 cents) on
 * invoice in_1 for March 2026 (31 days); acme closed on 21 March at 00:00, with 11 of the 31 days
 * left: 9,999 × 11 / 31 = 3,548.03, refunded 3,548 cents.
 */
class SubscriptionsOfClosedOrganizationsTest {

  private final WireMockServer stripe = new WireMockServer(options().dynamicPort());
  private final BillingHarness billing =
      new BillingHarness(
          at("2026-03-01T00:00:00Z"),
          "{\"stripeEnabled\": true, \"stripeCollection\": \"stripe_invoices\"}");

  @BeforeEach
  void start() {
    stripe.start();
    billing.context.setSecret("STRIPE_SECRET_KEY", "sk_test_closed");
    StripeTestEndpoint.pointAt(billing.billing, stripe.baseUrl());
    billing.billing.onOrganizationEvent(
        billing.context,
        new OrganizationEvent(
            "o-acme-created",
            at("2026-03-01T00:00:00Z"),
            Type.CREATED,
            "acme",
            new Organization("Acme", "u1", "USD", "free"),
            null));
    billing.flush();
    // as a plan Checkout's completion stores it (StripeSubscriptions.store)
    TestDatabase.execute(
        """
        INSERT INTO billing_stripe_subscriptions (subscription_id, account_id, plan_id, status,
            current_period_end, event_at, updated_at, started_at)
        VALUES ('sub_1', 'acme', 'pro', 'active', '2026-04-01T00:00:00Z',
            '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z')""");
    stripeCancelsAndShowsTheInvoice();
    stripeRefunds(200);
    refundsOfThePayment();
  }

  @AfterEach
  void stop() {
    billing.close();
    stripe.stop();
  }

  private void stripeCancelsAndShowsTheInvoice() {
    stripe.stubFor(
        delete(urlPathEqualTo("/v1/subscriptions/sub_1")).willReturn(okJson(sub1(null))));
    StripeSubscriptionFixtures.firstInvoicePaid(stripe);
  }

  /**
   * sub_1 as Stripe shows it once cancelled, March paid ahead; {@code comment} the cancellation's
   * (none when null).
   */
  private static String sub1(String comment) {
    return sub1("canceled", comment);
  }

  private static String sub1(String status, String comment) {
    return """
        {"id": "sub_1", "object": "subscription", "status": "%s",
         "customer": "cus_acme", "latest_invoice": "in_1", "created": 1772323200,
         "livemode": false, "metadata": {"account_id": "acme", "plan_id": "pro"},
         "cancellation_details": {"comment": %s, "feedback": null,
          "reason": "cancellation_requested"},
         "items": {"object": "list", "has_more": false, "url": "/v1/subscription_items",
          "data": [{"id": "si_1", "object": "subscription_item", "quantity": 1,
           "current_period_start": 1772323200, "current_period_end": 1775001600}]}}"""
        .formatted(status, comment == null ? "null" : "\"" + comment + "\"");
  }

  /** Stripe's answer of an error: {@code error}, the members of its {@code error} object. */
  private static ResponseDefinitionBuilder stripeError(int status, String error) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"error\": {" + error + "}}");
  }

  /** Stripe lists the refunds of pi_1: {@code refunds}, as {@link #refund} writes them. */
  private void refundsOfThePayment(String... refunds) {
    stripe.stubFor(
        get(urlPathEqualTo("/v1/refunds"))
            .willReturn(
                okJson(
                    """
                    {"object": "list", "has_more": false, "url": "/v1/refunds", "data": [%s]}"""
                        .formatted(String.join(",", refunds)))));
  }

  /** A refund of pi_1, {@code ours} when its metadata names sub_1's closing. */
  private static String refund(String id, long amount, String status, boolean ours) {
    return """
        {"id": "%s", "object": "refund", "amount": %d, "currency": "usd",
         "payment_intent": "pi_1", "status": "%s", "created": 1774051260, "metadata": %s}"""
        .formatted(id, amount, status, ours ? "{\"ss_closed_subscription\": \"sub_1\"}" : "{}");
  }

  private void stripeRefunds(int status) {
    StripeSubscriptionFixtures.refundAnswers(stripe, status);
  }

  private void stripeAnswersTheCancelledSubscriptionAsMissing() {
    stripe.stubFor(
        delete(urlPathEqualTo("/v1/subscriptions/sub_1"))
            .willReturn(
                stripeError(
                    404,
                    """
                    "type": "invalid_request_error", "code": "resource_missing", "param": "id",
                    "message": "No such subscription: 'sub_1'\"""")));
    stripe.stubFor(
        get(urlPathEqualTo("/v1/subscriptions/sub_1"))
            .willReturn(okJson(sub1("ss-closed: the organization was closed"))));
  }

  /** Stripe refuses the cancel, as it does a subscription that has ended; it shows {@code status}. */
  private void stripeRefusesTheCancelAndShows(String status) {
    stripe.stubFor(
        delete(urlPathEqualTo("/v1/subscriptions/sub_1"))
            .willReturn(
                stripeError(
                    400,
                    """
                    "type": "invalid_request_error",
                    "message": "This subscription cannot be canceled.\"""")));
    stripe.stubFor(
        get(urlPathEqualTo("/v1/subscriptions/sub_1")).willReturn(okJson(sub1(status, null))));
  }

  private void acmeDeletedAt(String at) {
    billing.billing.onOrganizationEvent(
        billing.context,
        new OrganizationEvent("o-acme-deleted", at(at), Type.DELETED, "acme", null, null));
    billing.flush();
  }

  private String collectPayments(String now) {
    JobRun run = billing.runAt(CollectPaymentsJob.NAME, now);
    assertEquals(JobOutcome.SUCCEEDED, run.outcome(), run.toString());
    return run.message();
  }

  /** The run at {@code first} ends the subscription; the run at {@code then} finds nothing. */
  private void endedOnceThenNothingLeft(String first, String then) {
    String message = collectPayments(first);
    String again = collectPayments(then);
    assertTrue(
        message.contains("subscriptions of closed organizations: cancelled 1, failed 0"), message);
    assertFalse(again.contains("subscriptions"), again);
  }

  private static Object status() {
    return value("SELECT status FROM billing_stripe_subscriptions WHERE subscription_id = 'sub_1'");
  }

  private JsonNode auditedCancellations() {
    Answer audit =
        billing.call(
            HttpMethod.GET,
            "/admin/audit?kind=subscription.cancelled",
            BillingHarness.admin("root"));
    assertEquals(200, audit.status(), audit.toString());
    return audit.body().get("entries");
  }

  @Test
  void aClosedOrganizationsSubscriptionIsCancelledOnce_andWhatItPaidAfterTheClosingRefunded() {
    assertFalse(collectPayments("2026-03-20T00:00:00Z").contains("subscriptions"));
    stripe.verify(0, deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/sub_1")));

    acmeDeletedAt("2026-03-21T00:00:00Z");
    endedOnceThenNothingLeft("2026-03-21T00:01:00Z", "2026-03-21T00:02:00Z");

    stripe.verify(
        1,
        deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/sub_1"))
            .withQueryParam("prorate", equalTo("false"))
            .withQueryParam(
                "cancellation_details[comment]", equalTo("ss-closed: the organization was closed"))
            .withHeader("Idempotency-Key", equalTo("ss-closed-sub_1-cancel")));
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withFormParam("payment_intent", equalTo("pi_1"))
            .withFormParam("amount", equalTo("3548"))
            .withFormParam("metadata[ss_closed_subscription]", equalTo("sub_1"))
            .withHeader("Idempotency-Key", equalTo("ss-closed-sub_1-refund")));
    assertEquals("canceled", status());
    JsonNode entries = auditedCancellations();
    assertEquals(1, entries.size(), entries.toString());
    assertEquals("acme", entries.get(0).get("org_id").textValue(), entries.toString());
    assertEquals(
        "subscription sub_1 cancelled; 3548 of the 9999 usd paid by pi_1 (invoice in_1)"
            + " refunded: its period's part after the closing, 2026-03-21T00:00:00Z to"
            + " 2026-04-01T00:00:00Z",
        entries.get(0).at("/after/given_back").textValue());
  }

  /**
   * The refund fails after the cancel went through at Stripe; Stripe's
   * customer.subscription.deleted then marks the subscription cancelled here, and a day later
   * Stripe answers our cancel as missing. The next run still finds it (nothing was given back),
   * knows the cancel for its own by its comment, and refunds once.
   */
  @Test
  void aRefundThatFailedIsMadeByALaterRun_afterTheDeletionWasAppliedAndStripeForgotTheKey() {
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", StripeSubscriptionFixtures.SECRET);
    acmeDeletedAt("2026-03-21T00:00:00Z");
    stripeRefunds(500);

    String failed = collectPayments("2026-03-21T00:01:00Z");

    assertTrue(
        failed.contains("subscriptions of closed organizations: cancelled 0, failed 1"), failed);
    assertEquals("active", status());
    assertEquals(0, auditedCancellations().size());

    billing.clock.set(at("2026-03-21T00:01:30Z"));
    StripeSigning.delivered(
        billing,
        StripeSubscriptionFixtures.SECRET,
        StripeSigning.event(
            "evt_deleted",
            "customer.subscription.deleted",
            at("2026-03-21T00:01:05Z"),
            StripeSubscriptionFixtures.subscription(
                "sub_1",
                "canceled",
                StripeSubscriptionFixtures.price("price_pro", "pro", 9999),
                false,
                "{\"account_id\": \"acme\", \"plan_id\": \"pro\"}")));
    assertEquals("canceled", status());
    stripeAnswersTheCancelledSubscriptionAsMissing();
    stripeRefunds(200);

    String done = collectPayments("2026-03-22T00:02:00Z");

    assertTrue(done.contains("subscriptions of closed organizations: cancelled 1, failed 0"), done);
    assertEquals(1, auditedCancellations().size());
    assertTrue(
        auditedCancellations()
            .get(0)
            .at("/after/given_back")
            .textValue()
            .startsWith("subscription sub_1 cancelled; 3548 of the 9999 usd paid by pi_1"),
        auditedCancellations().toString());
    int refunds = stripe.findAll(postRequestedFor(urlEqualTo("/v1/refunds"))).size();
    assertTrue(refunds >= 2, "the failed try and the one that went through: " + refunds);
    assertEquals(
        refunds,
        stripe
            .findAll(
                postRequestedFor(urlEqualTo("/v1/refunds"))
                    .withHeader("Idempotency-Key", equalTo("ss-closed-sub_1-refund")))
            .size());
  }

  /** A refund of ours on the payment already (its commit here failed): none is made again. */
  @Test
  void aRefundOfOursFoundOnThePaymentIsNotMadeAgain() {
    acmeDeletedAt("2026-03-21T00:00:00Z");
    refundsOfThePayment(
        refund("re_1", 3548, "succeeded", true), refund("re_d9", 8000, "succeeded", false));

    String message = collectPayments("2026-03-21T00:01:00Z");

    assertTrue(
        message.contains("subscriptions of closed organizations: cancelled 1, failed 0"), message);
    stripe.verify(0, postRequestedFor(urlEqualTo("/v1/refunds")));
    assertEquals("canceled", status());
    // what ours refunded, whatever the Dashboard refunded since
    assertTrue(
        auditedCancellations()
            .get(0)
            .at("/after/given_back")
            .textValue()
            .contains("; 3548 of the 9999 usd paid by pi_1 (invoice in_1) refunded"),
        auditedCancellations().toString());
  }

  /**
   * A refund of ours that Stripe failed (a closed card) gives nothing back: the retry refunds
   * again, under a key of its own, as Stripe would answer the first key with the failed refund.
   */
  @Test
  void aRefundOfOursThatFailedAtStripe_isMadeAgainUnderAKeyOfItsOwn() {
    acmeDeletedAt("2026-03-21T00:00:00Z");
    refundsOfThePayment(refund("re_1", 3548, "failed", true));

    String message = collectPayments("2026-03-21T00:01:00Z");

    assertTrue(
        message.contains("subscriptions of closed organizations: cancelled 1, failed 0"), message);
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withFormParam("amount", equalTo("3548"))
            .withHeader("Idempotency-Key", equalTo("ss-closed-sub_1-refund-2")));
  }

  /**
   * The closing's refund went through, then failed at Stripe days later (a closed card): its
   * refund.failed, delivered signed, has the next run give back again, once, under a key of its
   * own. Another refund's failure changes nothing.
   */
  @Test
  void aRefundThatFailsAfterItWasMade_isMadeAgainByTheNextRun_once() {
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", StripeSubscriptionFixtures.SECRET);
    acmeDeletedAt("2026-03-21T00:00:00Z");
    collectPayments("2026-03-21T00:01:00Z");
    billing.clock.set(at("2026-03-23T00:00:00Z"));
    StripeSigning.delivered(
        billing,
        StripeSubscriptionFixtures.SECRET,
        StripeSigning.event(
            "evt_other_refund_failed",
            "refund.failed",
            at("2026-03-22T08:00:00Z"),
            """
            {"id": "re_other", "object": "refund", "amount": 500, "currency": "usd",
             "payment_intent": "pi_other", "status": "failed", "metadata": {}}"""));
    assertFalse(collectPayments("2026-03-23T00:00:30Z").contains("subscriptions"));

    StripeSigning.delivered(
        billing,
        StripeSubscriptionFixtures.SECRET,
        StripeSigning.event(
            "evt_refund_failed",
            "refund.failed",
            at("2026-03-22T09:00:00Z"),
            refund("re_1", 3548, "failed", true)));
    refundsOfThePayment(refund("re_1", 3548, "failed", true));
    endedOnceThenNothingLeft("2026-03-23T00:01:00Z", "2026-03-23T00:02:00Z");

    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withHeader("Idempotency-Key", equalTo("ss-closed-sub_1-refund")));
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withFormParam("amount", equalTo("3548"))
            .withHeader("Idempotency-Key", equalTo("ss-closed-sub_1-refund-2")));
    assertEquals(2, auditedCancellations().size(), auditedCancellations().toString());
  }

  /**
   * The Dashboard refunded 80.00 of the 99.99 paid before the closing's run (another refund of
   * it failed): 35.48 is owed, 19.99 is left of the payment, and 19.99 is refunded.
   */
  @Test
  void refundsOthersMadeOfThePaymentComeFirst_soOnlyWhatIsLeftOfItIsRefunded() {
    acmeDeletedAt("2026-03-21T00:00:00Z");
    refundsOfThePayment(
        refund("re_d1", 9999, "failed", false), refund("re_d2", 8000, "succeeded", false));

    String message = collectPayments("2026-03-21T00:01:00Z");

    assertTrue(
        message.contains("subscriptions of closed organizations: cancelled 1, failed 0"), message);
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withFormParam("payment_intent", equalTo("pi_1"))
            .withFormParam("amount", equalTo("1999")));
    assertTrue(
        auditedCancellations()
            .get(0)
            .at("/after/given_back")
            .textValue()
            .endsWith("; 3548 owed, 1999 left of the payment after earlier refunds"),
        auditedCancellations().toString());
  }

  /** The Dashboard refunded the whole payment: the subscription is cancelled, nothing refunded. */
  @Test
  void aPaymentOthersRefundedInFull_isNotRefundedAgain() {
    acmeDeletedAt("2026-03-21T00:00:00Z");
    refundsOfThePayment(refund("re_d3", 9999, "succeeded", false));

    String message = collectPayments("2026-03-21T00:01:00Z");

    assertTrue(
        message.contains("subscriptions of closed organizations: cancelled 1, failed 0"), message);
    stripe.verify(0, postRequestedFor(urlEqualTo("/v1/refunds")));
    assertEquals("canceled", status());
    assertEquals(
        "subscription sub_1 cancelled; payment pi_1 refunded in full already by others: nothing"
            + " to refund",
        auditedCancellations().get(0).at("/after/given_back").textValue());
  }

  /**
   * acme paid a plan Checkout after its closing, applied before the closing was known: that
   * subscription is given back in full by the Checkout's sweep, and this one leaves it alone.
   */
  @Test
  void aSubscriptionAPlanCheckoutPaidAfterTheClosingStartedIsGivenBackInFull_once() {
    TestDatabase.execute(
        """
        INSERT INTO billing_stripe_checkouts (session_id, account_id, kind, completed_at,
            applied_at)
        VALUES ('cs_plan_1', 'acme', 'plan', '2026-03-21T00:00:30Z', '2026-03-21T00:00:31Z')""");
    acmeDeletedAt("2026-03-21T00:00:00Z");

    String message = collectPayments("2026-03-21T00:01:00Z");
    collectPayments("2026-03-21T00:02:00Z");

    assertTrue(message.contains("given back 1, failed 0"), message);
    assertFalse(message.contains("subscriptions of closed organizations"), message);
    stripe.verify(
        1,
        deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/sub_1"))
            .withHeader("Idempotency-Key", equalTo("ss-refused-cs_plan_1-cancel")));
    stripe.verify(
        0,
        deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/sub_1"))
            .withHeader("Idempotency-Key", equalTo("ss-closed-sub_1-cancel")));
    assertEquals(
        "subscription sub_1 cancelled; payment pi_1 of invoice in_1 refunded in full (9999 usd)",
        value("SELECT given_back FROM billing_stripe_subscriptions"));
  }

  @Test
  void aSubscriptionCancelledAtStripeAlreadyIsMarkedSo_withNothingRefundedHere() {
    // cancelled in Stripe's Dashboard: no comment of ours
    stripeAnswersTheCancelledSubscriptionAsMissing();
    stripe.stubFor(get(urlPathEqualTo("/v1/subscriptions/sub_1")).willReturn(okJson(sub1(null))));
    acmeDeletedAt("2026-03-21T00:00:00Z");

    String message = collectPayments("2026-03-21T00:01:00Z");

    assertTrue(
        message.contains("subscriptions of closed organizations: cancelled 1, failed 0"), message);
    assertEquals("canceled", status());
    stripe.verify(0, postRequestedFor(urlEqualTo("/v1/refunds")));
    assertEquals(
        "subscription sub_1 cancelled already at Stripe: nothing refunded here",
        auditedCancellations().get(0).at("/after/given_back").textValue());
  }

  /**
   * Its first payment never went through and Stripe expired it (incomplete_expired): Stripe
   * refuses the cancel, and the subscription, which took nothing, is marked ended with nothing
   * refunded, instead of failing every run.
   */
  @Test
  void aSubscriptionThatExpiredUnpaid_isMarkedEndedWithNothingRefunded_notRetriedForever() {
    stripeRefusesTheCancelAndShows("incomplete_expired");
    acmeDeletedAt("2026-03-21T00:00:00Z");

    endedOnceThenNothingLeft("2026-03-21T00:01:00Z", "2026-03-21T00:02:00Z");

    stripe.verify(0, postRequestedFor(urlEqualTo("/v1/refunds")));
    assertEquals(
        "subscription sub_1 expired unpaid already at Stripe: nothing refunded here",
        auditedCancellations().get(0).at("/after/given_back").textValue());
  }

  /** A refusal of the cancel of a subscription that is still live is a failure, tried again. */
  @Test
  void aCancelStripeRefusesWhileTheSubscriptionIsLive_failsAndIsTriedAgain() {
    stripeRefusesTheCancelAndShows("active");
    acmeDeletedAt("2026-03-21T00:00:00Z");

    String message = collectPayments("2026-03-21T00:01:00Z");
    String again = collectPayments("2026-03-21T00:02:00Z");

    assertTrue(
        message.contains("subscriptions of closed organizations: cancelled 0, failed 1"), message);
    assertTrue(
        again.contains("subscriptions of closed organizations: cancelled 0, failed 1"), again);
    assertEquals(0, auditedCancellations().size());
  }
}

package io.streamspace.billing.payments.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.StripeSigning.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.billing.jobs.CollectPaymentsJob;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.StoreFixtures;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.billing.support.ThemeBundles;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.OrganizationEvent.Organization;
import io.streamspace.plugin.api.event.OrganizationEvent.Type;
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
 * A pack's or store item's Checkout Session that Stripe took a payment for, but whose purchase
 * cannot be granted at its completion, with the real stripe-java client against WireMock and
 * Stripe-signed events: the payment is refunded in full under one idempotency key, the session's
 * row says why and what was given back, a {@code checkout.refused} audit entry and {@code
 * billing.checkout.refused} record it, and nothing is granted. Never paid and left without what
 * was paid for. fay pays in USD; the sessions took 5.00 USD (500 cents) and 4.99 (499).
 */
class UngrantedCheckoutsTest {

  private static final String SECRET = "whsec_test_ungranted";
  private static final Instant PAID = at("2026-03-12T09:30:00Z");

  private final WireMockServer stripe = new WireMockServer(options().dynamicPort());
  private final BillingHarness billing =
      new BillingHarness(at("2026-03-10T00:00:00Z"), "{\"stripeEnabled\": true}");

  @BeforeEach
  void start() {
    stripe.start();
    billing.context.setSecret("STRIPE_SECRET_KEY", "sk_test_ungranted");
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", SECRET);
    StripeTestEndpoint.pointAt(billing.billing, stripe.baseUrl());
    billing.userCreated("fay", Map.of());
    billing.userCreated("ann", Map.of());
    billing.flush();
    billing.clock.set(PAID);
  }

  @AfterEach
  void stop() {
    billing.close();
    stripe.stop();
  }

  /** fay's paid session for the pack {@code packId}, in {@code currency}: 500 minor units. */
  private static String packSession(String packId, String currency) {
    return packSession("fay", packId, currency);
  }

  /** {@code account}'s paid session for the pack {@code packId}, in {@code currency}. */
  private static String packSession(String account, String packId, String currency) {
    String session =
        """
        {"id": "cs_pack_1", "object": "checkout.session", "mode": "payment",
         "status": "complete", "payment_status": "paid", "client_reference_id": "fay",
         "customer": "cus_fay", "currency": "%s", "amount_subtotal": 500, "amount_total": 500,
         "created": 1773307800, "expires_at": 1773394200, "livemode": false,
         "payment_intent": "pi_pack_1", "payment_method_types": ["card"], "setup_intent": null,
         "url": null, "success_url": "https://app.example.com/paid",
         "cancel_url": "https://app.example.com/cancel",
         "metadata": {"account_id": "%s", "kind": "pack", "pack_id": "%s"}}"""
            .formatted(currency, account, packId);
    return event("evt_pack_1", "checkout.session.completed", PAID, session);
  }

  private void stripeRefunds(String paymentIntent, int amount) {
    stripe.stubFor(
        post(urlEqualTo("/v1/refunds"))
            .willReturn(
                okJson(
                    """
                    {"id": "re_1", "object": "refund", "amount": %d, "currency": "usd",
                     "payment_intent": "%s", "status": "succeeded", "created": 1773307900}"""
                        .formatted(amount, paymentIntent))));
  }

  /** Stripe answers a refund with a 500. */
  private void stripeRefundsFail() {
    stripe.stubFor(
        post(urlEqualTo("/v1/refunds"))
            .willReturn(
                aResponse()
                    .withStatus(500)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"error\": {\"type\": \"api_error\", \"message\": \"down\"}}")));
  }

  private Answer deliver(String payload) {
    return billing.call(
        HttpMethod.POST,
        "/webhook",
        Caller.ANONYMOUS,
        payload,
        Map.of("stripe-signature", StripeSigning.header(SECRET, PAID, payload)));
  }

  private List<String> published(String type) {
    return billing.context.published().stream().filter(e -> e.startsWith(type + " ")).toList();
  }

  private JsonNode auditedRefusal() {
    Answer audit =
        billing.call(HttpMethod.GET, "/admin/audit?kind=checkout.refused", admin("root"));
    assertEquals(200, audit.status(), audit.toString());
    assertEquals(1, audit.body().get("entries").size(), audit.toString());
    return audit.body().get("entries").get(0);
  }

  @Test
  void aPackNoLongerSoldIsRefundedInFullOnce_recordedAuditedAndAnnounced_nothingGranted() {
    stripeRefunds("pi_pack_1", 500);

    assertEquals(200, deliver(packSession("slots-99", "usd")).status());
    assertEquals(200, deliver(packSession("slots-99", "usd")).status());

    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withFormParam("payment_intent", equalTo("pi_pack_1"))
            .withHeader("Idempotency-Key", equalTo("ss-refused-cs_pack_1-refund")));
    assertEquals(
        List.of(
            List.of(
                "pack slots-99 is no longer sold",
                "payment pi_pack_1 refunded in full (it took 500 usd)")),
        rows("SELECT refusal, given_back FROM billing_stripe_checkouts"));
    JsonNode entry = auditedRefusal();
    assertEquals("fay", entry.get("org_id").textValue(), entry.toString());
    assertEquals("stripe", entry.get("actor_type").textValue());
    assertEquals("pack", entry.at("/after/kind").textValue());
    assertEquals("slots-99", entry.at("/after/item_id").textValue());
    assertEquals("pack slots-99 is no longer sold", entry.at("/after/reason").textValue());
    assertEquals(1, published("billing.checkout.refused").size());
    assertEquals(0L, value("SELECT count(*) FROM billing_pack_purchases"));
    assertEquals(List.of(), published("billing.pack.purchased"));
  }

  @Test
  void aPackPaidForAnOrganizationNoLongerBilledIsRefundedInFull_recordedAndAudited() {
    // the organization was deleted between the session's creation and its completion
    stripeRefunds("pi_pack_1", 500);

    assertEquals(200, deliver(packSession("gone", "slots-5", "usd")).status());

    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withFormParam("payment_intent", equalTo("pi_pack_1")));
    assertEquals(
        List.of(
            List.of(
                "no billing account gone", "payment pi_pack_1 refunded in full (it took 500 usd)")),
        rows("SELECT refusal, given_back FROM billing_stripe_checkouts"));
    JsonNode entry = auditedRefusal();
    assertEquals("gone", entry.get("org_id").textValue(), entry.toString());
    assertEquals("slots-5", entry.at("/after/item_id").textValue());
    assertEquals(1, published("billing.checkout.refused").size());
    assertEquals(0L, value("SELECT count(*) FROM billing_pack_purchases"));
  }

  @Test
  void aPackPaidForAnOrganizationClosedBeforeTheSessionCompletedIsRefunded_nothingGranted() {
    // org.deleted closed fay's organization (as OrganizationRepository does) an hour before
    value(
        "UPDATE billing_accounts SET closed_at = ? WHERE user_id = 'fay' RETURNING 1",
        Timestamp.from(PAID.minusSeconds(3600)));
    stripeRefunds("pi_pack_1", 500);

    assertEquals(200, deliver(packSession("slots-5", "usd")).status());

    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withFormParam("payment_intent", equalTo("pi_pack_1")));
    assertEquals(
        "organization fay was closed at 2026-03-12T08:30:00Z",
        value("SELECT refusal FROM billing_stripe_checkouts"));
    assertEquals(0L, value("SELECT count(*) FROM billing_pack_purchases"));
  }

  @Test
  void aPackPaidInAnotherCurrencyThanTheOrganizationsIsRefunded_sayingBoth() {
    stripeRefunds("pi_pack_1", 500);

    assertEquals(200, deliver(packSession("slots-5", "eur")).status());

    assertEquals(
        "the session took 500 eur; the organization pays in USD",
        value("SELECT refusal FROM billing_stripe_checkouts"));
    assertEquals(0L, value("SELECT count(*) FROM billing_pack_purchases"));
  }

  @Test
  void whenStripeFailsNothingIsRecorded_theRedeliveredEventRefundsOnce() {
    stripeRefundsFail();

    AssertionError failed =
        assertThrows(AssertionError.class, () -> deliver(packSession("slots-99", "usd")));

    assertTrue(failed.getMessage().contains("the host would answer 500"), failed.getMessage());
    assertEquals(0L, value("SELECT count(*) FROM billing_stripe_checkouts"));
    assertEquals(0L, value("SELECT count(*) FROM billing_stripe_events"));
    assertEquals(List.of(), published("billing.checkout.refused"));

    stripeRefunds("pi_pack_1", 500);
    assertEquals(200, deliver(packSession("slots-99", "usd")).status());

    assertEquals(
        "payment pi_pack_1 refunded in full (it took 500 usd)",
        value("SELECT given_back FROM billing_stripe_checkouts"));
    assertEquals(1, published("billing.checkout.refused").size());
  }

  /**
   * Two tabs, two sessions, both paid for Midnight, an item owned for good: the first is the
   * purchase, the second is refunded in full, not stored as a second purchase of what ann owns.
   */
  @Test
  void aSecondSessionPaidForAnItemOwnedForGoodIsRefunded_theFirstStaysThePurchase() {
    long item = StoreFixtures.listed(billing, ThemeBundles.good("Midnight", "1.0.0"));
    long version = (Long) value("SELECT max(id) FROM billing_store_item_versions");
    assertEquals(
        200, deliver(StoreFixtures.checkoutCompleted("evt_store_1", PAID, item, version)).status());
    stripeRefunds("pi_store_2", 499);

    String second =
        StoreFixtures.checkoutCompleted("evt_store_2", PAID, item, version)
            .replace("cs_store_1", "cs_store_2")
            .replace("pi_store_1", "pi_store_2");
    assertEquals(200, deliver(second).status());

    assertEquals(1L, value("SELECT count(*) FROM billing_store_purchases"));
    assertEquals("cs_store_1", value("SELECT checkout_session FROM billing_store_purchases"));
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withFormParam("payment_intent", equalTo("pi_store_2"))
            .withHeader("Idempotency-Key", equalTo("ss-refused-cs_store_2-refund")));
    assertEquals(
        "the organization owns Midnight already",
        value("SELECT refusal FROM billing_stripe_checkouts WHERE session_id = 'cs_store_2'"));
    assertEquals(1, published("billing.entitlement.granted").size());
  }

  @Test
  void aStoreSessionForAVersionNotOfItsItemIsRefunded_noPurchaseStored() {
    long item = StoreFixtures.listed(billing, ThemeBundles.good("Midnight", "1.0.0"));
    long version = (Long) value("SELECT max(id) FROM billing_store_item_versions");
    stripeRefunds("pi_store_1", 499);

    assertEquals(
        200,
        deliver(StoreFixtures.checkoutCompleted("evt_store_1", PAID, item, version + 7)).status());

    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withFormParam("payment_intent", equalTo("pi_store_1"))
            .withHeader("Idempotency-Key", equalTo("ss-refused-cs_store_1-refund")));
    assertEquals(
        "store item %d has no approved version %d".formatted(item, version + 7),
        value("SELECT refusal FROM billing_stripe_checkouts"));
    assertEquals(0L, value("SELECT count(*) FROM billing_store_purchases"));
    assertEquals("store", auditedRefusal().at("/after/kind").textValue());
    assertEquals(List.of(), published("billing.entitlement.granted"));
  }

  /** acme, an organization (org.created) paying in USD, owned by u1. */
  private void acmeOpened() {
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
  }

  /** acme's org.deleted, at {@code at}, consumed now. */
  private void acmeDeletedAt(Instant at) {
    billing.billing.onOrganizationEvent(
        billing.context,
        new OrganizationEvent("o-acme-deleted", at, Type.DELETED, "acme", null, null));
    billing.flush();
  }

  private String collectPayments(String now) {
    JobRun run = billing.runAt(CollectPaymentsJob.NAME, now);
    assertEquals(JobOutcome.SUCCEEDED, run.outcome(), run.toString());
    return run.message();
  }

  /**
   * The other order than {@link
   * #aPackPaidForAnOrganizationClosedBeforeTheSessionCompletedIsRefunded_nothingGranted}: the
   * session completed after the closing, but its completion was applied first (Stripe's webhook
   * came before the host's org.deleted), so the pack was granted. collect-payments refunds it as
   * the webhook would have, once, and ends the pack.
   */
  @Test
  void
      aPackPaidAfterItsOrganizationClosed_grantedBeforeTheClosingWasKnown_isRefundedOnceAndEnded() {
    acmeOpened();
    assertEquals(200, deliver(packSession("acme", "slots-5", "usd")).status());
    assertEquals(1L, value("SELECT count(*) FROM billing_pack_purchases WHERE user_id = 'acme'"));
    acmeDeletedAt(PAID.minusSeconds(3600));
    stripeRefunds("pi_pack_1", 500);

    String first = collectPayments("2026-03-12T09:31:00Z");
    String second = collectPayments("2026-03-12T09:32:00Z");

    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withFormParam("payment_intent", equalTo("pi_pack_1"))
            .withHeader("Idempotency-Key", equalTo("ss-refused-cs_pack_1-refund")));
    assertTrue(first.contains("given back 1, failed 0"), first);
    assertTrue(!second.contains("given back"), second);
    assertEquals(
        List.of(
            List.of(
                "organization acme was closed at 2026-03-12T08:30:00Z",
                "payment pi_pack_1 refunded in full (it took 500 usd)")),
        rows("SELECT refusal, given_back FROM billing_stripe_checkouts"));
    assertEquals(
        Timestamp.from(at("2026-03-12T09:31:00Z")),
        value("SELECT refunded_at FROM billing_pack_purchases WHERE user_id = 'acme'"));
    JsonNode entry = auditedRefusal();
    assertEquals("acme", entry.get("org_id").textValue(), entry.toString());
    assertEquals("job", entry.get("actor_type").textValue(), entry.toString());
    assertEquals("slots-5", entry.at("/after/item_id").textValue());
    assertEquals(1, published("billing.checkout.refused").size());
  }

  @Test
  void
      aStoreItemPaidAfterItsOrganizationClosed_grantedBeforeTheClosingWasKnown_isRefundedAndEnded() {
    acmeOpened();
    long item = StoreFixtures.listed(billing, ThemeBundles.good("Midnight", "1.0.0"));
    long version = (Long) value("SELECT max(id) FROM billing_store_item_versions");
    String acmes =
        StoreFixtures.checkoutCompleted("evt_store_1", PAID, item, version)
            .replace("\"account_id\": \"ann\"", "\"account_id\": \"acme\"")
            .replace("\"bought_by\": \"ann\"", "\"bought_by\": \"u1\"");
    assertEquals(200, deliver(acmes).status());
    assertEquals("active", value("SELECT status FROM billing_store_purchases"));
    acmeDeletedAt(PAID.minusSeconds(60));
    stripeRefunds("pi_store_1", 499);

    String run = collectPayments("2026-03-12T09:31:00Z");

    assertTrue(run.contains("given back 1, failed 0"), run);
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/refunds"))
            .withFormParam("payment_intent", equalTo("pi_store_1"))
            .withHeader("Idempotency-Key", equalTo("ss-refused-cs_store_1-refund")));
    assertEquals("refunded", value("SELECT status FROM billing_store_purchases"));
    assertEquals(
        "organization acme was closed at 2026-03-12T09:29:00Z",
        value("SELECT refusal FROM billing_stripe_checkouts"));
  }

  @Test
  void aPackPaidBeforeItsOrganizationClosedIsKept_andAStripeFailureIsTriedAgainNextRun() {
    acmeOpened();
    assertEquals(200, deliver(packSession("acme", "slots-5", "usd")).status());
    acmeDeletedAt(PAID.plusSeconds(60));

    String kept = collectPayments("2026-03-12T09:32:00Z");

    assertTrue(!kept.contains("given back"), kept);
    stripe.verify(0, postRequestedFor(urlEqualTo("/v1/refunds")));
    assertEquals(null, value("SELECT refusal FROM billing_stripe_checkouts"));

    // closed earlier after all (an earlier org.deleted, delivered late): due now
    billing.billing.onOrganizationEvent(
        billing.context,
        new OrganizationEvent(
            "o-acme-deleted-earlier", PAID.minusSeconds(60), Type.DELETED, "acme", null, null));
    billing.flush();
    stripeRefundsFail();
    String failed = collectPayments("2026-03-12T09:33:00Z");
    assertTrue(failed.contains("given back 0, failed 1"), failed);
    assertEquals(null, value("SELECT refusal FROM billing_stripe_checkouts"));
    assertEquals(null, value("SELECT refunded_at FROM billing_pack_purchases"));

    stripeRefunds("pi_pack_1", 500);
    String retried = collectPayments("2026-03-12T09:34:00Z");

    assertTrue(retried.contains("given back 1, failed 0"), retried);
    assertEquals(
        Timestamp.from(at("2026-03-12T09:34:00Z")),
        value("SELECT refunded_at FROM billing_pack_purchases"));
  }
}

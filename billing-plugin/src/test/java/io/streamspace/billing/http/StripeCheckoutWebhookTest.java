package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.tableContents;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.StripeSigning.event;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.HttpMethod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code checkout.session.completed}, {@code payment_method.attached}/{@code detached}, {@code
 * customer.updated} and {@code setup_intent.succeeded} through {@code POST /webhook}, signed with Stripe's scheme and shaped
 * as Stripe sends them, for sessions as {@code StripeCheckout} creates them. Hybrid mode, default
 * plans and packs; dan is on Pro (29.99) from March 1, his Stripe customer {@code cus_dan}; fay
 * on Free (2 sessions at most).
 */
class StripeCheckoutWebhookTest {

  private static final String SECRET = "whsec_test_checkout";
  private static final Instant CHANGE = at("2026-03-16T12:34:56Z");

  private final BillingHarness billing =
      new BillingHarness(
          at("2026-03-01T00:00:00Z"), "{\"billingMode\": \"hybrid\", \"stripeEnabled\": true}");

  StripeCheckoutWebhookTest() {
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", SECRET);
    billing.context.setSecret("STRIPE_SECRET_KEY", "sk_test_checkout");
    billing.userCreated("dan", Map.of("plan", "pro"));
    billing.userCreated("fay", Map.of());
    billing.flush();
    TestDatabase.execute(
        """
        INSERT INTO billing_stripe_customers (account_id, customer_id, created_at)
        VALUES ('dan', 'cus_dan', '2026-03-01T00:00:00Z')""");
    billing.clock.set(CHANGE);
  }

  @AfterEach
  void close() {
    billing.close();
  }

  // --- Stripe's shapes: an Event around a Checkout Session, a PaymentMethod or a Customer

  /** A plan's session in setup mode, with its SetupIntent's id as events carry it. */
  private static String planSession(String id, String planId, String setupIntent) {
    return """
        {"id": "%s", "object": "checkout.session", "mode": "setup", "status": "complete",
         "payment_status": "no_payment_required", "client_reference_id": "dan",
         "customer": "cus_dan", "currency": "usd", "amount_subtotal": null,
         "amount_total": null, "created": 1773664000, "expires_at": 1773750400,
         "livemode": false, "payment_intent": null, "payment_method_types": ["card"],
         "setup_intent": "%s", "url": null, "success_url": "https://app.example.com/paid",
         "cancel_url": "https://app.example.com/cancel",
         "metadata": {"account_id": "dan", "kind": "plan", "plan_id": "%s"}}"""
        .formatted(id, setupIntent, planId);
  }

  /** fay's session for the pack slots-5 (5 job slots, 5.00 USD): 500 cents. */
  private static String packSession(String id, String paymentStatus) {
    return """
        {"id": "%s", "object": "checkout.session", "mode": "payment", "status": "complete",
         "payment_status": "%s", "client_reference_id": "fay", "customer": "cus_fay",
         "currency": "usd", "amount_subtotal": 500, "amount_total": 500,
         "created": 1773664000, "expires_at": 1773750400, "livemode": false,
         "payment_intent": "pi_pack_1", "payment_method_types": ["card"], "setup_intent": null,
         "url": null, "success_url": "https://app.example.com/paid",
         "cancel_url": "https://app.example.com/cancel",
         "metadata": {"account_id": "fay", "kind": "pack", "pack_id": "slots-5"}}"""
        .formatted(id, paymentStatus);
  }

  private static String paymentMethod(String id, String customer) {
    return """
        {"id": "%s", "object": "payment_method", "type": "card",
         "billing_details": {"email": null, "name": null},
         "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030,
          "funding": "credit"},
         "created": 1773664000, "customer": %s, "livemode": false, "metadata": {}}"""
        .formatted(id, customer == null ? "null" : "\"" + customer + "\"");
  }

  private static String customer(String defaultMethod) {
    return """
        {"id": "cus_dan", "object": "customer", "created": 1772323200, "livemode": false,
         "metadata": {"account_id": "dan"},
         "invoice_settings": {"custom_fields": null, "default_payment_method": %s,
          "footer": null}}"""
        .formatted(defaultMethod == null ? "null" : "\"" + defaultMethod + "\"");
  }

  /**
   * The {@code customer.updated} of a change of dan's default from {@code before} to {@code
   * after}, as Stripe sends it: with the default before in {@code previous_attributes}.
   */
  private static String defaultChanged(String id, Instant created, String before, String after) {
    return StripeSigning.updated(
        id,
        "customer.updated",
        created,
        customer(after),
        """
        {"invoice_settings": {"default_payment_method": %s}}"""
            .formatted(before == null ? "null" : "\"" + before + "\""));
  }

  /**
   * The {@code setup_intent.succeeded} of a Checkout in setup mode for dan's customer, with that
   * metadata, saving {@code method}.
   */
  private static String setupSucceeded(String id, Instant created, String method, String metadata) {
    String setupIntent =
        """
        {"id": "seti_%s", "object": "setup_intent", "status": "succeeded", "usage": "off_session",
         "customer": "cus_dan", "payment_method": "%s", "payment_method_types": ["card"],
         "created": 1773664000, "livemode": false, "metadata": %s}"""
            .formatted(id, method, metadata);
    return event(id, "setup_intent.succeeded", created, setupIntent);
  }

  private static final String PLAN_SETUP = "{\"account_id\": \"dan\", \"kind\": \"plan\"}";

  /** The {@code payment_method.attached} of {@code method} to dan's customer. */
  private void attached(String id, Instant created, String method) {
    deliver(event(id, "payment_method.attached", created, paymentMethod(method, "cus_dan")));
  }

  private void detachPm1TenSecondsBeforeTheChange() {
    deliver(
        event(
            "evt_detach",
            "payment_method.detached",
            CHANGE.minusSeconds(10),
            paymentMethod("pm_1", null)));
  }

  private Answer deliver(String payload) {
    return StripeSigning.delivered(billing, SECRET, payload);
  }

  private List<String> published(String type) {
    return billing.context.published().stream().filter(e -> e.startsWith(type + " ")).toList();
  }

  private static Object defaultMethod() {
    return value("SELECT default_payment_method FROM billing_stripe_customers");
  }

  private String planOfDan() {
    return billing
        .call(HttpMethod.GET, "/subscription", user("dan"))
        .body()
        .get("plan_id")
        .textValue();
  }

  /** The lines of the March invoice as its draft's preview shows them, before finalization. */
  private List<String> marchDraftLines(String userId) {
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:10:00Z");
    long id = (Long) value("SELECT id FROM billing_invoices WHERE user_id = ?", userId);
    JsonNode invoice = billing.call(HttpMethod.GET, "/invoices/" + id, user(userId)).body();
    assertEquals("draft", invoice.get("status").textValue(), invoice.toString());
    List<String> lines = new ArrayList<>();
    invoice
        .get("lines")
        .forEach(l -> lines.add(l.get("kind").textValue() + " " + l.get("amount").decimalValue()));
    return lines;
  }

  @Test
  void aPlanCheckoutCompletedMovesThePlanWithProration_andItsCardBecomesTheDefault() {
    // as Stripe sends a setup-mode Checkout: the card attached, then the session with its
    // SetupIntent as an id (Stripe never expands an event's object)
    deliver(
        event(
            "evt_1",
            "payment_method.attached",
            CHANGE.minusSeconds(3),
            paymentMethod("pm_card_new", "cus_dan")));
    deliver(
        event(
            "evt_2",
            "checkout.session.completed",
            CHANGE.minusSeconds(2),
            planSession("cs_plan_1", "enterprise", "seti_1")));

    assertEquals("enterprise", planOfDan());
    assertEquals("pm_card_new", defaultMethod());
    assertEquals(1, published("billing.subscription.changed").size());
    // as PUT /subscription at the same instant: Pro to March 16 12:34:56, Enterprise after
    assertEquals(List.of("plan_fee 15.02", "plan_fee 49.92"), marchDraftLines("dan"));
  }

  @Test
  void theSameSessionDeliveredAgainAsAnotherEvent_orReplayed_changesNothingMore() {
    String session = planSession("cs_plan_1", "enterprise", "seti_1");
    deliver(event("evt_1", "checkout.session.completed", CHANGE, session));
    Map<String, String> afterTheFirst = tableContents();

    deliver(event("evt_1", "checkout.session.completed", CHANGE, session));
    billing.clock.set(CHANGE.plusSeconds(60));
    deliver(event("evt_2", "checkout.session.completed", CHANGE.plusSeconds(30), session));

    assertEquals("enterprise", planOfDan());
    assertEquals(1, published("billing.subscription.changed").size());
    assertEquals(
        afterTheFirst.get("billing_subscriptions"), tableContents().get("billing_subscriptions"));
    assertEquals(1L, value("SELECT count(*) FROM billing_stripe_checkouts"));
  }

  @Test
  void aPlanCheckoutForThePlanTheAccountIsOnAlreadyChangesNothing() {
    Map<String, String> before = tableContents();

    deliver(
        event("evt_1", "checkout.session.completed", CHANGE, planSession("cs_1", "pro", "seti_2")));

    assertEquals("pro", planOfDan());
    assertEquals(before.get("billing_subscriptions"), tableContents().get("billing_subscriptions"));
    assertEquals(List.of(), published("billing.subscription.changed"));
  }

  @Test
  void aPlanCheckoutWithTheSetupIntentAsAnIdLeavesTheDefault_theAttachedCardBecomesIt() {
    deliver(
        event(
            "evt_1",
            "checkout.session.completed",
            CHANGE,
            planSession("cs_plan_1", "enterprise", "seti_1")));
    assertEquals("enterprise", planOfDan());
    assertEquals(null, defaultMethod());

    deliver(event("evt_2", "payment_method.attached", CHANGE, paymentMethod("pm_1", "cus_dan")));

    assertEquals("pm_1", defaultMethod());
  }

  private int sessionLimitOfFay() {
    for (JsonNode meter :
        billing.call(HttpMethod.GET, "/quota", user("fay")).body().get("meters")) {
      if (meter.get("meter").textValue().equals("active_sessions")) {
        return meter.get("limit").intValue();
      }
    }
    throw new AssertionError("no active_sessions meter");
  }

  @Test
  void aPackCheckoutPaidGrantsThePackPaidOnce_raisesTheLimits_andNoInvoiceBillsIt() {
    assertEquals(2, sessionLimitOfFay());

    deliver(event("evt_1", "checkout.session.completed", CHANGE, packSession("cs_pack_1", "paid")));
    deliver(event("evt_1", "checkout.session.completed", CHANGE, packSession("cs_pack_1", "paid")));

    JsonNode purchases = billing.call(HttpMethod.GET, "/purchases", user("fay")).body();
    assertEquals(1, purchases.get("purchases").size(), purchases.toString());
    JsonNode purchase = purchases.get("purchases").get(0);
    assertEquals("slots-5", purchase.get("pack_id").textValue());
    assertEquals(true, purchase.get("active").booleanValue());
    assertEquals(true, purchase.at("/history/0/paid").booleanValue(), purchase.toString());
    assertEquals(1, published("billing.pack.purchased").size());
    assertEquals(7, sessionLimitOfFay());
    // the same pack bought on the invoice (POST /packs/{id}/purchase) is billed: one line only
    assertEquals(
        201, billing.call(HttpMethod.POST, "/packs/slots-5/purchase", user("fay"), "{}").status());
    assertEquals(List.of("plan_fee 0.00", "pack 5.00"), marchDraftLines("fay"));
  }

  @Test
  void aPackCheckoutNotPaidYetGrantsNothing() {
    Map<String, String> before = tableContents();

    deliver(
        event("evt_1", "checkout.session.completed", CHANGE, packSession("cs_pack_1", "unpaid")));

    assertEquals(
        before.get("billing_pack_purchases"), tableContents().get("billing_pack_purchases"));
    assertEquals(List.of(), published("billing.pack.purchased"));
  }

  @Test
  void aPackPaidByADelayedMethodIsGrantedWhenItsAsyncPaymentSucceeds_once() {
    deliver(
        event("evt_1", "checkout.session.completed", CHANGE, packSession("cs_pack_1", "unpaid")));
    assertEquals(2, sessionLimitOfFay());

    String paid = packSession("cs_pack_1", "paid");
    deliver(event("evt_2", "checkout.session.async_payment_succeeded", CHANGE, paid));
    deliver(event("evt_3", "checkout.session.async_payment_succeeded", CHANGE, paid));

    assertEquals(7, sessionLimitOfFay());
    assertEquals(1, published("billing.pack.purchased").size());
    assertEquals(List.of("plan_fee 0.00"), marchDraftLines("fay"));
  }

  @Test
  void aDetachedDefaultLeavesNone_andAnotherMethodDetachedChangesNothing() {
    deliver(event("evt_1", "payment_method.attached", CHANGE, paymentMethod("pm_1", "cus_dan")));
    deliver(event("evt_2", "payment_method.attached", CHANGE, paymentMethod("pm_2", "cus_dan")));
    assertEquals("pm_1", defaultMethod(), "a customer with a default keeps it");

    deliver(event("evt_3", "payment_method.detached", CHANGE, paymentMethod("pm_2", null)));
    assertEquals("pm_1", defaultMethod());

    deliver(event("evt_4", "payment_method.detached", CHANGE, paymentMethod("pm_1", null)));
    assertEquals(null, defaultMethod());
  }

  @Test
  void customerUpdatedSetsTheDefault_anOlderOneArrivingLaterChangesNothing() {
    deliver(defaultChanged("evt_new", CHANGE.minusSeconds(10), "pm_1", "pm_2"));
    deliver(defaultChanged("evt_old", CHANGE.minusSeconds(60), null, "pm_1"));

    assertEquals("pm_2", defaultMethod());

    deliver(defaultChanged("evt_none", CHANGE.minusSeconds(5), "pm_2", null));

    assertEquals(null, defaultMethod());
  }

  @Test
  void aCustomerUpdatedThatChangedNoDefault_anEmailChanged_keepsTheCardWeKeep() {
    // the Checkout's card, our default; Stripe's invoice_settings default stays null
    attached("evt_1", CHANGE.minusSeconds(60), "pm_1");

    deliver(
        StripeSigning.updated(
            "evt_2",
            "customer.updated",
            CHANGE.minusSeconds(10),
            customer(null),
            "{\"email\": \"dan@old.example.com\"}"));

    assertEquals("pm_1", defaultMethod());
  }

  @Test
  void theCardOfASecondPlanCheckoutBecomesTheDefault_byItsSetupIntent() {
    attached("evt_1", CHANGE.minusSeconds(60), "pm_1");
    // the second Checkout: its card attached (dan has a default), its SetupIntent succeeded
    attached("evt_2", CHANGE.minusSeconds(10), "pm_2");
    assertEquals("pm_1", defaultMethod());

    deliver(setupSucceeded("evt_3", CHANGE.minusSeconds(9), "pm_2", PLAN_SETUP));

    assertEquals("pm_2", defaultMethod());
    assertEquals(
        true,
        value(
            "SELECT default_payment_method_at = ?::timestamptz FROM billing_stripe_customers",
            CHANGE.minusSeconds(9).toString()),
        "stamped with the event's time");
  }

  @Test
  void aSetupIntentNotOfAPlanCheckout_olderThanTheDefault_orOfADetachedCard_changesNothing() {
    deliver(defaultChanged("evt_1", CHANGE.minusSeconds(30), null, "pm_1"));

    deliver(setupSucceeded("evt_2", CHANGE.minusSeconds(20), "pm_2", "{}"));
    deliver(setupSucceeded("evt_3", CHANGE.minusSeconds(40), "pm_3", PLAN_SETUP));
    deliver(
        event(
            "evt_4",
            "payment_method.detached",
            CHANGE.minusSeconds(20),
            paymentMethod("pm_4", null)));
    deliver(setupSucceeded("evt_5", CHANGE.minusSeconds(25), "pm_4", PLAN_SETUP));

    assertEquals("pm_1", defaultMethod());
  }

  @Test
  void anOlderAttachArrivingAfterTheDetachOfTheDefaultChangesNothing() {
    deliver(defaultChanged("evt_1", CHANGE.minusSeconds(60), null, "pm_1"));
    detachPm1TenSecondsBeforeTheChange();

    attached("evt_2", CHANGE.minusSeconds(30), "pm_1");

    assertEquals(null, defaultMethod());
  }

  @Test
  void theAttachOfACardArrivingAfterItsDetachNeverMakesItTheDefault() {
    detachPm1TenSecondsBeforeTheChange();

    attached("evt_1", CHANGE.minusSeconds(30), "pm_1");

    assertEquals(null, defaultMethod());
  }

  @Test
  void anOlderCustomerUpdatedNamingACardDetachedSinceChangesNothing() {
    detachPm1TenSecondsBeforeTheChange();

    deliver(defaultChanged("evt_1", CHANGE.minusSeconds(60), null, "pm_1"));

    assertEquals(null, defaultMethod());
  }
}

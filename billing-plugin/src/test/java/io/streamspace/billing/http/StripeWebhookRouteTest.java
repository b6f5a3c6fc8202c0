package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.tableContents;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.FINALIZE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoice;
import static io.streamspace.billing.support.StripeSigning.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.streamspace.billing.jobs.CheckQuotasJob;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /webhook} with events signed by Stripe's scheme, payloads shaped as Stripe sends
 * them (an Event around a PaymentIntent or a Charge), and the payment routes that show them.
 */
class StripeWebhookRouteTest {

  private static final String SECRET = "whsec_test_3f9a2c";
  private static final String DUE = "2026-03-15T01:00:00Z";
  private static final String LOCKS_AT = "2026-03-18T01:00:00Z";

  private final BillingHarness billing =
      new BillingHarness(
          at("2026-03-10T12:00:00Z"), "{\"defaultPlan\": \"pro\", \"stripeEnabled\": true}");
  private final long invoiceId;

  StripeWebhookRouteTest() {
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", SECRET);
    billing.created("2026-03-10T12:00:00Z", "s1", "john", size("1", "1", "0"));
    billing.flush();
    invoiceId =
        invoice(
            "john",
            "2026-02-01T00:00:00Z",
            "2026-03-01T00:00:00Z",
            "sent",
            "INV-2026-000001",
            "USD",
            "12.34",
            "0.00",
            "12.34",
            DUE,
            null);
    billing.clock.set(at("2026-03-12T09:00:00Z"));
  }

  @AfterEach
  void close() {
    billing.close();
  }

  // --- Stripe's shapes (Event, PaymentIntent, Charge), with the members we read and a few more

  private String intent(String id, String status, long amount, String lastError) {
    return """
        {"id": "%s", "object": "payment_intent", "amount": %d,
         "amount_received": %d, "capture_method": "automatic",
         "confirmation_method": "automatic", "currency": "usd", "created": 1773306000,
         "customer": "cus_Q1", "latest_charge": "ch_%s", "livemode": false,
         "last_payment_error": %s, "payment_method": %s, "payment_method_types": ["card"],
         "metadata": {"account_id": "john", "invoice_id": "%d", "attempt": "1"},
         "status": "%s"}"""
        .formatted(
            id,
            amount,
            status.equals("succeeded") ? amount : 0,
            id.substring(3),
            lastError == null ? "null" : lastError,
            lastError == null ? "\"pm_1\"" : "null",
            invoiceId,
            status);
  }

  private static final String DECLINED =
      """
      {"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
       "charge": "ch_1", "doc_url": "https://stripe.com/docs/error-codes/card-declined",
       "message": "Your card has insufficient funds."}""";

  private String succeeded(String eventId, String intentId, Instant created) {
    return event(
        eventId, "payment_intent.succeeded", created, intent(intentId, "succeeded", 1234, null));
  }

  private String failed(String eventId, String intentId, Instant created) {
    return event(
        eventId,
        "payment_intent.payment_failed",
        created,
        intent(intentId, "requires_payment_method", 1234, DECLINED));
  }

  private static String refunded(String eventId, String intentId, long refunded) {
    return event(
        eventId,
        "charge.refunded",
        Instant.parse("2026-03-13T10:00:00Z"),
        """
        {"id": "ch_%s", "object": "charge", "amount": 1234, "amount_captured": 1234,
         "amount_refunded": %d, "billing_details": {"email": null, "name": null},
         "captured": true, "currency": "usd", "customer": "cus_Q1", "disputed": false,
         "livemode": false, "metadata": {}, "paid": true, "payment_intent": "%s",
         "refunded": %s, "status": "succeeded", "created": 1773306000}"""
            .formatted(intentId.substring(3), refunded, intentId, refunded == 1234));
  }

  /** Posts the payload signed now, without a bearer token, as Stripe does. */
  private Answer deliver(String payload) {
    return deliverWith(StripeSigning.header(SECRET, billing.clock.instant(), payload), payload);
  }

  private Answer deliverWith(String signature, String payload) {
    return billing.call(
        HttpMethod.POST,
        "/webhook",
        Caller.ANONYMOUS,
        payload,
        signature == null ? Map.of() : Map.of("stripe-signature", signature));
  }

  private List<String> published(String type) {
    return billing.context.published().stream().filter(e -> e.startsWith(type + " ")).toList();
  }

  private String invoiceStatus() {
    return (String) value("SELECT status FROM billing_invoices WHERE id = ?", invoiceId);
  }

  private List<Object> payment(String intentId) {
    return rows(
            """
            SELECT status, amount, currency, charge_id, failure_code, failure_reason,
                amount_refunded
            FROM billing_payments WHERE payment_intent_id = ?""",
            intentId)
        .get(0);
  }

  @Test
  void aSucceededPaymentIntentMarksTheInvoicePaid_recordsThePayment_andPublishesPaidOnce() {
    Instant created = Instant.parse("2026-03-12T08:59:30Z");

    Answer answer = deliver(succeeded("evt_1", "pi_1", created));

    assertEquals(200, answer.status(), answer.body().toString());
    assertEquals("paid", invoiceStatus());
    assertEquals("[succeeded, 12.34, USD, ch_1, null, null, 0]", payment("pi_1").toString());
    assertEquals(
        Instant.parse("2026-03-12T08:59:30Z"),
        ((java.sql.Timestamp) value("SELECT paid_at FROM billing_invoices WHERE id = ?", invoiceId))
            .toInstant(),
        "paid when Stripe says, not when the event arrived");
    assertEquals(1, published("billing.invoice.paid").size());
  }

  @Test
  void anEventOfAnotherModeThanTheSecretKeysIsAnswered200_andChangesNothing() {
    String live =
        succeeded("evt_live", "pi_1", at("2026-03-12T08:59:30Z"))
            .replace("\"livemode\": false, \"pending", "\"livemode\": true, \"pending");
    String test = succeeded("evt_test", "pi_1", at("2026-03-12T08:59:30Z"));
    Map<String, String> before = tableContents();

    billing.context.setSecret("STRIPE_SECRET_KEY", "sk_test_51Hm");
    assertEquals(200, deliver(live).status());
    billing.context.setSecret("STRIPE_SECRET_KEY", "rk_live_51Hm");
    assertEquals(200, deliver(test).status());

    assertEquals(before, tableContents());
    assertEquals("sent", invoiceStatus());
    assertEquals(List.of(), published("billing.invoice.paid"));

    assertEquals(200, deliver(live).status());
    assertEquals("paid", invoiceStatus(), "a live event with a live key is applied");
  }

  @Test
  void aPaymentIntentOfAnotherAccountNamingTheInvoicePaysNothing_andRecordsNothing() {
    Map<String, String> before = tableContents();
    String eves =
        succeeded("evt_1", "pi_eve", at("2026-03-12T08:59:30Z"))
            .replace("\"account_id\": \"john\"", "\"account_id\": \"eve\"");
    String noAccount =
        succeeded("evt_2", "pi_x", at("2026-03-12T08:59:30Z"))
            .replace("\"account_id\": \"john\", ", "");

    assertEquals(200, deliver(eves).status());
    assertEquals(200, deliver(noAccount).status());

    assertEquals("sent", invoiceStatus());
    assertEquals(0L, value("SELECT count(*) FROM billing_payments"));
    assertEquals(before.get("billing_invoices"), tableContents().get("billing_invoices"));
    assertEquals(List.of(), published("billing.invoice.paid"));
  }

  @Test
  void oneEventReplayedThreeTimesIsAppliedOnce_eachReplayAnswered200() {
    String payload = succeeded("evt_1", "pi_1", Instant.parse("2026-03-12T08:59:30Z"));
    assertEquals(200, deliver(payload).status());
    Map<String, String> afterTheFirst = tableContents();

    for (int i = 0; i < 3; i++) {
      assertEquals(200, deliver(payload).status());
    }

    assertEquals(afterTheFirst, tableContents());
    assertEquals(1, published("billing.invoice.paid").size());
    assertEquals(1L, value("SELECT count(*) FROM billing_stripe_events"));
  }

  @Test
  void aPaymentUnlocksTheAccountLockedForItsOverdueInvoice() {
    billing.runAt(FINALIZE_INVOICES, DUE);
    assertEquals(JobOutcome.SUCCEEDED, billing.runAt(CheckQuotasJob.NAME, LOCKS_AT).outcome());
    assertEquals("account_locked", admitJohn());

    billing.clock.set(at("2026-03-18T02:00:00Z"));
    assertEquals(200, deliver(succeeded("evt_1", "pi_1", at("2026-03-18T01:59:00Z"))).status());

    assertEquals("paid", invoiceStatus());
    assertFalse("account_locked".equals(admitJohn()));
    assertEquals(1, published("billing.account.unlocked").size());
    assertEquals(1, published("billing.invoice.paid").size());
  }

  private String admitJohn() {
    return billing.billing.admit(new AdmissionRequest("john", null, size("0.5", "1", "0"))).code();
  }

  @Test
  void anAmountOtherThanTheInvoicesIsRecordedAsAMismatch_andTheInvoiceStaysOpen() {
    String payload =
        event(
            "evt_1",
            "payment_intent.succeeded",
            Instant.parse("2026-03-12T08:59:30Z"),
            intent("pi_1", "succeeded", 1000, null));

    assertEquals(200, deliver(payload).status());

    assertEquals("sent", invoiceStatus());
    assertEquals("amount_mismatch", payment("pi_1").get(0));
    assertEquals(new BigDecimal("10.00"), payment("pi_1").get(1));
    assertTrue(published("billing.invoice.paid").isEmpty());
  }

  @Test
  void aFailedPaymentIsRecordedWithStripesReason_andPublishedOnce() {
    String payload = failed("evt_1", "pi_1", Instant.parse("2026-03-12T08:59:30Z"));

    assertEquals(200, deliver(payload).status());
    assertEquals(200, deliver(payload).status());

    assertEquals("sent", invoiceStatus());
    List<Object> row = payment("pi_1");
    assertEquals("failed", row.get(0));
    assertEquals("insufficient_funds", row.get(4));
    assertEquals("Your card has insufficient funds.", row.get(5));
    List<String> failures = published("billing.payment.failed");
    assertEquals(1, failures.size());
    assertTrue(
        failures.get(0).contains("\"failure_reason\":\"Your card has insufficient funds.\""));
    assertTrue(failures.get(0).contains("\"invoice_number\":\"INV-2026-000001\""));
  }

  @Test
  void aFailureDeliveredAfterTheSuccessOfTheSamePaymentIntentChangesNothing() {
    Instant failedAt = Instant.parse("2026-03-12T08:58:00Z");
    Instant succeededAt = Instant.parse("2026-03-12T08:59:30Z");

    assertEquals(200, deliver(succeeded("evt_2", "pi_1", succeededAt)).status());
    assertEquals(200, deliver(failed("evt_1", "pi_1", failedAt)).status());

    assertEquals("paid", invoiceStatus());
    assertEquals("succeeded", payment("pi_1").get(0));
    assertEquals(null, payment("pi_1").get(5));
    assertTrue(published("billing.payment.failed").isEmpty());
    assertEquals(1, published("billing.invoice.paid").size());
  }

  @Test
  void aFailureThenASuccessInOrderEndsPaid_thePaymentFailedPublishedForTheFailure() {
    assertEquals(200, deliver(failed("evt_1", "pi_1", at("2026-03-12T08:58:00Z"))).status());
    assertEquals(200, deliver(succeeded("evt_2", "pi_1", at("2026-03-12T08:59:30Z"))).status());

    assertEquals("paid", invoiceStatus());
    assertEquals("succeeded", payment("pi_1").get(0));
    assertEquals(null, payment("pi_1").get(5), "the success clears the failure");
    assertEquals(1, published("billing.payment.failed").size());
  }

  @Test
  void aRefundIsRecordedAgainstThePayment_theLargerTotalWinningInAnyOrder_theInvoiceStaysPaid() {
    deliver(succeeded("evt_1", "pi_1", Instant.parse("2026-03-12T08:59:30Z")));

    assertEquals(200, deliver(refunded("evt_3", "pi_1", 1234)).status());
    assertEquals(200, deliver(refunded("evt_2", "pi_1", 500)).status()); // the earlier, late

    assertEquals("refunded", payment("pi_1").get(0));
    assertEquals(new BigDecimal("12.34"), payment("pi_1").get(6));
    assertEquals("paid", invoiceStatus());
    assertEquals(
        List.of(
            List.of("invoice.paid", "stripe", "evt_1", "sent", "paid"),
            List.of("invoice.refunded", "stripe", "evt_3", "succeeded", "refunded")),
        rows(
            """
            SELECT kind, actor_type, actor_id, before->>'status', after->>'status'
            FROM billing_audit_entries ORDER BY id"""),
        "one entry for the payment and one for the refund that changed it, none for the late one");
    assertEquals(
        Boolean.TRUE,
        value(
            """
            SELECT (before->>'amount_refunded')::numeric = 0
               AND (after->>'amount_refunded')::numeric = 12.34
            FROM billing_audit_entries WHERE kind = 'invoice.refunded'"""));
  }

  @Test
  void aRefundDeliveredBeforeItsPaymentsSuccessIsAppliedWhenTheSuccessLands() {
    assertEquals(200, deliver(refunded("evt_3", "pi_1", 1234)).status());
    assertEquals(0L, value("SELECT count(*) FROM billing_payments"));

    deliver(succeeded("evt_1", "pi_1", Instant.parse("2026-03-12T08:59:30Z")));

    assertEquals("refunded", payment("pi_1").get(0));
    assertEquals(new BigDecimal("12.34"), payment("pi_1").get(6));
    assertEquals("paid", invoiceStatus());
    assertEquals(1, published("billing.invoice.paid").size());
  }

  @Test
  void aPartialRefundKeepsThePaymentSucceeded() {
    deliver(succeeded("evt_1", "pi_1", Instant.parse("2026-03-12T08:59:30Z")));

    assertEquals(200, deliver(refunded("evt_2", "pi_1", 500)).status());

    assertEquals("succeeded", payment("pi_1").get(0));
    assertEquals(new BigDecimal("5.00"), payment("pi_1").get(6));
  }

  @Test
  void aMissingWrongStaleOrTamperedSignatureIs400_changesNothing_andNeverShowsTheSecret() {
    String payload = succeeded("evt_1", "pi_1", Instant.parse("2026-03-12T08:59:30Z"));
    Instant now = billing.clock.instant();
    Map<String, String> before = tableContents();

    List<Answer> answers =
        List.of(
            deliverWith(null, payload),
            deliverWith("", payload),
            deliverWith(StripeSigning.header("whsec_other", now, payload), payload),
            deliverWith(StripeSigning.header(SECRET, now.minusSeconds(301), payload), payload),
            deliverWith(
                StripeSigning.header(SECRET, now, payload),
                payload.replace("\"amount\": 1234", "\"amount\": 1")));

    for (Answer answer : answers) {
      assertEquals(400, answer.status(), answer.body().toString());
      assertEquals("invalid_signature", answer.body().at("/error/code").asText());
      assertFalse(answer.body().toString().contains(SECRET));
    }
    assertEquals(before, tableContents());
    assertEquals("sent", invoiceStatus());
  }

  @Test
  void aMalformedSignatureHeaderIs400InvalidSignature_storesNothing_andLogsOneLineWithoutATrace() {
    String payload = succeeded("evt_1", "pi_1", Instant.parse("2026-03-12T08:59:30Z"));
    Instant now = billing.clock.instant();
    String signed = StripeSigning.header(SECRET, now, payload); // t=<now>,v1=<the right hex>
    String v1 = signed.substring(signed.indexOf(",v1=") + 1);
    String t = signed.substring(0, signed.indexOf(','));
    Map<String, String> before = tableContents();
    Logger logger = (Logger) LoggerFactory.getLogger(StripeWebhookRoutes.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    logger.addAppender(logged);

    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("non-numeric t", "t=abc," + v1);
    headers.put("missing t", v1);
    headers.put("missing v1", t);
    headers.put("empty", "");
    headers.put("huge t", "t=99999999999999999999," + v1);
    headers.put("t of 13 digits", "t=1773306000000," + v1);
    headers.put("duplicate t, each signature right", t + "," + t + "," + v1);
    headers.put("an item without =", "t," + t + "," + v1);
    headers.put("an empty item", t + ",," + v1);
    try {
      headers.forEach(
          (what, header) -> {
            Answer answer = deliverWith(header, payload);
            assertEquals(400, answer.status(), what + ": " + answer.body());
            assertEquals("invalid_signature", answer.body().at("/error/code").asText(), what);
          });
    } finally {
      logger.detachAppender(logged);
    }

    assertEquals(before, tableContents());
    assertEquals("sent", invoiceStatus());
    assertEquals(headers.size(), logged.list.size(), "one line a refusal");
    for (ILoggingEvent line : logged.list) {
      assertEquals(null, line.getThrowableProxy(), line.getFormattedMessage());
      assertFalse(line.getFormattedMessage().contains(v1), "the header is not logged");
    }
    assertEquals(200, deliverWith(signed, payload).status(), "the same body signed right is read");
  }

  @Test
  void aSignatureDatedWithinTheToleranceEitherWayIsAccepted_oneSecondBeyondEitherWayIsRefused() {
    // the tolerance is 300 s: t = now ± 300 is inside, now ± 301 and now + 10^8 are not
    Instant now = billing.clock.instant();
    Map<String, Integer> expected = new LinkedHashMap<>();
    expected.put("-301", 400);
    expected.put("+301", 400);
    expected.put("+100000000", 400);
    expected.put("-300", 200);
    expected.put("+300", 200);
    int accepted = 0;
    for (Map.Entry<String, Integer> offset : expected.entrySet()) {
      String payload =
          succeeded("evt_" + offset.getKey(), "pi_1", Instant.parse("2026-03-12T08:59:30Z"));
      Instant t = now.plusSeconds(Long.parseLong(offset.getKey()));

      Answer answer = deliverWith(StripeSigning.header(SECRET, t, payload), payload);

      assertEquals(offset.getValue(), answer.status(), offset.getKey() + ": " + answer.body());
      accepted += answer.status() == 200 ? 1 : 0;
      assertEquals((long) accepted, value("SELECT count(*) FROM billing_stripe_events"));
    }
    assertEquals("paid", invoiceStatus());
  }

  @Test
  void aSignatureWithinTheFiveMinuteToleranceOfThePluginsClockIsAccepted() {
    String payload = succeeded("evt_1", "pi_1", Instant.parse("2026-03-12T08:54:00Z"));

    Answer answer =
        deliverWith(
            StripeSigning.header(SECRET, billing.clock.instant().minusSeconds(300), payload),
            payload);

    assertEquals(200, answer.status(), answer.body().toString());
    assertEquals("paid", invoiceStatus());
  }

  @Test
  void unknownTypesAreAnswered200_andChangeNothing() {
    Map<String, String> before = tableContents();

    for (String type : List.of("invoice.created", "customer.subscription.created")) {
      Answer answer =
          deliver(event("evt_" + type, type, billing.clock.instant(), "{\"id\": \"x\"}"));
      assertEquals(200, answer.status(), type);
    }

    assertEquals(before, tableContents());
  }

  /**
   * Issue 51: what a signed event carries reaches the log escaped (one helper, {@code
   * SafeText.forLog}): a line break cannot forge a second line, a bidi override cannot turn the
   * line around.
   */
  @Test
  void aSignedEventsControlAndBidiCharactersAreEscapedInTheLog() {
    // the webhook's route and its handlers (StripePayments and InvoicePayments) log under it
    Logger webhook = (Logger) LoggerFactory.getLogger("io.streamspace.billing");
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    webhook.addAppender(logged);
    String unknown = "invoice.voided\\r\\nWARN forged\\u202e";
    String noInvoice =
        succeeded("evt_2\\nERROR forged", "pi_2", billing.clock.instant())
            .replace("\"invoice_id\": \"" + invoiceId + "\"", "\"invoice_id\": \"999999\"");
    String live =
        succeeded("evt_3\\u2028INFO forged", "pi_3", billing.clock.instant())
            .replace("\"livemode\": false, \"pending", "\"livemode\": true, \"pending");
    billing.context.setSecret("STRIPE_SECRET_KEY", "sk_test_51Hm");
    try {
      assertEquals(
          200,
          deliver(event("evt_1", unknown, billing.clock.instant(), "{\"id\": \"x\"}")).status());
      assertEquals(200, deliver(noInvoice).status());
      assertEquals(200, deliver(live).status());
    } finally {
      webhook.detachAppender(logged);
    }

    List<String> lines = logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertTrue(
        lines.contains(
            "Stripe events of type invoice.voided\\u000d\\u000aWARN forged\\u202e are unknown:"
                + " answered 200 and ignored"),
        lines.toString());
    assertTrue(
        lines.contains("Stripe event evt_2\\u000aERROR forged: no invoice 999999"),
        lines.toString());
    assertTrue(
        lines.contains(
            "Stripe event evt_3\\u2028INFO forged (payment_intent.succeeded) has livemode true"
                + " but STRIPE_SECRET_KEY is a test key: ignored"),
        lines.toString());
    for (String line : lines) {
      assertFalse(line.matches("(?s).*[\\n\\r\\u202e\\u2028].*"), line);
    }
  }

  @Test
  void whileStripeIsNotEnabledTheWebhookIs404() {
    billing.context.setConfigJson("{\"defaultPlan\": \"pro\"}");
    billing.billing.onConfigChanged(billing.context);

    Answer answer = deliver(succeeded("evt_1", "pi_1", Instant.parse("2026-03-12T08:59:30Z")));

    assertEquals(404, answer.status());
    assertEquals("sent", invoiceStatus());
  }

  @Test
  void aSignedBodyThatIsNotAnEventIs400() {
    Answer answer = deliver("{\"id\": \"evt_1\"}");

    assertEquals(400, answer.status());
    assertEquals("invalid_event", answer.body().at("/error/code").asText());
  }

  @Test
  void usersSeeTheirOwnPayments_adminsAnyonesByStatus_pagedNewestFirst() {
    deliver(failed("evt_1", "pi_1", Instant.parse("2026-03-12T08:58:00Z")));
    deliver(succeeded("evt_2", "pi_2", Instant.parse("2026-03-12T08:59:30Z")));

    Answer own = billing.call(HttpMethod.GET, "/payments?limit=1", user("john"));
    Answer other = billing.call(HttpMethod.GET, "/payments?user_id=john", user("mary"));
    Answer forAdmin = billing.call(HttpMethod.GET, "/payments?user_id=john", admin("root"));
    Answer failedOnly =
        billing.call(HttpMethod.GET, "/admin/payments?status=failed", admin("root"));
    Answer notAdmin = billing.call(HttpMethod.GET, "/admin/payments", user("john"));
    Answer badStatus = billing.call(HttpMethod.GET, "/admin/payments?status=x", admin("root"));

    assertEquals(200, own.status(), own.body().toString());
    assertEquals(1, own.body().get("payments").size());
    assertEquals(1, own.body().get("next_offset").asInt());
    assertEquals(403, other.status());
    assertEquals(2, forAdmin.body().get("payments").size());
    assertEquals(1, failedOnly.body().get("payments").size());
    com.fasterxml.jackson.databind.JsonNode payment = failedOnly.body().at("/payments/0");
    assertEquals("pi_1", payment.get("payment_intent_id").asText());
    assertEquals("INV-2026-000001", payment.get("invoice_number").asText());
    assertEquals(invoiceId, payment.get("invoice_id").asLong());
    assertEquals("12.34", payment.get("amount").asText());
    assertEquals("USD", payment.get("currency").asText());
    assertEquals("Your card has insufficient funds.", payment.get("failure_reason").asText());
    assertEquals(403, notAdmin.status());
    assertEquals(400, badStatus.status());
    assertEquals("status", badStatus.errorField());
  }
}

package io.streamspace.billing.payments.webhook;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.admission.Admission;
import io.streamspace.billing.support.AnotherNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pack paid through Stripe Checkout and refunded in Stripe's Dashboard, through {@code POST
 * /webhook} signed with Stripe's scheme (StoreCheckoutTest's harness): refunded in full it ends
 * at the refund, as a store item's purchase does; partly, nothing ends. fay's organization pays
 * in USD, is on Free (2 sessions at most, hard) and has 2 sessions open since March 16 12:00; her
 * session for slots-5 (5 job slots, 5.00 USD: 500 cents, valid 30 days) completes paid on March
 * 16 at 12:34:56, so it would be valid until April 15 12:34:56.
 */
class PackCheckoutRefundTest {

  private static final String SECRET = "whsec_test_pack_refund";
  private static final Instant PAID = at("2026-03-16T12:34:56Z");
  private static final Instant REFUNDED = at("2026-03-17T10:00:00Z");

  // rounds of the race below: enough that a missing lock shows in almost every run
  private static final int ROUNDS = 60;

  private final BillingHarness billing =
      new BillingHarness(at("2026-03-16T12:00:00Z"), "{\"stripeEnabled\": true}");

  @BeforeEach
  void twoOfTwoSessions() {
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", SECRET);
    billing.context.setSecret("STRIPE_SECRET_KEY", "sk_test_pack_refund");
    billing.userCreated("fay", Map.of());
    billing.created("2026-03-16T12:00:00Z", "s1", "fay", size("0.5", "1", "0"));
    billing.created("2026-03-16T12:00:00Z", "s2", "fay", size("0.5", "1", "0"));
    billing.flush();
  }

  @AfterEach
  void close() {
    billing.close();
  }

  /** fay's slots-5 session, completed and paid by {@code pi_pack_1}, as Stripe sends it. */
  private static String completed(String eventId) {
    return StripeSigning.event(
        eventId,
        "checkout.session.completed",
        PAID,
        """
        {"id": "cs_pack_1", "object": "checkout.session", "mode": "payment",
         "status": "complete", "payment_status": "paid", "client_reference_id": "fay",
         "customer": "cus_fay", "currency": "usd", "amount_subtotal": 500, "amount_total": 500,
         "created": 1773664000, "expires_at": 1773750400, "livemode": false,
         "payment_intent": "pi_pack_1", "payment_method_types": ["card"], "setup_intent": null,
         "url": null, "success_url": "https://app.example.com/paid",
         "cancel_url": "https://app.example.com/cancel",
         "metadata": {"account_id": "fay", "kind": "pack", "pack_id": "slots-5"}}""");
  }

  /** A {@code charge.refunded} of the pack's payment, {@code refunded} of its 500 cents. */
  private static String refundedInStripe(String eventId, long refunded) {
    return StripeSigning.event(
        eventId,
        "charge.refunded",
        REFUNDED,
        """
        {"id": "ch_pack_1", "object": "charge", "amount": 500, "amount_captured": 500,
         "amount_refunded": %d, "billing_details": {"email": null, "name": null},
         "captured": true, "currency": "usd", "customer": "cus_fay", "disputed": false,
         "livemode": false, "metadata": {}, "paid": true, "payment_intent": "pi_pack_1",
         "refunded": %s, "status": "succeeded", "created": 1773741600}"""
            .formatted(refunded, refunded == 500));
  }

  private void deliver(String payload) {
    StripeSigning.delivered(billing, SECRET, payload);
  }

  private void paid() {
    billing.clock.set(PAID);
    deliver(completed("evt_completed"));
  }

  /** Both sessions still alive now (a session whose heartbeats stop is closed). */
  private void alive() {
    String now = billing.clock.instant().toString();
    billing.heartbeat(now, "s1", "fay", size("0.5", "1", "0"));
    billing.heartbeat(now, "s2", "fay", size("0.5", "1", "0"));
    billing.flush();
  }

  private AdmissionDecision aThird() {
    alive();
    return billing.billing.admit(new AdmissionRequest("fay", null, size("0.5", "1", "0")));
  }

  private JsonNode purchase() {
    JsonNode purchases = billing.call(HttpMethod.GET, "/purchases", user("fay")).body();
    assertEquals(1, purchases.get("purchases").size(), purchases.toString());
    return purchases.get("purchases").get(0);
  }

  private int sessionLimit() {
    for (JsonNode meter :
        billing.call(HttpMethod.GET, "/quota", user("fay")).body().get("meters")) {
      if (meter.get("meter").textValue().equals("active_sessions")) {
        return meter.get("limit").intValue();
      }
    }
    throw new AssertionError("no active_sessions meter");
  }

  private List<String> historyKinds() {
    return purchase().get("history").findValuesAsText("kind");
  }

  @Test
  void aFullRefundInStripesDashboardEndsThePackAtTheRefund_thisNodesAdmissionRefusesAtOnce() {
    paid();
    boolean allowedWhilePaid = aThird().allowed();
    int limitWhilePaid = sessionLimit();
    billing.clock.set(REFUNDED);

    deliver(refundedInStripe("evt_full", 500));

    assertTrue(allowedWhilePaid, "2 + 5 slots while paid");
    assertEquals(7, limitWhilePaid);
    assertEquals("active_sessions_limit", aThird().code(), "on this node, with no reload");
    assertEquals(2, sessionLimit(), "Free's 2 again");
    JsonNode purchase = purchase();
    assertEquals(false, purchase.get("active").booleanValue(), purchase.toString());
    assertEquals("2026-03-17T10:00:00Z", purchase.get("refunded_at").asText());
    assertEquals(List.of("bought", "refunded"), historyKinds());
    assertEquals(
        List.of(Arrays.asList("stripe", "true", "false", "2026-03-17T10:00:00Z")),
        rows(
            "SELECT actor_type, before ->> 'active', after ->> 'active', after ->> 'refunded_at'"
                + " FROM billing_audit_entries WHERE kind = 'pack.refunded'"));
    assertEquals(0L, value("SELECT count(*) FROM billing_credits"), "given back by Stripe");
  }

  /**
   * 2.00 of the 5.00 refunded first: the pack was paid for, less that, and goes on; the rest
   * later refunds it in full and ends it, once; the same event delivered again, and another
   * event saying the same total, change nothing more.
   */
  @Test
  void aPartialRefundEndsNothing_theFullOneEndsThePackOnce_andARedeliveryChangesNothing() {
    paid();
    billing.clock.set(REFUNDED);

    deliver(refundedInStripe("evt_partial", 200));
    boolean allowedAfterPartial = aThird().allowed();
    List<String> historyAfterPartial = historyKinds();
    billing.clock.set(at("2026-03-18T09:00:00Z"));
    deliver(refundedInStripe("evt_full", 500));
    Map<String, String> afterFull = new HashMap<>(BillingHarness.tableContents());
    billing.clock.set(at("2026-03-19T09:00:00Z"));
    deliver(refundedInStripe("evt_full", 500));
    deliver(refundedInStripe("evt_full_again", 500));

    assertTrue(allowedAfterPartial, "a partial refund ends nothing");
    assertEquals(List.of("bought"), historyAfterPartial);
    assertEquals("2026-03-18T09:00:00Z", purchase().get("refunded_at").asText());
    assertEquals(List.of("bought", "refunded"), historyKinds());
    assertEquals(
        1L, value("SELECT count(*) FROM billing_audit_entries WHERE kind = 'pack.refunded'"));
    afterFull.remove("billing_stripe_events");
    afterFull.remove("billing_stripe_refunds");
    Map<String, String> afterAgain = new HashMap<>(BillingHarness.tableContents());
    afterAgain.remove("billing_stripe_events");
    afterAgain.remove("billing_stripe_refunds");
    assertEquals(afterFull, afterAgain, "the pack, its history and the audit trail unchanged");
  }

  /**
   * The refund delivered before the session's completion (its delivery failed, and Stripe tried
   * again later): the completion grants the pack and ends it at once, as the store does.
   */
  @Test
  void aFullRefundDeliveredBeforeTheCompletionEndsThePackAtTheCompletion() {
    billing.clock.set(REFUNDED);
    deliver(refundedInStripe("evt_full", 500));
    billing.clock.set(at("2026-03-17T10:05:00Z"));

    deliver(completed("evt_completed"));

    JsonNode purchase = purchase();
    assertEquals(false, purchase.get("active").booleanValue(), purchase.toString());
    assertEquals("2026-03-17T10:05:00Z", purchase.get("refunded_at").asText());
    assertEquals(List.of("bought", "refunded"), historyKinds());
    assertEquals("active_sessions_limit", aThird().code(), "on this node at once");
    assertEquals(
        1L, value("SELECT count(*) FROM billing_audit_entries WHERE kind = 'pack.refunded'"));
    assertEquals(
        1,
        billing.context.published().stream()
            .filter(e -> e.startsWith("billing.pack.purchased "))
            .count(),
        "the purchase was announced as any paid pack's");
  }

  @Test
  void aFullRefundDeliveredAtTheSameTimeAsTheCompletionEndsThePack_inEveryRound() throws Exception {
    // the two events of one payment from two threads at once, ROUNDS times: without the
    // PaymentIntent's lock each, uncommitted, saw nothing of the other, and the pack stayed
    // granted though its payment was refunded in full (2 rounds in 20 on one run, 0 on another)
    billing.clock.set(REFUNDED);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      for (int round = 1; round <= ROUNDS; round++) {
        String payment = "pi_pack_r" + round;
        String completion =
            completed("evt_completed_" + round)
                .replace("pi_pack_1", payment)
                .replace("cs_pack_1", "cs_pack_r" + round);
        String refund =
            refundedInStripe("evt_full_" + round, 500)
                .replace("pi_pack_1", payment)
                .replace("ch_pack_1", "ch_pack_r" + round);
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<?>> both = new ArrayList<>();
        for (String payload : List.of(completion, refund)) {
          both.add(
              threads.submit(
                  () -> {
                    start.await();
                    deliver(payload);
                    return null;
                  }));
        }
        for (Future<?> delivered : both) {
          delivered.get(60, TimeUnit.SECONDS);
        }
      }
    } finally {
      threads.shutdownNow();
    }

    assertEquals((long) ROUNDS, value("SELECT count(*) FROM billing_pack_purchases"));
    assertEquals(
        0L,
        value("SELECT count(*) FROM billing_pack_purchases WHERE refunded_at IS NULL"),
        "no pack stays granted once its payment is refunded in full");
  }

  @Test
  void aRefundedPackIsNotRenewed() {
    paid();
    billing.clock.set(REFUNDED);
    deliver(refundedInStripe("evt_full", 500));
    long id = purchase().get("id").asLong();

    Answer renewed =
        billing.call(HttpMethod.POST, "/purchases/" + id + "/renew", user("fay"), "{}");

    assertEquals(409, renewed.status(), renewed.toString());
    assertEquals("refunded", renewed.body().at("/error/code").asText());
    assertEquals(List.of("bought", "refunded"), historyKinds());
  }

  /**
   * Renewed on March 20 (on the invoice: April 15 12:34:56 to May 15 12:34:56, 5.00 billed), then
   * the Checkout payment refunded in full on March 21: what it bought ends at the refund, the
   * renewal's validity stands, on this node and on another after its reload.
   */
  @Test
  void aRenewalBilledOnTheInvoiceKeepsItsValidityAfterTheCheckoutPaymentIsRefunded()
      throws Exception {
    paid();
    billing.clock.set(at("2026-03-20T00:00:00Z"));
    long id = purchase().get("id").asLong();
    Answer renewed =
        billing.call(HttpMethod.POST, "/purchases/" + id + "/renew", user("fay"), "{}");
    assertEquals(200, renewed.status(), renewed.toString());
    AdmissionRequest third = new AdmissionRequest("fay", null, size("0.5", "1", "0"));
    try (Admission there = AnotherNode.admission(billing.clock)) {
      billing.clock.set(at("2026-03-21T10:00:00Z"));
      deliver(refundedInStripe("evt_full", 500));
      AdmissionDecision afterRefund = aThird();
      int limitAfterRefund = sessionLimit();
      there.refresh();
      AdmissionDecision thereAfterRefund = there.admit(third);
      billing.clock.set(at("2026-04-15T12:34:56Z"));
      AdmissionDecision renewalStarts = aThird();
      AdmissionDecision thereRenewalStarts = there.admit(third);
      int limitInRenewal = sessionLimit();
      billing.clock.set(at("2026-05-15T12:34:56Z"));
      AdmissionDecision renewalEnds = aThird();

      assertEquals("active_sessions_limit", afterRefund.code(), "the Checkout's days end");
      assertEquals(2, limitAfterRefund);
      assertEquals("active_sessions_limit", thereAfterRefund.code());
      assertTrue(renewalStarts.allowed(), "the renewal paid on the invoice is kept");
      assertTrue(thereRenewalStarts.allowed(), "from memory, at its instant");
      assertEquals(7, limitInRenewal);
      assertEquals("active_sessions_limit", renewalEnds.code());
      assertEquals(List.of("bought", "renewed", "refunded"), historyKinds());
    }
  }

  /** A refunded pack sends no billing.pack.expiring or expired: it ended at its refund. */
  @Test
  void aRefundedPackGetsNoExpiryNotices() {
    paid();
    billing.clock.set(REFUNDED);
    deliver(refundedInStripe("evt_full", 500));

    billing.runAt("check-quotas", "2026-04-13T12:40:00Z");
    billing.runAt("check-quotas", "2026-04-15T12:40:00Z");

    assertEquals(
        List.of(),
        billing.context.published().stream()
            .filter(e -> e.startsWith("billing.pack.expir"))
            .toList());
  }

  /** Another node holds the pack with its validity until its reload, which drops it. */
  @Test
  void anotherNodeSeesTheRefundAtItsReload() throws Exception {
    AdmissionRequest third = new AdmissionRequest("fay", null, size("0.5", "1", "0"));
    try (Admission there = AnotherNode.admission(billing.clock)) {
      paid();
      alive();
      there.refresh();
      AdmissionDecision whilePaid = there.admit(third);
      billing.clock.set(REFUNDED);
      deliver(refundedInStripe("evt_full", 500));
      alive();
      there.refresh();
      AdmissionDecision afterReload = there.admit(third);

      assertTrue(whilePaid.allowed());
      assertEquals("active_sessions_limit", afterReload.code());
    }
  }
}

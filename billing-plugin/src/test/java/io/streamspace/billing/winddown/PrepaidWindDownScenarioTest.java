package io.streamspace.billing.winddown;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.billing.jobs.CheckBalancesJob;
import io.streamspace.billing.jobs.CheckQuotasJob;
import io.streamspace.billing.jobs.CollectPaymentsJob;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.InvoiceFixtures;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import io.streamspace.plugin.api.session.SessionControl;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 52's scenario, on real PostgreSQL, with the real stripe-java client against WireMock
 * answering as Stripe does, the jobs run at the instants their schedules run them, the clock
 * moved by hand. Two personal organizations (each user is its own organization's Owner) on the
 * prepaid plan "Pay as you go", each granted 10.00 at 09:00 on March 10, 2026, each running a
 * session of 2 cores from 09:00 to 15:00, admitted with a 5-minute hold. A core-hour costs 1.00,
 * memory nothing, a GB-month of storage 7.30 (0.01 a GB-hour): 2 cores cost 2.00 an hour.
 *
 * <p><b>acme</b> (s1: no storage, 2.00 an hour) has a saved card and a rule: below 0.15
 * available, bring it to 10.00, at most 50.00 a month.
 *
 * <ul>
 *   <li>Admission holds 2.00 × 5/60 = 0.1667, rounded up 0.17.
 *   <li>calculate-usage rates up to the last hour before now − 10 minutes (the heartbeat
 *       timeout) and burns what it rated: at 11:00 09:00-10:00, 2.00; at 12:00 and 13:00 the
 *       next hours: by 13:50, 6.00 burned, 4.00 left (the rest burns at 14:00, 15:00, 16:00).
 *   <li>Live cost at 13:49: 4 h 49 min at 2.00 = 9.6333, line 9.63; 10.00 − 9.63 = 0.37 left,
 *       666 s of runway. At 13:50: 9.6667, line 9.67, 0.33 left, 0.33 × 1,800 = 594 s, under
 *       warnMinutes' 600: billing.balance.low, once, runway at 13:59:54.
 *   <li>check-quotas extends s1's reservation to its time since its watermark (12:00) and 5
 *       minutes more: at 13:50 1 h 55 min, 3.8333, up 3.84, 0.16 available (not below 0.15); at
 *       13:55 2 h, 4.00: 0.00 available. collect-payments, the same minute, charges the card
 *       off-session what brings it to 10.00: 10.00, a PaymentIntent of 1000 cents. The balance
 *       is 14.00; live cost's 14.00 − (9.83 − 6.00) = 10.17 lasts 5 h: s1 runs on, never
 *       suspended.
 *   <li>The invoice: cpu 2 cores × 6 h = 12 core-hours, 12.00, all burned (six hours of 2.00);
 *       the balance ends at 10.00 + 10.00 − 12.00 = 8.00.
 * </ul>
 *
 * <p><b>bolt</b> (b1: 10 GB of storage too, 2.10 an hour; no payment method, no rule).
 *
 * <ul>
 *   <li>Live cost at 13:35: cpu 9.1667, line 9.17; storage 10 GB × 4 h 35 min × 0.01 = 0.4583,
 *       line 0.46; 0.37 left, 634 s at 2.10. At 13:36: cpu 9.20, storage 0.46, 0.34 left,
 *       0.34 × 3,600 / 2.10 = 582.9: 582 s, billing.balance.low (runway at 13:45:42).
 *   <li>At 13:45: cpu 9.50, storage 0.475, line 0.48: 0.02 left, 34 s. At 13:46: cpu 9.5333,
 *       line 9.53, storage 0.4767, line 0.48: 10.01, past the balance: runway 0. check-balances
 *       holds bolt (balance_exhausted): b1 suspended with a snapshot, billing.session.suspended
 *       once; admission refuses b2 (insufficient_balance). check-quotas' enforcement asks the
 *       host to suspend it again at each of its runs while held (13:50 to 14:25: 8), as it does
 *       for every hold (idempotent on the host).
 *   <li>At 14:29 bolt asks for a Checkout top-up of 5.00, paid at 14:30: Stripe's signed
 *       checkout.session.completed credits 5.00 and b1 resumes at once (live cost's 15.00 −
 *       10.08 = 4.92 left: cpu 9.53, storage 5 h 30 min, 0.55), billing.session.resumed.
 *   <li>Storage only while held (13:46-14:30): cpu 2 cores × (4 h 46 min + 30 min) = 10.5333
 *       core-hours, line 10.53; storage 10 GB × 6 h = 60 GB-hours, 0.60. 11.13.
 *   <li>Burns: each takes the period's charged usage so far (its invoice lines, each rounded
 *       once) less what was burned, as far as the balance goes: 2.10 at each of 11:00, 12:00
 *       and 13:00 (6.30: 3.70 left). check-quotas extended b1's reservation at 13:45 to 1 h 50
 *       min at 2.00, 3.67 (0.03 available); from 13:46 bolt is held, and extensions leave it
 *       alone. So the burn at 14:00 of 12:00-13:00 (2.10) takes the 0.03 available and the 2.00
 *       b1's reservation held for its own use: 2.03; the other 0.07 waits for the next burn (no
 *       overdraft). After the top-up, at 15:00 the period so far is cpu 2 cores × 4 h 46 min,
 *       9.5333, line 9.53, and storage 5 h, 0.50: 10.03, less the 8.33 burned: 1.70; at 16:00
 *       cpu 10.53 and storage 0.60: 11.13, less 10.03: 1.10. 11.13 burned, all that the invoice
 *       takes from the balance: it ends at 10.00 + 5.00 − 11.13 = 3.87.
 * </ul>
 *
 * A suspended session's host keeps reporting it (heartbeats): it is not over, only paused.
 */
class PrepaidWindDownScenarioTest {

  private static final String DAY = "2026-03-10T";
  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String KEY = "sk_test_wind_down_scenario";
  private static final String SECRET = "whsec_test_wind_down_scenario";
  private static final String INTENTS = "/v1/payment_intents";
  private static final String CONFIG =
      """
      {"stripeEnabled": true, "holdMinutes": 5,
       "computeRates": {"cpu_per_core_hour": 1.00, "memory_per_gb_hour": 0,
         "storage_per_gb_month": 7.30},
       "subscriptionPlans": [
         {"id": "payg", "name": "Pay as you go", "price": 0, "interval": "month",
          "prepaid": true}]}""";
  private static final ResourceSize ACME_SIZE = size("2", "0", "0");
  private static final ResourceSize BOLT_SIZE = size("2", "0", "10");

  private final WireMockServer stripe = new WireMockServer(options().dynamicPort());
  private final BillingHarness billing = new BillingHarness(at(DAY + "09:00:00Z"), CONFIG);

  @AfterEach
  void stop() {
    billing.close();
    stripe.stop();
  }

  /** Stripe at WireMock: acme a customer whose default card is pm_card_visa; bolt none yet. */
  private void stripe() {
    stripe.start();
    billing.context.setSecret("STRIPE_SECRET_KEY", KEY);
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", SECRET);
    StripeTestEndpoint.pointAt(billing.billing, stripe.baseUrl());
    stripe.stubFor(
        get(urlEqualTo("/v1/customers/cus_acme"))
            .willReturn(
                okJson(
                    """
                    {"id":"cus_acme","object":"customer","created":1773100800,\
                    "livemode":false,"metadata":{"account_id":"acme"},\
                    "invoice_settings":{"default_payment_method":"pm_card_visa"}}""")));
    stripe.stubFor(
        post(urlEqualTo(INTENTS))
            .willReturn(
                okJson(
                    """
                    {"id":"pi_auto_acme","object":"payment_intent","amount":1000,\
                    "amount_received":1000,"currency":"usd","status":"succeeded",\
                    "customer":"cus_acme","latest_charge":"ch_auto_acme",\
                    "created":1773151500,"livemode":false,"payment_method_types":["card"],\
                    "metadata":{"account_id":"acme"}}""")));
    stripe.stubFor(
        post(urlEqualTo("/v1/customers"))
            .willReturn(
                okJson(
                    """
                    {"id":"cus_bolt","object":"customer","created":1773100800,\
                    "livemode":false,"metadata":{"account_id":"bolt"}}""")));
    stripe.stubFor(
        post(urlEqualTo("/v1/checkout/sessions"))
            .willReturn(
                okJson(
                    """
                    {"id":"cs_bolt","object":"checkout.session","mode":"payment",\
                    "status":"open","payment_status":"unpaid","customer":"cus_bolt",\
                    "currency":"usd","created":1773152940,"expires_at":1773239340,\
                    "livemode":false,"metadata":{"account_id":"bolt","kind":"top_up"},\
                    "url":"https://checkout.stripe.com/c/pay/cs_bolt"}""")));
  }

  /** The organization on payg with 10.00 granted, its session admitted and started at 09:00. */
  private void runs(String org, String session, ResourceSize size) {
    billing.userCreated(org, Map.of("plan", "payg"));
    billing.flush();
    assertEquals(201, billing.grant(org, "10.00").status());
    assertTrue(billing.billing.admit(new AdmissionRequest(org, session, size)).allowed());
    billing.created(DAY + "09:00:00Z", session, org, size);
  }

  /**
   * At each step of {@code minutes} from {@code from} to {@code to} (both "HH:mm", inclusive),
   * what the platform and the schedules do then: a heartbeat of s1 and b1, calculate-usage on
   * the hour, check-quotas every 5 minutes, collect-payments and check-balances every minute.
   */
  private void drive(String from, String to, int minutes) {
    Instant end = at(DAY + to + ":00Z");
    for (Instant t = at(DAY + from + ":00Z");
        !t.isAfter(end);
        t = t.plus(Duration.ofMinutes(minutes))) {
      billing.heartbeat(t.toString(), "s1", "acme", null);
      billing.heartbeat(t.toString(), "b1", "bolt", null);
      long minute = t.getEpochSecond() / 60;
      if (minute % 60 == 0) {
        billing.calculateUsageAt(t.toString());
      }
      if (minute % 5 == 0) {
        billing.runAt(CheckQuotasJob.NAME, t.toString());
      }
      billing.runAt(CollectPaymentsJob.NAME, t.toString());
      billing.runAt(CheckBalancesJob.NAME, t.toString());
    }
  }

  /** The organization's ledger: each entry's kind, amount and hour of posting, oldest first. */
  private static List<String> ledger(String org) {
    return rows(
            """
            SELECT kind || ' ' || amount::text || ' '
                   || to_char(created_at AT TIME ZONE 'UTC', 'MM-DD HH24:MI')
            FROM billing_prepaid_entries WHERE org_id = ? ORDER BY id""",
            org)
        .stream()
        .map(row -> (String) row.get(0))
        .toList();
  }

  /** bolt's Checkout session cs_bolt, paid 5.00 (no tax), as Stripe's webhook tells it. */
  private static String paid() {
    return StripeSigning.event(
        "evt_cs_bolt",
        "checkout.session.completed",
        at(DAY + "14:30:00Z"),
        """
        {"id": "cs_bolt", "object": "checkout.session", "mode": "payment",
         "status": "complete", "payment_status": "paid", "client_reference_id": "bolt",
         "customer": "cus_bolt", "currency": "usd", "amount_subtotal": 500,
         "amount_total": 500, "total_details": {"amount_discount": 0, "amount_shipping": 0,
          "amount_tax": 0},
         "created": 1773152940, "expires_at": 1773239340, "livemode": false,
         "payment_intent": "pi_cs_bolt", "payment_method_types": ["card"],
         "setup_intent": null, "url": null, "success_url": "https://app.example.com/paid",
         "cancel_url": "https://app.example.com/cancel",
         "metadata": {"account_id": "bolt", "kind": "top_up"}}""");
  }

  @Test
  void anAutoTopUpKeepsOneSessionRunning_theOtherIsSuspendedAtZeroAndResumedByACheckout() {
    stripe();
    runs("acme", "s1", ACME_SIZE);
    value("INSERT INTO billing_stripe_customers VALUES ('acme', 'cus_acme', now()) RETURNING 1");
    runs("bolt", "b1", BOLT_SIZE);
    Answer rule =
        billing.call(
            HttpMethod.PUT,
            "/top-up-rule",
            user("acme"),
            "{\"threshold\":0.15,\"target\":10,\"max_per_month\":50}");
    assertEquals(200, rule.status(), rule.body().toString());
    String heldAtStart =
        value("SELECT reserved::text FROM billing_prepaid_balances WHERE org_id = 'acme'")
            .toString();

    drive("09:05", "13:30", 5);
    drive("13:31", "13:45", 1);
    List<String> controlsAt1345 = billing.context.sessionControls();
    drive("13:46", "13:46", 1);
    List<String> controlsAt1346 = billing.context.sessionControls();
    drive("13:47", "14:00", 1);
    AdmissionDecision whileSuspended =
        billing.billing.admit(new AdmissionRequest("bolt", "b2", BOLT_SIZE));
    drive("14:05", "14:25", 5);
    billing.clock.set(at(DAY + "14:29:00Z"));
    Answer checkout =
        billing.call(
            HttpMethod.POST,
            "/create-checkout",
            user("bolt"),
            """
            {"top_up":{"amount":5,"currency":"USD"},\
            "success_url":"https://app.example.com/paid",\
            "cancel_url":"https://app.example.com/cancel"}""");
    billing.clock.set(at(DAY + "14:30:00Z"));
    StripeSigning.delivered(billing, SECRET, paid());
    List<String> controlsAtTopUp = billing.context.sessionControls();
    drive("14:30", "14:55", 5);
    billing.terminated(DAY + "15:00:00Z", "s1", "acme", ACME_SIZE);
    billing.terminated(DAY + "15:00:00Z", "b1", "bolt", size("2", "0", "0"));
    billing.calculateUsageAt(DAY + "15:00:00Z");
    billing.calculateUsageAt(DAY + "16:00:00Z");
    billing.calculateUsageAt("2026-04-01T00:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");

    assertEquals("0.17", heldAtStart, "2.00 an hour held for 5 minutes, rounded up");
    assertEquals(
        List.of(
            """
            {"org_id":"bolt","currency":"USD","balance":0.34,"runway_seconds":582,\
            "runway_at":"2026-03-10T13:45:42Z","sessions":["b1"],\
            "at":"2026-03-10T13:36:00Z"}""",
            """
            {"org_id":"acme","currency":"USD","balance":0.33,"runway_seconds":594,\
            "runway_at":"2026-03-10T13:59:54Z","sessions":["s1"],\
            "at":"2026-03-10T13:50:00Z"}"""),
        billing.published("billing.balance.low"),
        "each once, at 10 minutes of runway");
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo(INTENTS))
            .withHeader("Idempotency-Key", matching("top-up-[0-9]+"))
            .withFormParam("amount", equalTo("1000"))
            .withFormParam("currency", equalTo("usd"))
            .withFormParam("customer", equalTo("cus_acme"))
            .withFormParam("payment_method", equalTo("pm_card_visa"))
            .withFormParam("off_session", equalTo("true"))
            .withFormParam("confirm", equalTo("true"))
            .withFormParam("metadata[account_id]", equalTo("acme")));
    stripe.verify(1, postRequestedFor(urlEqualTo(INTENTS)));
    String suspend = "suspend b1: " + SessionControl.SNAPSHOT + WindDown.SPENT;
    assertEquals(List.of(), controlsAt1345);
    assertEquals(List.of(suspend), controlsAt1346, "suspended by check-balances at 13:46");
    assertEquals(
        Collections.nCopies(9, suspend),
        controlsAtTopUp.subList(0, 9),
        "asked again, idempotently, by each of check-quotas' 8 runs while held (13:50-14:25)");
    assertEquals(List.of("resume b1"), controlsAtTopUp.subList(9, 10), "as the money came");
    assertEquals(
        controlsAtTopUp,
        billing.context.sessionControls(),
        "s1 never suspended; b1 asked nothing more once resumed");
    assertEquals(
        List.of(
            """
            {"user_id":"bolt","org_id":"bolt","reason":"balance_exhausted","detail":"%s",\
            "placed_at":"2026-03-10T13:46:00Z","lifted_at":null,"lifted_by":null,"note":null,\
            "sessions":["b1"]}"""
                .formatted(WindDown.SPENT)),
        billing.published("billing.session.suspended"));
    assertEquals(
        List.of(
            """
            {"user_id":"bolt","org_id":"bolt","reason":"balance_exhausted","detail":"%s",\
            "placed_at":"2026-03-10T13:46:00Z","lifted_at":"2026-03-10T14:30:00Z",\
            "lifted_by":"billing","note":null,"sessions":["b1"]}"""
                .formatted(WindDown.SPENT)),
        billing.published("billing.session.resumed"));
    assertFalse(whileSuspended.allowed());
    assertEquals("insufficient_balance", whileSuspended.code());
    assertEquals(200, checkout.status(), checkout.body().toString());
    stripe.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
            .withFormParam("mode", equalTo("payment"))
            .withFormParam("customer", equalTo("cus_bolt"))
            .withFormParam("line_items[0][price_data][unit_amount]", equalTo("500")));
    assertEquals(
        List.of(
            List.of("acme", "payment_intent:pi_auto_acme"), List.of("bolt", "checkout:cs_bolt")),
        rows(
            """
            SELECT org_id, source FROM billing_prepaid_entries WHERE kind = 'top_up'
            ORDER BY org_id"""));

    assertEquals(
        List.of(
            "grant 10.00 03-10 09:00",
            "burn -2.00 03-10 11:00",
            "burn -2.00 03-10 12:00",
            "burn -2.00 03-10 13:00",
            "top_up 10.00 03-10 13:55",
            "burn -2.00 03-10 14:00",
            "burn -2.00 03-10 15:00",
            "burn -2.00 03-10 16:00"),
        ledger("acme"));
    assertEquals(
        List.of(
            "grant 10.00 03-10 09:00",
            "burn -2.10 03-10 11:00",
            "burn -2.10 03-10 12:00",
            "burn -2.10 03-10 13:00",
            "burn -2.03 03-10 14:00",
            "top_up 5.00 03-10 14:30",
            "burn -1.70 03-10 15:00",
            "burn -1.10 03-10 16:00"),
        ledger("bolt"));
    assertEquals(
        List.of(
            "usage cpu usage cpu 12 core-hours 1 12.00",
            "prepaid Paid from the prepaid balance null null null null -12.00"),
        InvoiceFixtures.lines(InvoiceFixtures.invoiceId("acme", MARCH)),
        "s1 ran on: all its 6 hours");
    assertEquals(
        List.of(
            "usage cpu usage cpu 10.533333 core-hours 1 10.53",
            "usage storage usage storage 0.082192 gb-months 7.3 0.60",
            "prepaid Paid from the prepaid balance null null null null -11.13"),
        InvoiceFixtures.lines(InvoiceFixtures.invoiceId("bolt", MARCH)));
    assertEquals(
        List.of(
            "cpu 2026-03-10T13:00:00Z..2026-03-10T14:00:00Z 1.533333",
            "cpu 2026-03-10T14:00:00Z..2026-03-10T15:00:00Z 1",
            "storage 2026-03-10T13:00:00Z..2026-03-10T14:00:00Z 0.013699",
            "storage 2026-03-10T14:00:00Z..2026-03-10T15:00:00Z 0.013699"),
        BillingHarness.slices("bolt").stream()
            .filter(slice -> slice.contains("T13:00:00Z..") || slice.contains("T14:00:00Z.."))
            .toList(),
        "13:46-14:30 held: storage, no cpu");
    assertEquals(
        List.of(
            List.of("acme", "12.00", "12.00", "0.00", "8.00"),
            List.of("bolt", "11.13", "11.13", "0.00", "3.87")),
        rows(
            """
            SELECT i.user_id, i.subtotal::text, i.balance_applied::text, i.total::text,
                   b.balance::text
            FROM billing_invoices i JOIN billing_prepaid_balances b ON b.org_id = i.user_id
            ORDER BY i.user_id"""));
    assertEquals(
        List.of(List.of("acme", true, true), List.of("bolt", true, true)),
        rows(
            """
            SELECT i.user_id,
                   i.balance_applied = -(SELECT sum(e.amount) FROM billing_prepaid_entries e
                                         WHERE e.org_id = i.user_id
                                           AND e.kind IN ('burn', 'invoice_applied',
                                                          'burn_returned')),
                   b.balance = (SELECT sum(e.amount) FROM billing_prepaid_entries e
                                WHERE e.org_id = i.user_id AND e.kind IN ('grant', 'top_up'))
                               - i.balance_applied
            FROM billing_invoices i JOIN billing_prepaid_balances b ON b.org_id = i.user_id
            ORDER BY i.user_id"""),
        "what each invoice took of the balance is what its ledger took, to the cent");
  }
}

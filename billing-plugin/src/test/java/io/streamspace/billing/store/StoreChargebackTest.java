package io.streamspace.billing.store;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.StripeSigning.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.StoreFixtures;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.billing.support.ThemeBundles;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Chargebacks of store purchases paid through Stripe Checkout: {@code charge.dispute.closed}
 * through {@code POST /webhook}, signed with Stripe's scheme, its object shaped as Stripe's
 * Dispute. ann buys cara's Midnight (4.99 USD, 499 cents) through Checkout on March 12, paid by
 * {@code pi_store_1}.
 *
 * <p>Worked by hand: USD at 30 % to the platform, monthly, payouts from 1.00. The sale: 4.99 ×
 * 0.30 = 1.497 → the platform 1.50 (half up), cara 3.49; March's statement pays her 3.49. The
 * chargeback on April 10 takes back exactly that: −4.99 gross, −1.50 the platform, −3.49 cara, so
 * April opens at 0.00 (March paid out) and closes at −3.49. Two sales on April 20 (3.49 each)
 * recover it first: −3.49 + 6.98 = 3.49 is April's payout, not 6.98.
 */
class StoreChargebackTest {

  private static final String SECRET = "whsec_test_chargeback";
  private static final String CONFIG =
      """
      {"stripeEnabled": true,
       "storeRevenueShare": {"USD": {"tiers": [{"from": 0, "platform_rate": 0.30}],
                                     "reset": "calendar_month", "minimum_payout": 1.00}}}""";
  private static final Instant PAID = at("2026-03-12T09:30:00Z");
  private static final Instant LOST = at("2026-04-10T08:00:00Z");

  private final WireMockServer stripe = new WireMockServer(options().dynamicPort());
  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"), CONFIG);
  private long midnight;
  private long purchase;

  @BeforeEach
  void boughtThroughCheckout() {
    stripe.start();
    billing.context.setSecret("STRIPE_SECRET_KEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", SECRET);
    StripeTestEndpoint.pointAt(billing.billing, stripe.baseUrl());
    for (String org : new String[] {"ann", "bob", "eve"}) {
      billing.userCreated(org, Map.of());
    }
    billing.flush();
    midnight = StoreFixtures.listed(billing, ThemeBundles.good("Midnight", "1.0.0"));
    long version = (Long) value("SELECT max(id) FROM billing_store_item_versions");
    billing.clock.set(PAID);
    deliver(StoreFixtures.checkoutCompleted("evt_paid", PAID, midnight, version));
    purchase = (Long) value("SELECT id FROM billing_store_purchases");
  }

  @AfterEach
  void stop() {
    billing.close();
    stripe.stop();
  }

  /** The {@code charge.dispute.closed} of dispute {@code dp_1} of {@code intent}'s charge. */
  private static String disputeClosed(String eventId, String intent, String status) {
    String dispute =
        """
        {"id": "dp_1", "object": "dispute", "amount": 499, "balance_transactions": [],
         "charge": "ch_store_1", "created": 1773900000, "currency": "usd",
         "evidence": {"customer_name": null, "product_description": null,
                      "uncategorized_text": null},
         "evidence_details": {"due_by": 1774728000, "has_evidence": false, "past_due": false,
                              "submission_count": 0},
         "is_charge_refundable": false, "livemode": false, "metadata": {},
         "payment_intent": "%s",
         "payment_method_details": {"card": {"brand": "visa", "network_reason_code": "10.4"},
                                    "type": "card"},
         "reason": "fraudulent", "status": "%s"}"""
            .formatted(intent, status);
    return event(eventId, "charge.dispute.closed", LOST, dispute);
  }

  private void deliver(String payload) {
    StripeSigning.delivered(billing, SECRET, payload);
  }

  private void disputeLost(String eventId) {
    billing.clock.set(LOST);
    deliver(disputeClosed(eventId, "pi_store_1", "lost"));
  }

  private List<String> published(String type) {
    return billing.context.published().stream().filter(p -> p.startsWith(type + " ")).toList();
  }

  /** cara's ledger: each line's kind, time, gross, platform's and creator's shares. */
  private static List<String> ledger() {
    List<String> lines = new ArrayList<>();
    for (List<Object> row :
        rows(
            "SELECT kind, at, gross, platform_share, creator_share FROM billing_store_sales"
                + " WHERE creator_id = 'cara' ORDER BY id")) {
      lines.add(
          "%s %s %s %s %s"
              .formatted(
                  row.get(0),
                  ((Timestamp) row.get(1)).toInstant(),
                  ((BigDecimal) row.get(2)).toPlainString(),
                  ((BigDecimal) row.get(3)).toPlainString(),
                  ((BigDecimal) row.get(4)).toPlainString()));
    }
    return lines;
  }

  /** cara's USD statement of the month: opening, closing, payout, carried forward. */
  private String statement(String period) {
    Answer answer =
        billing.call(HttpMethod.GET, "/creator/statements?period=" + period, StoreFixtures.CARA);
    assertEquals(200, answer.status(), answer.toString());
    JsonNode usd = answer.body().at("/statements/0");
    return "%s %s %s %s"
        .formatted(
            usd.get("opening_balance").decimalValue().toPlainString(),
            usd.get("closing_balance").decimalValue().toPlainString(),
            usd.get("payout").decimalValue().toPlainString(),
            usd.get("carried_forward").decimalValue().toPlainString());
  }

  private List<String> annsStoreAudit() {
    List<String> entries = new ArrayList<>();
    rows("SELECT kind, actor_type, actor_id FROM billing_audit_entries"
            + " WHERE org_id = 'ann' AND kind LIKE 'store%' ORDER BY id")
        .forEach(row -> entries.add(row.get(0) + " " + row.get(1) + " " + row.get(2)));
    return entries;
  }

  private int annsEntitlements() {
    Answer answer = billing.call(HttpMethod.GET, "/entitlements?org_id=ann", user("ann"));
    assertEquals(200, answer.status(), answer.toString());
    return answer.body().get("entitlements").size();
  }

  @Test
  void aLostDisputeEndsTheAccessAtOnce_clawsBackTheCreatorsShare_andAnnouncesItOnce() {
    assertEquals("0.00 3.49 3.49 0.00", statement("2026-03"), "March's sale, paid out");
    assertEquals(1, annsEntitlements());

    disputeLost("evt_lost");
    deliver(disputeClosed("evt_lost", "pi_store_1", "lost")); // replayed
    deliver(disputeClosed("evt_lost_again", "pi_store_1", "lost")); // another event of dp_1

    assertEquals(
        List.of(List.of("charged_back", Timestamp.from(LOST), "evt_lost")),
        rows("SELECT status, refunded_at, refunded_by FROM billing_store_purchases"));
    assertEquals(
        "chargeback: dispute dp_1 lost (fraudulent)",
        value("SELECT refund_reason FROM billing_store_purchases"));
    assertEquals(0, annsEntitlements(), "its access ended at once");
    assertEquals(
        List.of(
            "sale 2026-03-12T09:30:00Z 4.99 1.50 3.49",
            "chargeback 2026-04-10T08:00:00Z -4.99 -1.50 -3.49"),
        ledger());
    List<String> expired = published("billing.entitlement.expired");
    assertEquals(1, expired.size(), expired.toString());
    assertTrue(expired.get(0).contains("\"reason\":\"charged_back\""), expired.get(0));
    assertTrue(expired.get(0).contains("\"until\":\"2026-04-10T08:00:00Z\""), expired.get(0));
    assertEquals(
        List.of(
            "store_purchase.bought stripe evt_paid", "store_purchase.charged_back stripe evt_lost"),
        annsStoreAudit());
    assertEquals("0.00 3.49 3.49 0.00", statement("2026-03"), "March is not re-decided");
    assertEquals("0.00 -3.49 0.00 -3.49", statement("2026-04"), "cara owes it back");

    Answer refund =
        billing.call(
            HttpMethod.POST,
            "/admin/store/purchases/" + purchase + "/refund",
            admin("root"),
            "{\"reason\": \"asked twice\"}");
    assertEquals(409, refund.status(), refund.toString());
    assertEquals("charged_back", refund.body().at("/error/code").asText());
  }

  @Test
  void theNegativeBalanceIsRecoveredFromAprilsSalesBeforeAnythingIsPaid() {
    disputeLost("evt_lost");
    billing.clock.set(at("2026-04-20T10:00:00Z"));
    for (String buyer : new String[] {"bob", "eve"}) {
      Answer bought =
          billing.call(HttpMethod.POST, "/store/items/" + midnight + "/purchase", user(buyer), "");
      assertEquals(201, bought.status(), bought.toString());
    }

    assertEquals("0.00 3.49 3.49 0.00", statement("2026-04"), "−3.49 + 2 × 3.49");
  }

  @Test
  void aDisputeWon_orOfAPaymentNoStorePurchaseMade_changesNothing() {
    billing.clock.set(LOST);
    deliver(disputeClosed("evt_won", "pi_store_1", "won"));
    deliver(disputeClosed("evt_other", "pi_invoice_7", "lost"));

    assertEquals("active", value("SELECT status FROM billing_store_purchases"));
    assertEquals(1, annsEntitlements());
    assertEquals(List.of("sale 2026-03-12T09:30:00Z 4.99 1.50 3.49"), ledger());
    assertEquals(List.of(), published("billing.entitlement.expired"));
    assertEquals(List.of("store_purchase.bought stripe evt_paid"), annsStoreAudit());
  }

  @Test
  void aDisputeLostAfterAnAdminsRefundChangesNothing_theMoneyWentBackOnce() {
    stripe.stubFor(
        post(urlEqualTo("/v1/refunds"))
            .willReturn(
                okJson(
                    """
                    {"id": "re_1", "object": "refund", "amount": 499, "currency": "usd",
                     "payment_intent": "pi_store_1", "status": "succeeded",
                     "created": 1775030400}""")));
    billing.clock.set(at("2026-04-01T00:00:00Z"));
    Answer refunded =
        billing.call(
            HttpMethod.POST,
            "/admin/store/purchases/" + purchase + "/refund",
            admin("root"),
            "{\"reason\": \"broken theme\"}");
    assertEquals(200, refunded.status(), refunded.toString());

    disputeLost("evt_lost");

    assertEquals("refunded", value("SELECT status FROM billing_store_purchases"));
    assertEquals(
        List.of(
            "sale 2026-03-12T09:30:00Z 4.99 1.50 3.49",
            "refund 2026-04-01T00:00:00Z -4.99 -1.50 -3.49"),
        ledger());
    List<String> expired = published("billing.entitlement.expired");
    assertEquals(1, expired.size(), expired.toString());
    assertTrue(expired.get(0).contains("\"reason\":\"refunded\""), expired.get(0));
    assertEquals(
        List.of("store_purchase.bought stripe evt_paid", "store_purchase.refunded admin root"),
        annsStoreAudit());
  }
}

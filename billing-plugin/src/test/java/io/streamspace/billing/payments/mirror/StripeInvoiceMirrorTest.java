package io.streamspace.billing.payments.mirror;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.FINALIZE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.StripeSigning.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.billing.jobs.CheckQuotasJob;
import io.streamspace.billing.jobs.CollectPaymentsJob;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.common.db.Transactions;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.jobs.JobRun;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Stripe Billing collection (stripeCollection {@code stripe_invoices}): our finalized invoices
 * mirrored as Stripe Invoices by the collect-payments job, with the real stripe-java client
 * against WireMock answering as Stripe's API does, and the signed {@code invoice.paid} / {@code
 * invoice.payment_failed} webhooks, on real PostgreSQL. ann used 2 cores and 4 GB for two hours
 * in March and was granted a 0.05 credit: her April 1st invoice is 0.28 of usage, 0.05 of credit,
 * 0.23 to pay, finalized at 01:00.
 */
class StripeInvoiceMirrorTest {

  private static final String KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
  private static final String WEBHOOK_SECRET = "whsec_test_mirror";
  private static final String MIRROR =
      "{\"stripeEnabled\": true, \"stripeCollection\": \"stripe_invoices\"}";
  private static final String INTENTS_MODE = "{\"stripeEnabled\": true}";
  private static final String FINALIZED = "2026-04-01T01:00:00Z";
  private static final String INVOICES = "/v1/invoices";
  private static final String ITEMS = "/v1/invoiceitems";

  private final WireMockServer stripe = new WireMockServer(options().dynamicPort());
  private BillingHarness billing;

  private void load(String config) {
    stripe.start();
    billing = new BillingHarness(at("2026-03-01T00:00:00Z"), config);
    billing.context.setSecret("STRIPE_SECRET_KEY", KEY);
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET);
    StripeTestEndpoint.pointAt(billing.billing, stripe.baseUrl());
    stripe.stubFor(post(urlEqualTo(INVOICES)).willReturn(okJson(stripeInvoice("draft", 0))));
    stripe.stubFor(
        post(urlEqualTo(ITEMS))
            .willReturn(
                okJson(
                    """
                    {"id":"ii_1","object":"invoiceitem","amount":0,"currency":"usd",\
                    "customer":"cus_ann","invoice":"in_1","livemode":false}""")));
    stripe.stubFor(
        get(urlEqualTo(INVOICES + "/in_1")).willReturn(okJson(stripeInvoice("draft", 23))));
    stripe.stubFor(
        post(urlEqualTo(INVOICES + "/in_1/finalize"))
            .willReturn(okJson(stripeInvoice("open", 23))));
    stripe.stubFor(
        post(urlEqualTo("/v1/payment_intents"))
            .willReturn(
                okJson(
                    """
                    {"id":"pi_1","object":"payment_intent","amount":28,"amount_received":28,\
                    "currency":"usd","status":"succeeded","created":1775005200,\
                    "latest_charge":"ch_1","livemode":false}""")));
  }

  @AfterEach
  void stop() {
    if (billing != null) {
      billing.close();
    }
    stripe.stop();
  }

  /** The Stripe invoice {@code in_1} of ann, in a status, with its total in cents. */
  private static String stripeInvoice(String status, long total) {
    return """
        {"id":"in_1","object":"invoice","status":"%s","total":%d,"amount_due":%d,\
        "amount_paid":0,"currency":"usd","customer":"cus_ann","created":1775005260,\
        "collection_method":"charge_automatically","auto_advance":true,"livemode":false,\
        "metadata":{"account_id":"ann"}}"""
        .formatted(status, total, total);
  }

  /** An account with a Stripe customer, who used two hours of 2 cores and 4 GB in March. */
  private void customerWithUsage(String account) {
    billing.userCreated(account, Map.of());
    billing.flush();
    value(
        "INSERT INTO billing_stripe_customers VALUES (?, ?, now()) RETURNING 1",
        account,
        "cus_" + account);
    stripe.stubFor(
        get(urlEqualTo("/v1/customers/cus_" + account))
            .willReturn(
                okJson(
                    """
                    {"id":"cus_%s","object":"customer","created":1772323200,"livemode":false,\
                    "metadata":{"account_id":"%s"},\
                    "invoice_settings":{"default_payment_method":"pm_card_visa"}}"""
                        .formatted(account, account))));
    billing.created("2026-03-02T10:00:00Z", "s-" + account, account, size("2", "4", "0"));
    billing.terminated("2026-03-02T12:00:00Z", "s-" + account, account);
  }

  private void grant(String account, String amount) {
    assertEquals(
        201,
        billing
            .call(
                HttpMethod.POST,
                "/admin/credits",
                admin("root"),
                "{\"user_id\": \"%s\", \"amount\": %s, \"reason\": \"goodwill\"}"
                    .formatted(account, amount))
            .status());
  }

  private void finalizeMarch() {
    billing.calculateUsageAt(FINALIZED);
    billing.runAt(GENERATE_INVOICES, FINALIZED);
  }

  private JobRun collectAt(String now) {
    return billing.runAt(CollectPaymentsJob.NAME, now);
  }

  private static long invoiceOf(String account) {
    return (Long)
        value("SELECT id FROM billing_invoices WHERE user_id = ? ORDER BY id LIMIT 1", account);
  }

  /** The mirror row of the invoice: status, Stripe invoice, attempts, error. */
  private static String mirrorRow(long invoice) {
    return (String)
        value(
            "SELECT status || ' ' || coalesce(stripe_invoice_id, '-') || ' ' || attempts || ' '"
                + " || coalesce(last_error, '-') FROM billing_stripe_invoices WHERE invoice_id = ?",
            invoice);
  }

  private List<ServeEvent> requestsTo(String url) {
    return stripe.getAllServeEvents().stream()
        .filter(e -> e.getRequest().getUrl().equals(url))
        .sorted((a, b) -> a.getRequest().getLoggedDate().compareTo(b.getRequest().getLoggedDate()))
        .toList();
  }

  /** A node claims the due row at finalization, then dies before it calls Stripe. */
  private void claimedAtFinalizationByANodeThatDies() {
    try {
      Transactions.inTransaction(
          billing.context.dataSource(),
          c ->
              MirrorRepository.claim(
                  c, at(FINALIZED).plus(StripeInvoiceMirror.LEASE), at(FINALIZED)));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> form(ServeEvent request) {
    Map<String, String> form = new LinkedHashMap<>();
    for (String pair : request.getRequest().getBodyAsString().split("&")) {
      String[] kv = pair.split("=", 2);
      form.put(
          URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
    }
    return form;
  }

  private static String key(ServeEvent request) {
    return request.getRequest().getHeader("Idempotency-Key");
  }

  /** Every idempotency key sent to Stripe's creating endpoints, in order. */
  private List<String> keysSent() {
    return stripe.getAllServeEvents().stream()
        .filter(e -> e.getRequest().getMethod().getName().equals("POST"))
        .sorted((a, b) -> a.getRequest().getLoggedDate().compareTo(b.getRequest().getLoggedDate()))
        .map(StripeInvoiceMirrorTest::key)
        .toList();
  }

  @Test
  void aFinalizedInvoiceIsMirroredAsOneStripeInvoice_anItemPerLineAndTheCredit_sameTotal() {
    load(MIRROR);
    customerWithUsage("ann");
    grant("ann", "0.05");
    finalizeMarch();
    long invoice = invoiceOf("ann");
    String number =
        (String) value("SELECT invoice_number FROM billing_invoices WHERE id = ?", invoice);
    assertEquals(
        new BigDecimal("0.23"), value("SELECT total FROM billing_invoices WHERE id = ?", invoice));
    assertEquals(0L, value("SELECT count(*) FROM billing_stripe_collections"), "no PaymentIntent");

    JobRun run = collectAt(FINALIZED);

    assertEquals(1, run.rowsTouched(), run.message());
    List<ServeEvent> created = requestsTo(INVOICES);
    assertEquals(1, created.size());
    Map<String, String> params = form(created.get(0));
    assertEquals("cus_ann", params.get("customer"));
    assertEquals("usd", params.get("currency"));
    assertEquals("charge_automatically", params.get("collection_method"));
    assertEquals("true", params.get("auto_advance"));
    assertEquals("exclude", params.get("pending_invoice_items_behavior"));
    assertEquals("ann", params.get("metadata[account_id]"));
    assertEquals(Long.toString(invoice), params.get("metadata[invoice_id]"));
    assertEquals(number, params.get("metadata[invoice_number]"));
    assertEquals("mirror-" + invoice + "-invoice", key(created.get(0)));

    List<List<Object>> lines =
        rows(
            "SELECT line_no, description, amount FROM billing_invoice_lines WHERE invoice_id = ?"
                + " ORDER BY line_no",
            invoice);
    List<ServeEvent> items = requestsTo(ITEMS);
    assertEquals(3, lines.size(), "cpu, memory and the credit: " + lines);
    assertEquals(lines.size(), items.size(), "one item per line");
    long cents = 0;
    for (int i = 0; i < lines.size(); i++) {
      Map<String, String> item = form(items.get(i));
      int line = (Integer) lines.get(i).get(0);
      assertEquals("in_1", item.get("invoice"));
      assertEquals("cus_ann", item.get("customer"));
      assertEquals("usd", item.get("currency"));
      assertEquals(lines.get(i).get(1), item.get("description"));
      assertEquals(
          ((BigDecimal) lines.get(i).get(2)).movePointRight(2).longValueExact(),
          Long.parseLong(item.get("amount")));
      assertEquals(Long.toString(invoice), item.get("metadata[invoice_id]"));
      assertEquals(Integer.toString(line), item.get("metadata[line]"));
      assertEquals("mirror-" + invoice + "-line-" + line, key(items.get(i)));
      cents += Long.parseLong(item.get("amount"));
    }
    assertEquals("-5", form(items.get(2)).get("amount"), "the credit, a negative item");
    assertEquals(23, cents, "the Stripe invoice's items add up to our total to the cent");

    List<ServeEvent> finalized = requestsTo(INVOICES + "/in_1/finalize");
    assertEquals(1, finalized.size());
    assertEquals("mirror-" + invoice + "-finalize", key(finalized.get(0)));
    assertEquals("sent in_1 1 -", mirrorRow(invoice));
    assertEquals("sent", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
  }

  /**
   * Hybrid billing (a plan fee, and usage above the plan's limits): ann on Pro (29.99 a month,
   * 8 cores), whose plan fee Stripe subscription sub_ann collects.
   */
  private static final String HYBRID_MIRROR =
      "{\"stripeEnabled\": true, \"stripeCollection\": \"stripe_invoices\","
          + " \"billingMode\": \"hybrid\"}";

  private void onProThroughAStripeSubscription(String account) {
    load(HYBRID_MIRROR);
    billing.userCreated(account, Map.of("plan", "pro"));
    billing.flush();
    value(
        "INSERT INTO billing_stripe_customers VALUES (?, ?, now()) RETURNING 1",
        account,
        "cus_" + account);
    value(
        "INSERT INTO billing_stripe_subscriptions (subscription_id, account_id, plan_id, status,"
            + " event_at, updated_at, started_at) VALUES (?, ?, 'pro', 'active', now(), now(),"
            + " '2026-03-01T00:00:00Z') RETURNING 1",
        "sub_" + account,
        account);
  }

  /** ann ran 10 cores (2 above Pro's 8) for two hours in March and was granted 0.05. */
  private void tenCoresForTwoHoursAndACredit() {
    billing.created("2026-03-02T10:00:00Z", "s-ann", "ann", size("10", "4", "0"));
    billing.terminated("2026-03-02T12:00:00Z", "s-ann", "ann");
    grant("ann", "0.05");
  }

  /**
   * The plan fee a Stripe Subscription collects is on our invoice but not on its Stripe invoice:
   * ann's 29.99 of Pro, 0.20 of cores above its 8 (10 cores for two hours, 2 × 2 × 0.05) and a
   * 0.05 credit make our 30.14; Stripe is asked for the 0.15 of the rest, and its payment of
   * that pays our invoice.
   */
  @Test
  void aPlanFeeAStripeSubscriptionCollectsIsLeftOut_andThePaymentOfTheRestPaysOurInvoice() {
    onProThroughAStripeSubscription("ann");
    tenCoresForTwoHoursAndACredit();
    stripe.stubFor(
        get(urlEqualTo(INVOICES + "/in_1"))
            .atPriority(1)
            .willReturn(okJson(stripeInvoice("draft", 15))));
    finalizeMarch();
    long invoice = invoiceOf("ann");
    assertEquals(
        new BigDecimal("30.14"), value("SELECT total FROM billing_invoices WHERE id = ?", invoice));

    assertEquals(1, collectAt(FINALIZED).rowsTouched());

    List<String> amounts = requestsTo(ITEMS).stream().map(e -> form(e).get("amount")).toList();
    assertEquals(List.of("20", "-5"), amounts, "the cores above the plan and the credit");
    assertEquals("sent in_1 1 -", mirrorRow(invoice));
    assertEquals(
        new BigDecimal("0.15"),
        value("SELECT amount FROM billing_stripe_invoices WHERE invoice_id = ?", invoice));
    deliverAt("2026-04-01T02:00:00Z", "evt_paid", "invoice.paid", paidInvoice(invoice, "ann", 15));
    assertEquals("paid", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
    assertEquals(List.of("succeeded 0.15 in_1 -"), payments());
  }

  /**
   * An amount off covering the plan and the cores is taken once in all: ann redeems FEE (30.05
   * off Pro and cpu_cores, once) on March 5, while her Subscription charges Pro's fee, so Stripe
   * discounts the Subscription by it (and takes 29.99 of it off Pro's fee there). Our March
   * invoice takes it off the fee the Subscription charges first, 29.99, and only the 0.06 left
   * off the 0.20 of cores above the plan (10 cores for two hours, 2 × 2 × 0.05): its Stripe
   * invoice, without the fee and its discount, is 0.20 − 0.06 = 0.14, and 29.99 + 0.06 = 30.05
   * off in all. Shared in proportion instead, the cores would take 0.20 of it, 30.19 in all.
   */
  @Test
  void anAmountOffAPlanTheSubscriptionChargesAndTheCores_isTakenOnceInAll() {
    onProThroughAStripeSubscription("ann");
    billing.created("2026-03-02T10:00:00Z", "s-ann", "ann", size("10", "4", "0"));
    billing.terminated("2026-03-02T12:00:00Z", "s-ann", "ann");
    stripe.stubFor(
        post(urlEqualTo("/v1/coupons"))
            .willReturn(
                okJson(
                    """
                    {"id":"ss_coupon_FEE","object":"coupon","amount_off":3005,"currency":"usd",\
                    "duration":"once","valid":true,"livemode":false,"metadata":{}}""")));
    stripe.stubFor(
        post(urlEqualTo("/v1/subscriptions/sub_ann"))
            .willReturn(
                okJson(
                    """
                    {"id":"sub_ann","object":"subscription","status":"active",\
                    "customer":"cus_ann","livemode":false,"metadata":{}}""")));
    stripe.stubFor(
        get(urlEqualTo(INVOICES + "/in_1"))
            .atPriority(1)
            .willReturn(okJson(stripeInvoice("draft", 14))));
    assertEquals(
        201,
        billing
            .call(
                HttpMethod.POST,
                "/admin/coupons",
                admin("root"),
                """
                {"id": "FEE", "amount_off": 30.05, "currency": "USD", "duration": "once",
                 "applies_to": {"plans": ["pro"], "meters": ["cpu_cores"]}, "codes": ["FEE"],
                 "reason": "launch"}""")
            .status());
    billing.clock.set(at("2026-03-05T00:00:00Z"));
    assertEquals(
        201,
        billing
            .call(
                HttpMethod.POST,
                "/redeem",
                BillingHarness.user("ann"),
                "{\"org_id\": \"ann\", \"code\": \"FEE\"}")
            .status());
    List<ServeEvent> discounted = requestsTo("/v1/subscriptions/sub_ann");
    assertEquals(1, discounted.size(), "the Subscription carries FEE at Stripe");
    assertEquals("ss_coupon_FEE", form(discounted.get(0)).get("discounts[0][coupon]"));
    finalizeMarch();
    long invoice = invoiceOf("ann");

    assertEquals(
        List.of(
            List.of(1, "plan_fee", new BigDecimal("29.99")),
            List.of(2, "overage", new BigDecimal("0.20")),
            List.of(3, "discount", new BigDecimal("-29.99")),
            List.of(4, "discount", new BigDecimal("-0.06"))),
        rows(
            "SELECT line_no, kind, amount FROM billing_invoice_lines WHERE invoice_id = ?"
                + " ORDER BY line_no",
            invoice));
    assertEquals(1, collectAt(FINALIZED).rowsTouched());
    List<String> amounts = requestsTo(ITEMS).stream().map(e -> form(e).get("amount")).toList();
    assertEquals(List.of("20", "-6"), amounts, "the cores above the plan, less the rest of FEE");
    assertEquals("sent in_1 1 -", mirrorRow(invoice));
  }

  /**
   * Credits that pay the plan fee a Stripe Subscription also charges go to Stripe, or they would
   * be lost: ann's 50.00 credit pays her whole 29.99 invoice (paid at once, total 0), and its
   * Stripe invoice hands the 29.99 back as her Stripe balance, which the subscription's next
   * invoice uses.
   */
  @Test
  void creditsSpentOnAPlanFeeTheSubscriptionCharges_areHandedBackAsTheCustomersStripeBalance() {
    onProThroughAStripeSubscription("ann");
    grant("ann", "50.00");
    stripe.stubFor(
        get(urlEqualTo(INVOICES + "/in_1"))
            .atPriority(1)
            .willReturn(okJson(stripeInvoice("draft", -2999))));
    finalizeMarch();
    long invoice = invoiceOf("ann");
    assertEquals("paid", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
    assertEquals(
        new BigDecimal("0.00"), value("SELECT total FROM billing_invoices WHERE id = ?", invoice));

    assertEquals(1, collectAt(FINALIZED).rowsTouched());

    List<String> amounts = requestsTo(ITEMS).stream().map(e -> form(e).get("amount")).toList();
    assertEquals(List.of("-2999"), amounts, "the credit spent on the plan fee, handed back");
    assertEquals("sent in_1 1 -", mirrorRow(invoice));
    assertEquals(1, requestsTo(INVOICES + "/in_1/finalize").size());
  }

  /** An invoice of the plan fee alone leaves Stripe nothing else to collect: paid, no call. */
  @Test
  void anInvoiceOfThePlanFeeAloneIsPaidByItsSubscription_withoutAStripeInvoice() {
    onProThroughAStripeSubscription("ann");
    finalizeMarch();
    long invoice = invoiceOf("ann");
    assertEquals(
        new BigDecimal("29.99"), value("SELECT total FROM billing_invoices WHERE id = ?", invoice));

    collectAt(FINALIZED);

    assertEquals(0, requestsTo(INVOICES).size());
    assertEquals("paid - 1 -", mirrorRow(invoice));
    assertEquals("paid", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
    assertTrue(
        ((String) value("SELECT status_note FROM billing_invoices WHERE id = ?", invoice))
            .contains("sub_ann"));
    assertEquals(1, published("billing.invoice.paid"));
  }

  /** ann's subscription ended (customer.subscription.deleted) at {@code at}. */
  private static void subscriptionEndedAt(String account, String at) {
    value(
        "UPDATE billing_stripe_subscriptions SET status = 'canceled', event_at = ?::timestamptz"
            + " WHERE account_id = ? RETURNING 1",
        at,
        account);
  }

  /**
   * ann cancelled at period end: Stripe charged March's 29.99 of Pro at its start and sent
   * customer.subscription.deleted at midnight, before our March invoice was finalized at 01:00.
   * The subscription still collected that fee: mirroring it would charge 29.99 twice.
   */
  @Test
  void aPlanFeeCollectedByASubscriptionThatEndedSinceIsNotChargedAgain() {
    onProThroughAStripeSubscription("ann");
    subscriptionEndedAt("ann", "2026-04-01T00:00:00Z");
    finalizeMarch();
    long invoice = invoiceOf("ann");

    collectAt(FINALIZED);

    assertEquals(0, requestsTo(INVOICES).size(), "no Stripe invoice for the 29.99 again");
    assertEquals("paid - 1 -", mirrorRow(invoice));
    assertEquals("paid", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
  }

  /**
   * A subscription a refused Checkout cancelled at once (for Team, a plan ann was never on)
   * collected nothing for March: her 29.99 of Pro is mirrored and charged.
   */
  @Test
  void aSubscriptionCancelledForARefusedCheckout_leavesThePlanFeeToTheMirror() {
    onProThroughAStripeSubscription("ann");
    value(
        "UPDATE billing_stripe_subscriptions SET plan_id = 'team' WHERE account_id = ? RETURNING 1",
        "ann");
    subscriptionEndedAt("ann", "2026-03-20T00:00:00Z");
    stripe.stubFor(
        get(urlEqualTo(INVOICES + "/in_1"))
            .atPriority(1)
            .willReturn(okJson(stripeInvoice("draft", 2999))));
    finalizeMarch();
    long invoice = invoiceOf("ann");

    collectAt(FINALIZED);

    List<String> amounts = requestsTo(ITEMS).stream().map(e -> form(e).get("amount")).toList();
    assertEquals(List.of("2999"), amounts);
    assertEquals("sent in_1 1 -", mirrorRow(invoice));
  }

  /**
   * A node finalized ann's Stripe invoice of 0.15 (her invoice of 30.14 less the 29.99 of Pro
   * her subscription collects) and died before recording it; Stripe's invoice.paid of 0.15 then
   * pays our invoice: it is compared with what the claim asked for, not with our 30.14.
   */
  @Test
  void invoicePaidBeforeTheClaimIsSettled_isComparedWithWhatTheClaimAskedFor() {
    onProThroughAStripeSubscription("ann");
    tenCoresForTwoHoursAndACredit();
    finalizeMarch();
    long invoice = invoiceOf("ann");
    claimedAtFinalizationByANodeThatDies();

    deliverAt("2026-04-01T02:00:00Z", "evt_paid", "invoice.paid", paidInvoice(invoice, "ann", 15));

    assertEquals("paid", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
    assertEquals(List.of("succeeded 0.15 in_1 -"), payments());
  }

  @Test
  void theJobRunAgainSendsNothing_andAfterACrashMidCallEveryCallIsRepeatedUnderItsOwnKey() {
    load(MIRROR);
    customerWithUsage("ann");
    grant("ann", "0.05");
    finalizeMarch();
    long invoice = invoiceOf("ann");
    // a node claims the row and dies before any call: the lease keeps others off for 10 minutes
    claimedAtFinalizationByANodeThatDies();
    assertEquals(0, collectAt("2026-04-01T01:05:00Z").rowsTouched(), "leased");
    // another node's first try sends everything but dies before it settles: finalize unanswered
    StubMapping down =
        stripe.stubFor(
            post(urlEqualTo(INVOICES + "/in_1/finalize"))
                .atPriority(1)
                .willReturn(
                    aResponse().withStatus(503).withBody("{\"error\":{\"type\":\"api_error\"}}")));
    JobRun outage = collectAt("2026-04-01T01:11:00Z");
    assertTrue(outage.message().contains("deferred 1"), outage.message());
    assertTrue(mirrorRow(invoice).startsWith("pending - 2 "), mirrorRow(invoice));
    List<String> firstTry = keysSent();
    stripe.removeStub(down);

    assertEquals(0, collectAt("2026-04-01T01:11:30Z").rowsTouched(), "backed off");
    JobRun retry = collectAt("2026-04-01T01:13:00Z");
    assertEquals(1, retry.rowsTouched(), retry.message());
    JobRun again = collectAt("2026-04-01T02:00:00Z");
    assertEquals(0, again.rowsTouched(), "sent once");

    List<String> keys = keysSent();
    int lines = rows("SELECT 1 FROM billing_invoice_lines WHERE invoice_id = ?", invoice).size();
    // the second try repeats each call of the first under the same key, and adds none
    List<String> distinct = keys.stream().distinct().toList();
    assertEquals(lines + 2, distinct.size(), "invoice, each line, finalize: " + distinct);
    assertEquals(firstTry.stream().distinct().toList(), distinct);
    assertEquals(2, requestsTo(INVOICES).size(), "the same key twice: Stripe makes one invoice");
    assertEquals("sent in_1 3 -", mirrorRow(invoice));
  }

  /**
   * ann's invoice, whose first try was sent at finalization and never answered, with Stripe's
   * search finding {@code found} by its metadata.
   */
  private long sentADayAgoAndFoundBySearch(String found) {
    load(MIRROR);
    customerWithUsage("ann");
    finalizeMarch();
    claimedAtFinalizationByANodeThatDies();
    stripe.stubFor(
        get(urlPathEqualTo(INVOICES + "/search"))
            .willReturn(
                okJson(
                    """
                    {"object":"search_result","url":"/v1/invoices/search","has_more":false,\
                    "data":[%s]}"""
                        .formatted(found))));
    return invoiceOf("ann");
  }

  @Test
  void aTryADayAfterTheFirstLooksTheStripeInvoiceUpByMetadata_andAddsOnlyTheItemsItLacks() {
    long invoice = sentADayAgoAndFoundBySearch(stripeInvoice("draft", 20));
    stripe.stubFor(
        get(urlPathEqualTo(ITEMS))
            .willReturn(
                okJson(
                    """
                    {"object":"list","url":"/v1/invoiceitems","has_more":false,"data":[\
                    {"id":"ii_1","object":"invoiceitem","amount":20,"currency":"usd",\
                    "invoice":"in_1","livemode":false,\
                    "metadata":{"invoice_id":"%d","line":"1"}}]}"""
                        .formatted(invoice))));
    stripe.stubFor(
        get(urlEqualTo(INVOICES + "/in_1"))
            .atPriority(1)
            .willReturn(okJson(stripeInvoice("draft", 28))));
    stripe.stubFor(
        post(urlEqualTo(INVOICES + "/in_1/finalize"))
            .atPriority(1)
            .willReturn(okJson(stripeInvoice("open", 28))));

    JobRun run = collectAt("2026-04-02T01:00:00Z");

    assertEquals(1, run.rowsTouched(), run.message());
    stripe.verify(1, getRequestedFor(urlPathEqualTo(INVOICES + "/search")));
    stripe.verify(0, postRequestedFor(urlEqualTo(INVOICES)));
    int lines = rows("SELECT 1 FROM billing_invoice_lines WHERE invoice_id = ?", invoice).size();
    List<ServeEvent> items = requestsTo(ITEMS);
    assertEquals(lines - 1, items.size(), "line 1 was added by the first try");
    items.forEach(item -> assertNotEquals("1", form(item).get("metadata[line]")));
    assertEquals("sent in_1 2 -", mirrorRow(invoice));
  }

  @Test
  void aTryADayAfterTheFirstFindingTheStripeInvoiceFinalizedAlready_sendsNothingMore() {
    long invoice = sentADayAgoAndFoundBySearch(stripeInvoice("open", 28));

    JobRun run = collectAt("2026-04-02T01:00:00Z");

    assertEquals(1, run.rowsTouched(), run.message());
    stripe.verify(0, postRequestedFor(urlPathEqualTo(INVOICES)));
    stripe.verify(0, postRequestedFor(urlPathEqualTo(ITEMS)));
    stripe.verify(0, postRequestedFor(urlEqualTo(INVOICES + "/in_1/finalize")));
    assertEquals("sent in_1 2 -", mirrorRow(invoice));
  }

  @Test
  void aStripeTotalOtherThanOursIsNeverFinalized_theMirrorFailsForTheAdmin() {
    load(MIRROR);
    customerWithUsage("ann");
    finalizeMarch();
    long invoice = invoiceOf("ann");
    // ours is 0.28 without a credit; Stripe answers 23 cents

    collectAt(FINALIZED);

    stripe.verify(0, postRequestedFor(urlEqualTo(INVOICES + "/in_1/finalize")));
    assertEquals(
        "failed in_1 1 Stripe's total 23 differs from ours 28: not finalized", mirrorRow(invoice));
  }

  /** ann's mirrored invoice, sent to Stripe as in_1. */
  private long mirrored() {
    load(MIRROR);
    customerWithUsage("ann");
    grant("ann", "0.05");
    finalizeMarch();
    collectAt(FINALIZED);
    long invoice = invoiceOf("ann");
    assertEquals("sent in_1 1 -", mirrorRow(invoice));
    return invoice;
  }

  /** A signed event about ann's Stripe invoice in_1, created and delivered at now. */
  private void deliverAt(String now, String id, String type, String object) {
    billing.clock.set(at(now));
    String payload = event(id, type, at(now), object);
    BillingHarness.Answer answer =
        billing.call(
            HttpMethod.POST,
            "/webhook",
            Caller.ANONYMOUS,
            payload,
            Map.of("stripe-signature", StripeSigning.header(WEBHOOK_SECRET, at(now), payload)));
    assertEquals(200, answer.status(), answer.body().toString());
  }

  private static String paidInvoice(long invoice, String account, long paid) {
    return """
        {"id": "in_1", "object": "invoice", "status": "paid", "amount_due": 23,
         "amount_paid": %d, "amount_remaining": 0, "currency": "usd", "customer": "cus_ann",
         "created": 1775005260, "attempt_count": 1, "livemode": false,
         "metadata": {"account_id": "%s", "invoice_id": "%d"}}"""
        .formatted(paid, account, invoice);
  }

  private static String failedInvoice(long invoice) {
    return """
        {"id": "in_1", "object": "invoice", "status": "open", "amount_due": 23,
         "amount_paid": 0, "amount_remaining": 23, "currency": "usd", "customer": "cus_ann",
         "created": 1775005260, "attempt_count": 1, "next_payment_attempt": 1775264460,
         "last_finalization_error": null, "livemode": false,
         "metadata": {"account_id": "ann", "invoice_id": "%d"}}"""
        .formatted(invoice);
  }

  private static List<Object> payments() {
    return rows(
            "SELECT status || ' ' || amount || ' ' || payment_intent_id || ' '"
                + " || coalesce(failure_code, '-') FROM billing_payments ORDER BY id")
        .stream()
        .map(row -> row.get(0))
        .toList();
  }

  private long published(String type) {
    return billing.context.published().stream().filter(e -> e.startsWith(type + " ")).count();
  }

  private String admitAnn() {
    return billing.billing.admit(new AdmissionRequest("ann", null, size("0.5", "1", "0"))).code();
  }

  @Test
  void invoicePaidPaysOurInvoiceOnce_aReplayChangesNothing() {
    long invoice = mirrored();

    deliverAt("2026-04-01T02:00:00Z", "evt_paid", "invoice.paid", paidInvoice(invoice, "ann", 23));
    Map<String, String> after = BillingHarness.tableContents();
    deliverAt("2026-04-01T02:00:10Z", "evt_paid", "invoice.paid", paidInvoice(invoice, "ann", 23));
    deliverAt(
        "2026-04-01T02:00:20Z", "evt_paid_2", "invoice.paid", paidInvoice(invoice, "ann", 23));

    assertEquals("paid", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
    assertEquals(List.of("succeeded 0.23 in_1 -"), payments());
    assertEquals(1, published("billing.invoice.paid"));
    assertEquals(
        after.get("billing_invoices"), BillingHarness.tableContents().get("billing_invoices"));
    assertEquals(
        after.get("billing_payments"), BillingHarness.tableContents().get("billing_payments"));
    assertEquals("paid in_1 1 -", mirrorRow(invoice));
  }

  @Test
  void anInvoicePaidEventNotOfOurs_noMetadataOrAnotherAccounts_changesNothing() {
    long invoice = mirrored();
    Map<String, String> before = BillingHarness.tableContents();

    deliverAt("2026-04-01T02:00:00Z", "evt_eve", "invoice.paid", paidInvoice(invoice, "eve", 23));
    deliverAt(
        "2026-04-01T02:00:01Z",
        "evt_none",
        "invoice.paid",
        paidInvoice(invoice, "ann", 23)
            .replaceAll("\"metadata\": \\{[^}]*\\}", "\"metadata\": {}"));

    assertEquals(
        before.get("billing_invoices"), BillingHarness.tableContents().get("billing_invoices"));
    assertEquals(List.of(), payments());
    assertEquals("sent in_1 1 -", mirrorRow(invoice));
    assertEquals(0, published("billing.invoice.paid"));
  }

  /**
   * ann's Stripe balance held -1.00 (a credit an earlier mirror left there): Stripe took her
   * 0.23 from it (starting -100, ending -77), charging the card nothing. Our invoice is paid.
   */
  @Test
  void anInvoicePaidFromTheCustomersStripeBalance_paysOurInvoice() {
    long invoice = mirrored();

    deliverAt(
        "2026-04-01T02:00:00Z",
        "evt_paid",
        "invoice.paid",
        paidInvoice(invoice, "ann", 0)
            .replace(
                "\"attempt_count\"",
                "\"starting_balance\": -100, \"ending_balance\": -77," + " \"attempt_count\""));

    assertEquals("paid", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
    assertEquals(List.of("succeeded 0.23 in_1 -"), payments());
  }

  @Test
  void anotherAmountPaidIsRecordedAsAMismatch_andOurInvoiceStaysOpen() {
    long invoice = mirrored();

    deliverAt("2026-04-01T02:00:00Z", "evt_paid", "invoice.paid", paidInvoice(invoice, "ann", 20));

    assertEquals("sent", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
    assertEquals(List.of("amount_mismatch 0.20 in_1 -"), payments());
    assertEquals(0, published("billing.invoice.paid"));
  }

  @Test
  void aFailureIsPublished_ourDunningLocksAfterGrace_paidUnlocks_aLateFailureChangesNothing() {
    long invoice = mirrored();

    deliverAt(
        "2026-04-01T02:00:00Z", "evt_failed", "invoice.payment_failed", failedInvoice(invoice));

    assertEquals("sent", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
    assertEquals(List.of("failed 0.23 in_1 invoice_payment_failed"), payments());
    assertEquals(1, published("billing.payment.failed"));
    assertTrue(mirrorRow(invoice).startsWith("failed in_1 1 invoice_payment_failed: "));
    // our dunning: overdue at the due date (14 days), locked read-only 3 days later
    billing.runAt(FINALIZE_INVOICES, "2026-04-15T02:00:00Z");
    assertEquals("overdue", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
    billing.runAt(CheckQuotasJob.NAME, "2026-04-18T02:00:00Z");
    assertEquals("account_locked", admitAnn());

    deliverAt("2026-04-18T03:00:00Z", "evt_paid", "invoice.paid", paidInvoice(invoice, "ann", 23));

    assertEquals("paid", value("SELECT status FROM billing_invoices WHERE id = ?", invoice));
    assertNotEquals("account_locked", admitAnn());
    assertEquals(1, published("billing.invoice.paid"));
    Map<String, String> paid = BillingHarness.tableContents();

    deliverAt("2026-04-18T04:00:00Z", "evt_late", "invoice.payment_failed", failedInvoice(invoice));

    assertEquals(List.of("succeeded 0.23 in_1 -"), payments());
    assertEquals(1, published("billing.payment.failed"), "published once, before the payment");
    assertEquals(
        paid.get("billing_invoices"), BillingHarness.tableContents().get("billing_invoices"));
    assertEquals(
        paid.get("billing_stripe_invoices"),
        BillingHarness.tableContents().get("billing_stripe_invoices"));
  }

  @Test
  void paymentIntentsModeIsUnchanged_noStripeInvoiceIsMade() {
    load(INTENTS_MODE);
    customerWithUsage("ann");
    finalizeMarch();

    JobRun run = collectAt(FINALIZED);

    assertEquals("sent 1; failed 0; cancelled 0; deferred 0", run.message());
    stripe.verify(0, anyRequestedFor(urlPathEqualTo(INVOICES)));
    stripe.verify(0, anyRequestedFor(urlPathEqualTo(ITEMS)));
    stripe.verify(1, postRequestedFor(urlEqualTo("/v1/payment_intents")));
    assertEquals(0L, value("SELECT count(*) FROM billing_stripe_invoices"));
  }

  private void switchTo(String config) {
    billing.context.setConfigJson(config);
    billing.billing.onConfigChanged(billing.context);
  }

  @Test
  void toStripeInvoices_anInvoiceQueuedBeforeIsChargedWithAPaymentIntent_newOnesMirrored() {
    load(INTENTS_MODE);
    customerWithUsage("ann");
    finalizeMarch();
    long anns = invoiceOf("ann");
    switchTo(MIRROR);
    billing.userCreated("bob", Map.of());
    billing.flush();
    value("INSERT INTO billing_stripe_customers VALUES ('bob', 'cus_bob', now()) RETURNING 1");
    billing.created("2026-04-02T10:00:00Z", "s-bob", "bob", size("2", "4", "0"));
    billing.terminated("2026-04-02T12:00:00Z", "s-bob", "bob");
    billing.calculateUsageAt("2026-05-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");
    long bobs = invoiceOf("bob");
    stripe.stubFor(
        get(urlEqualTo(INVOICES + "/in_1"))
            .atPriority(1)
            .willReturn(okJson(stripeInvoice("draft", 28))));

    collectAt("2026-05-01T01:00:00Z");

    assertEquals("paid", value("SELECT status FROM billing_invoices WHERE id = ?", anns));
    stripe.verify(1, postRequestedFor(urlEqualTo("/v1/payment_intents")));
    assertEquals(List.of(List.of(bobs)), rows("SELECT invoice_id FROM billing_stripe_invoices"));
    assertEquals("bob", form(requestsTo(INVOICES).get(0)).get("metadata[account_id]"));
    assertEquals(
        List.of(List.of(anns)), rows("SELECT DISTINCT invoice_id FROM billing_stripe_collections"));
  }

  @Test
  void backToPaymentIntents_anInvoiceQueuedForTheMirrorIsStillMirrored_neverCharged() {
    load(MIRROR);
    customerWithUsage("ann");
    finalizeMarch();
    long invoice = invoiceOf("ann");
    stripe.stubFor(
        get(urlEqualTo(INVOICES + "/in_1"))
            .atPriority(1)
            .willReturn(okJson(stripeInvoice("draft", 28))));
    switchTo(INTENTS_MODE);

    JobRun run = collectAt(FINALIZED);

    assertEquals(1, run.rowsTouched(), run.message());
    assertTrue(run.message().endsWith("mirrored to Stripe: sent 1, failed 0, void 0, deferred 0"));
    assertEquals("sent in_1 1 -", mirrorRow(invoice));
    stripe.verify(0, postRequestedFor(urlEqualTo("/v1/payment_intents")));
    assertEquals(0L, value("SELECT count(*) FROM billing_stripe_collections"));
  }

  /**
   * Back on payment_intents, ann's subscription still charges her 29.99 of Pro: her invoice stays
   * mirrored (the fee left to the subscription), never charged again with a PaymentIntent.
   */
  @Test
  void backToPaymentIntents_anInvoiceWhosePlanFeeASubscriptionChargesIsNotChargedAgain() {
    onProThroughAStripeSubscription("ann");
    switchTo("{\"stripeEnabled\": true, \"billingMode\": \"hybrid\"}");
    finalizeMarch();
    long invoice = invoiceOf("ann");

    collectAt(FINALIZED);

    assertEquals(0L, value("SELECT count(*) FROM billing_stripe_collections"));
    stripe.verify(0, postRequestedFor(urlEqualTo("/v1/payment_intents")));
    assertEquals("paid - 1 -", mirrorRow(invoice));
  }

  @Test
  void anInvoicePaidOrVoidedBeforeItIsSentIsNeverMirrored() {
    load(MIRROR);
    customerWithUsage("ann");
    finalizeMarch();
    long invoice = invoiceOf("ann");
    assertEquals(
        200,
        billing
            .call(
                HttpMethod.PATCH,
                "/admin/invoices/" + invoice,
                admin("root"),
                "{\"status\": \"paid\", \"note\": \"by hand\"}")
            .status());

    collectAt(FINALIZED);

    stripe.verify(0, anyRequestedFor(urlPathEqualTo(INVOICES)));
    assertEquals("void - 1 invoice is paid", mirrorRow(invoice));
  }

  @Test
  void theBacklogOfCollectPaymentsCountsTheInvoicesWaitingToBeMirrored() {
    load(MIRROR);
    customerWithUsage("ann");
    finalizeMarch();
    var jobs = billing.call(HttpMethod.GET, "/jobs/status", admin("root")).body().get("jobs");
    long backlog = -1;
    for (var job : jobs) {
      if (job.get("name").asText().equals(CollectPaymentsJob.NAME)) {
        backlog = job.get("backlog").asLong();
      }
    }
    assertEquals(1, backlog);
  }
}

package io.streamspace.billing.coupons;

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
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.tableContents;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.streamspace.billing.StripeTestEndpoint;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.StripeSigning;
import io.streamspace.billing.support.StripeSubscriptionFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Coupons and promotion codes, worked by hand, on real PostgreSQL, with the real stripe-java
 * client against WireMock answering as Stripe's API does (Stripe Tax's calculations, the coupon,
 * promotion code and Checkout Session of a subscription Checkout). The default plans: Pro 29.99 USD
 * a month; usage at 0.05 a core-hour and 0.01 a GB-hour.
 */
class CouponsTest {

  private static final String CALCULATIONS = "/v1/tax/calculations";
  private static final WireMockServer stripe = new WireMockServer(options().dynamicPort());

  private BillingHarness billing;

  @BeforeAll
  static void startStripe() {
    stripe.start();
  }

  @AfterAll
  static void stopStripe() {
    stripe.stop();
  }

  @AfterEach
  void unload() {
    if (billing != null) {
      billing.close();
    }
  }

  private void load(String now, String config) {
    stripe.resetAll();
    billing = new BillingHarness(at(now), config);
    billing.context.setSecret("STRIPE_SECRET_KEY", "sk_test_coupons");
    billing.context.setSecret("STRIPE_WEBHOOK_SECRET", StripeSubscriptionFixtures.SECRET);
    StripeTestEndpoint.pointAt(billing.billing, stripe.baseUrl());
  }

  private Answer created(String coupon) {
    return billing.call(
        HttpMethod.POST,
        "/admin/coupons",
        admin("root"),
        coupon.replaceFirst("\\{", "{\"reason\": \"spring campaign\", "));
  }

  private Answer redeem(Caller caller, String body) {
    return billing.call(HttpMethod.POST, "/redeem", caller, body);
  }

  private JsonNode invoice(String org, String periodStart) {
    long id =
        (Long)
            value(
                "SELECT id FROM billing_invoices WHERE user_id = ? AND period_start = ?::timestamptz",
                org,
                periodStart);
    return billing.call(HttpMethod.GET, "/invoices/" + id, admin("root")).body();
  }

  /** An invoice's lines as {@code "n kind amount"}, a discount line with {@code →line}. */
  private static List<String> lines(JsonNode invoice) {
    List<String> lines = new ArrayList<>();
    invoice
        .get("lines")
        .forEach(
            l ->
                lines.add(
                    l.get("line_no").asText()
                        + " "
                        + l.get("kind").asText()
                        + " "
                        + l.get("amount").decimalValue().toPlainString()
                        + (l.has("discounts_line")
                            ? " →" + l.get("discounts_line").asText()
                            : "")));
    return lines;
  }

  private static String decimal(JsonNode node, String pointer) {
    return node.at(pointer).decimalValue().toPlainString();
  }

  /** The form parameters of a request to Stripe, decoded. */
  private static Map<String, String> form(LoggedRequest request) {
    Map<String, String> form = new TreeMap<>();
    for (String pair : request.getBodyAsString().split("&")) {
      String[] kv = pair.split("=", 2);
      form.put(
          URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
    }
    return form;
  }

  /**
   * Stripe Tax answering a calculation of one line of {@code cents} with Washington's 6.5 %
   * state sales tax of {@code tax} cents on it.
   */
  private static void taxes(long cents, long tax) {
    stripe.stubFor(
        post(urlEqualTo(CALCULATIONS))
            .withFormParam("line_items[0][amount]", equalTo(Long.toString(cents)))
            .willReturn(
                okJson(
                    """
                    {"id": "taxcalc_%d", "object": "tax.calculation", "amount_total": %d,
                     "currency": "usd", "customer": null, "livemode": false,
                     "tax_amount_exclusive": %d, "tax_amount_inclusive": 0,
                     "tax_breakdown": [], "tax_date": 1775005200, "expires_at": 1775520000,
                     "line_items": {"object": "list", "has_more": false,
                      "url": "/v1/tax/calculations/taxcalc_1/line_items",
                      "data": [{"id": "tax_li_1", "object": "tax.calculation_line_item",
                       "amount": %d, "amount_tax": %d, "livemode": false, "quantity": 1,
                       "reference": "1", "tax_behavior": "exclusive",
                       "tax_code": "txcd_10000000",
                       "tax_breakdown": [{"amount": %d, "taxable_amount": %d,
                        "jurisdiction": {"country": "US", "display_name": "Washington",
                         "level": "state", "state": "WA"}, "sourcing": "destination",
                        "tax_rate_details": {"display_name": "Sales Tax",
                         "percentage_decimal": "6.5", "tax_type": "sales_tax"},
                        "taxability_reason": "standard_rated"}]}]}}"""
                        .formatted(cents, cents + tax, tax, cents, tax, tax, cents))));
  }

  private void invoicedAt(String instant) {
    billing.calculateUsageAt(instant);
    billing.runAt(GENERATE_INVOICES, instant);
  }

  /**
   * Ann, on Pro (29.99 a month) from January 1 in subscription mode, with Stripe Tax (Washington,
   * 6.5 %), redeems SPRING20 (20 % off Pro's fee for three periods) on January 10. Her January,
   * February and March invoices each have the fee, 29.99, and a discount line of 29.99 × 20 % =
   * 5.998, rounded once to 6.00: 23.99 before tax, on which Stripe Tax is asked, and 1.56 of tax
   * (23.99 × 6.5 % = 1.559): 25.55. April's is 29.99 with 1.95 of tax (1.949): 31.94. MRR is
   * 23.99 at the ends of January and February, 29.99 from March's; the coupon's report says 18.00
   * off three invoices.
   */
  @Test
  void aTwentyPercentCouponForThreePeriods_isTakenOffThePlanFeeBeforeStripeTax_untilTheFourth() {
    load(
        "2026-01-01T00:00:00Z",
        "{\"billingMode\": \"subscription\", \"stripeEnabled\": true, \"stripeTax\": true}");
    billing.userCreated("ann", Map.of("plan", "pro"));
    billing.flush();
    TestDatabase.execute(
        """
        INSERT INTO billing_tax_details (account_id, name, line1, city, state, postal_code,
            country, tax_ids, session_id, event_at, updated_at)
        VALUES ('ann', 'Ann', '1 Main St', 'Olympia', 'WA', '98501', 'US', '[]', 'cs_seed',
                '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')""");
    Answer coupon =
        created(
            """
            {"id": "SPRING20", "percent_off": 20, "duration": "repeating",
             "duration_in_periods": 3, "applies_to": {"plans": ["pro"]},
             "codes": ["spring20"]}""");
    assertEquals(201, coupon.status(), coupon.body().toString());
    assertEquals("[\"SPRING20\"]", coupon.body().get("codes").toString());
    billing.clock.set(at("2026-01-10T09:00:00Z"));

    Answer redeemed = redeem(user("ann"), "{\"code\": \"Spring20\"}");

    assertEquals(201, redeemed.status(), redeemed.body().toString());
    assertEquals("2026-01-01T00:00:00Z", redeemed.body().get("discount_from").asText());
    assertEquals("2026-04-01T00:00:00Z", redeemed.body().get("discount_until").asText());
    assertEquals("20 % off", redeemed.body().at("/terms/description").asText());
    assertEquals(1, billing.published("billing.coupon.redeemed").size());
    // the period's estimate is the invoice's, discount and all
    JsonNode estimate =
        billing.call(HttpMethod.GET, "/spending-limit", user("ann")).body().get("estimate");
    assertEquals("29.99", decimal(estimate, "/plan_fee"), estimate.toString());
    assertEquals("-6.00", decimal(estimate, "/discounts"));
    assertEquals("23.99", decimal(estimate, "/total"));
    taxes(2399, 156);
    taxes(2999, 195);
    for (String first : List.of("2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01")) {
      invoicedAt(first + "T01:00:00Z");
    }

    List<Map<String, String>> asked =
        stripe.findAll(postRequestedFor(urlEqualTo(CALCULATIONS))).stream()
            .map(CouponsTest::form)
            .toList();
    // the discounted fee is the taxable line; the discount line (0 once taken off) is not sent
    assertEquals(4, asked.size(), asked.toString());
    for (int month = 0; month < 4; month++) {
      Map<String, String> request = asked.get(month);
      assertEquals(month < 3 ? "2399" : "2999", request.get("line_items[0][amount]"), "" + month);
      assertEquals("1", request.get("line_items[0][reference]"));
      assertTrue(!request.containsKey("line_items[1][amount]"), request.toString());
    }
    for (String month : List.of("2026-01-01", "2026-02-01", "2026-03-01")) {
      JsonNode invoice = invoice("ann", month + "T00:00:00Z");
      assertEquals(List.of("1 plan_fee 29.99", "2 discount -6.00 →1"), lines(invoice), month);
      assertEquals("23.99", decimal(invoice, "/subtotal"));
      assertEquals("1.56", decimal(invoice, "/tax"));
      assertEquals("25.55", decimal(invoice, "/total"));
      assertEquals("23.99", decimal(invoice, "/tax_lines/0/taxable_amount"));
    }
    JsonNode april = invoice("ann", "2026-04-01T00:00:00Z");
    assertEquals(List.of("1 plan_fee 29.99"), lines(april));
    assertEquals("1.95", decimal(april, "/tax"));
    assertEquals("31.94", decimal(april, "/total"));
    assertEquals(
        "Coupon SPRING20 (20 % off): Pro, 2026-01-01 – 2026-02-01",
        invoice("ann", "2026-01-01T00:00:00Z").at("/lines/1/description").asText());

    // the discount line explained: which coupon, which line, the percentage
    long january = invoice("ann", "2026-01-01T00:00:00Z").get("id").asLong();
    JsonNode explained =
        billing
            .call(HttpMethod.GET, "/invoices/" + january + "/lines/2/explain", user("ann"))
            .body();
    assertEquals("SPRING20", explained.at("/discount/coupon_id").asText(), explained.toString());
    assertEquals("SPRING20", explained.at("/discount/code").asText());
    assertEquals("20", decimal(explained, "/discount/percent_off"));
    assertEquals("[1]", explained.at("/discount/lines").toString());
    assertEquals("coupon", explained.at("/records/0/source").asText());
    assertEquals("29.99", decimal(explained, "/records/0/quantity"));
    assertEquals("-0.2", decimal(explained, "/records/0/unit_price"));
    assertEquals("-6.00", decimal(explained, "/records/0/amount"));
    assertTrue(explained.at("/sums/matches_line").booleanValue());

    // revenue and MRR net of the discount
    assertEquals(
        List.of(List.of(new BigDecimal("23.99"), 1L)),
        rows(
            """
            SELECT amount, lines FROM billing_revenue_lines
            WHERE period_start = '2026-01-01T00:00:00Z' AND plan_fee AND billed = 'pro'"""));
    JsonNode months =
        billing
            .call(HttpMethod.GET, "/admin/analytics?from=2026-01&to=2026-04", admin("root"))
            .body()
            .get("months");
    List<String> mrr = new ArrayList<>();
    months.forEach(m -> mrr.add(m.get("month").asText() + " " + decimal(m, "/mrr")));
    assertEquals(List.of("2026-01 23.99", "2026-02 23.99", "2026-03 29.99", "2026-04 29.99"), mrr);
    assertEquals("6.00", decimal(months.get(2), "/expansion_mrr"));

    // a credit note gives back no more of the fee than was charged for it: 29.99 − 6.00
    Answer note =
        billing.call(
            HttpMethod.POST,
            "/admin/invoices/" + january + "/credit-notes",
            admin("root"),
            """
            {"lines": [{"line": 1, "amount": 29.99}], "reason": "the whole fee",
             "refund": "none"}""");
    assertEquals(409, note.status(), note.body().toString());
    assertEquals("over_credit", note.body().at("/error/code").asText());
    assertEquals("23.99", decimal(note.body(), "/error/holds"));

    JsonNode report =
        billing.call(HttpMethod.GET, "/admin/coupons/SPRING20/report", admin("root")).body();
    assertEquals(1, report.get("redemptions").intValue(), report.toString());
    assertEquals(1, report.get("organizations").intValue());
    assertEquals("USD", report.at("/discounted/0/currency").asText());
    assertEquals("18.00", decimal(report, "/discounted/0/amount"));
    assertEquals(3, report.at("/discounted/0/invoices").intValue());
    assertEquals("ann", report.at("/by_organization/0/org_id").asText());
    assertEquals(
        List.of(
            List.of("coupon.created", "coupon:SPRING20", "admin"),
            List.of("coupon.redeemed", "coupon:SPRING20", "user")),
        rows(
            """
            SELECT kind, subject, actor_type FROM billing_audit_entries
            WHERE kind LIKE 'coupon.%' ORDER BY id"""));
  }

  /**
   * In March, ann and bob each ran 2 cores and 4 GB for 100 hours (usage mode): CPU 10.00 and
   * memory 4.00. Ann's FIVE (5.00 USD off both meters) is shared in proportion, by largest
   * remainder: 5.00 × 10 / 14 = 3.571 and 5.00 × 4 / 14 = 1.428 floor to 3.57 and 1.42, the cent
   * left going to memory's larger remainder: −3.57 and −1.43, 9.00 to pay. Bob's TWENTY (20.00
   * off) takes no more than the lines: −10.00 and −4.00, nothing to pay. A VND organization
   * cannot redeem a USD amount.
   */
  @Test
  void anAmountOffInACurrency_isSharedAmongItsLinesByLargestRemainder_neverMoreThanThey() {
    load("2026-03-01T00:00:00Z", "{}");
    for (String org : List.of("ann", "bob")) {
      billing.userCreated(org, Map.of());
      billing.flush();
      billing.session(
          "s-" + org, org, "2026-03-02T00:00:00Z", "2026-03-06T04:00:00Z", size("2", "4", "0"));
    }
    billing.userCreated("vi", Map.of("currency", "VND"));
    billing.flush();
    String meters = "\"applies_to\": {\"meters\": [\"cpu_cores\", \"memory_gb\"]}";
    assertEquals(
        201,
        created(
                "{\"id\": \"FIVE\", \"amount_off\": 5.00, \"currency\": \"USD\","
                    + " \"duration\": \"once\", \"codes\": [\"FIVE-OFF\"], "
                    + meters
                    + "}")
            .status());
    assertEquals(
        201,
        created(
                "{\"id\": \"TWENTY\", \"amount_off\": 20, \"currency\": \"USD\","
                    + " \"duration\": \"once\", \"codes\": [\"TWENTY-OFF\"], "
                    + meters
                    + "}")
            .status());
    billing.clock.set(at("2026-03-10T00:00:00Z"));
    assertEquals(201, redeem(user("ann"), "{\"code\": \"five-off\"}").status());
    assertEquals(201, redeem(user("bob"), "{\"code\": \"twenty-off\"}").status());
    Map<String, String> before = tableContents();

    Answer vnd = redeem(user("vi"), "{\"code\": \"FIVE-OFF\"}");

    assertEquals(409, vnd.status(), vnd.body().toString());
    assertEquals("currency_mismatch", vnd.body().at("/error/code").asText());
    assertEquals(before, tableContents(), "a refusal changes nothing");

    invoicedAt("2026-04-01T01:00:00Z");

    JsonNode ann = invoice("ann", "2026-03-01T00:00:00Z");
    assertEquals(
        List.of("1 usage 10.00", "2 usage 4.00", "3 discount -3.57 →1", "4 discount -1.43 →2"),
        lines(ann));
    assertEquals("9.00", decimal(ann, "/subtotal"));
    assertEquals("9.00", decimal(ann, "/total"));
    JsonNode bob = invoice("bob", "2026-03-01T00:00:00Z");
    assertEquals(
        List.of("1 usage 10.00", "2 usage 4.00", "3 discount -10.00 →1", "4 discount -4.00 →2"),
        lines(bob));
    assertEquals("0.00", decimal(bob, "/total"));
    assertEquals("paid", bob.get("status").asText());
    JsonNode explained =
        billing
            .call(
                HttpMethod.GET,
                "/invoices/" + ann.get("id").asLong() + "/lines/4/explain",
                admin("root"))
            .body();
    assertEquals("5.00", decimal(explained, "/discount/amount_off"), explained.toString());
    assertEquals("USD", explained.at("/discount/currency").asText());
    assertEquals("[1,2]", explained.at("/discount/lines").toString());
    assertEquals("14.00", decimal(explained, "/discount/lines_total"));
    assertEquals("-1.43", decimal(explained, "/records/0/amount"));
    assertTrue(explained.at("/sums/matches_line").booleanValue());
  }

  /**
   * THREE may be redeemed three times: eight organizations' Owners redeem it at once, and exactly
   * three are answered 201, the other five 409 coupon_exhausted.
   */
  @Test
  void maxRedemptionsHoldUnderConcurrentRedemptions() throws Exception {
    load("2026-03-01T00:00:00Z", "{}");
    List<String> owners = List.of("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8");
    owners.forEach(owner -> billing.userCreated(owner, Map.of()));
    billing.flush();
    assertEquals(
        201,
        created(
                """
                {"id": "THREE", "percent_off": 10, "duration": "forever", "max_redemptions": 3,
                 "applies_to": {"plans": ["pro"], "store": true}, "codes": ["THREE"]}""")
            .status());
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(owners.size());
    List<Future<Answer>> answers = new ArrayList<>();
    for (String owner : owners) {
      answers.add(
          threads.submit(
              () -> {
                start.await();
                return redeem(user(owner), "{\"code\": \"THREE\"}");
              }));
    }
    start.countDown();
    Map<String, Integer> statuses = new TreeMap<>();
    for (Future<Answer> answer : answers) {
      Answer a = answer.get();
      String key = a.status() + " " + a.body().at("/error/code").asText("");
      statuses.merge(key, 1, Integer::sum);
    }
    threads.shutdown();

    assertEquals(Map.of("201 ", 3, "409 coupon_exhausted", 5), statuses);
    assertEquals(3, value("SELECT redemptions FROM billing_coupons WHERE id = 'THREE'"));
    assertEquals(3L, value("SELECT count(*) FROM billing_coupon_redemptions"));
    assertEquals(3, billing.published("billing.coupon.redeemed").size());
    JsonNode coupon = billing.call(HttpMethod.GET, "/admin/coupons/THREE", admin("root")).body();
    assertEquals(3, coupon.get("redemptions").intValue());
  }

  /**
   * What is refused, each with nothing changed: a coupon's bad fields (400 naming them), its id
   * again with other terms, a code another coupon has; an Admin's or a Member's redemption (403,
   * the Owner's only); a code past its coupon's redeem_by, a deactivated coupon's, a second
   * discount while one runs. A coupon created again with the same terms, and a code redeemed
   * again, are answered as they are (200).
   */
  @Test
  void refusalsChangeNothing_andRetriesAreAnsweredAsBefore() {
    load("2026-01-01T00:00:00Z", "{}");
    OrgFixtures.opened(billing, "acme", "Acme", "olivia", "USD", "pro", "2026-01-01T00:00:00Z");
    OrgFixtures.added("acme", "adam", "admin", "2026-01-01T00:00:00Z");
    OrgFixtures.added("acme", "mia", "member", "2026-01-01T00:00:00Z");
    String early =
        """
        {"id": "EARLY", "percent_off": 15, "duration": "once", "redeem_by": "2026-01-15T00:00:00Z",
         "applies_to": {"plans": ["pro"]}, "codes": ["EARLY-BIRD"]}""";
    assertEquals(201, created(early).status());
    Map<String, String> before = tableContents();
    Map<String, String> bad =
        Map.of(
            "percent_off",
            "{\"id\": \"X\", \"percent_off\": 120, \"duration\": \"once\","
                + " \"applies_to\": {\"store\": true}, \"codes\": [\"XXX\"]}",
            "applies_to.plans[0]",
            "{\"id\": \"X\", \"percent_off\": 10, \"duration\": \"once\","
                + " \"applies_to\": {\"plans\": [\"gold\"]}, \"codes\": [\"XXX\"]}",
            "duration_in_periods",
            "{\"id\": \"X\", \"percent_off\": 10, \"duration\": \"repeating\","
                + " \"applies_to\": {\"store\": true}, \"codes\": [\"XXX\"]}",
            "amount_off",
            "{\"id\": \"X\", \"amount_off\": 1.005, \"currency\": \"USD\", \"duration\": \"once\","
                + " \"applies_to\": {\"store\": true}, \"codes\": [\"XXX\"]}",
            "codes",
            "{\"id\": \"X\", \"percent_off\": 10, \"duration\": \"once\","
                + " \"applies_to\": {\"store\": true}}",
            "applies_to",
            "{\"id\": \"X\", \"percent_off\": 10, \"duration\": \"once\", \"codes\": [\"XXX\"]}");
    bad.forEach(
        (field, body) -> {
          Answer refused = created(body);
          assertEquals(400, refused.status(), refused.body().toString());
          assertEquals(field, refused.errorField(), refused.body().toString());
        });
    Answer noReason =
        billing.call(
            HttpMethod.POST,
            "/admin/coupons",
            admin("root"),
            "{\"id\": \"X\", \"percent_off\": 10, \"duration\": \"once\","
                + " \"applies_to\": {\"store\": true}, \"codes\": [\"XXX\"]}");
    assertEquals("reason", noReason.errorField());
    Answer exists = created(early.replace("15", "25"));
    assertEquals("coupon_exists", exists.body().at("/error/code").asText(), exists.toString());
    Answer taken = created(early.replace("\"EARLY\"", "\"OTHER\""));
    assertEquals("code_taken", taken.body().at("/error/code").asText(), taken.toString());
    for (String caller : List.of("adam", "mia")) {
      Answer forbidden = redeem(user(caller), "{\"org_id\": \"acme\", \"code\": \"EARLY-BIRD\"}");
      assertEquals(403, forbidden.status(), caller);
      assertEquals("owner_required", forbidden.body().at("/error/code").asText());
    }
    assertEquals(before, tableContents(), "the refusals changed nothing");
    assertEquals(200, created(early).status(), "the same coupon again");

    Answer redeemed = redeem(user("olivia"), "{\"org_id\": \"acme\", \"code\": \"EARLY-BIRD\"}");
    assertEquals(201, redeemed.status(), redeemed.body().toString());
    Answer again = redeem(user("olivia"), "{\"org_id\": \"acme\", \"code\": \"early-bird\"}");
    assertEquals(200, again.status());
    assertEquals(redeemed.body().get("id"), again.body().get("id"));
    assertEquals(1, billing.published("billing.coupon.redeemed").size());
    assertEquals(
        "EARLY",
        billing
            .call(HttpMethod.GET, "/discount?org_id=acme", user("adam"))
            .body()
            .at("/discount/coupon_id")
            .asText());

    // past redeem_by, deactivated, and while a discount runs
    billing.userCreated("gus", Map.of("plan", "pro"));
    billing.flush();
    assertEquals(
        201,
        created(
                """
                {"id": "LATER", "percent_off": 5, "duration": "forever",
                 "applies_to": {"plans": ["pro"]}, "codes": ["LATER"]}""")
            .status());
    billing.clock.set(at("2026-01-15T00:00:00Z"));
    Map<String, String> then = tableContents();
    assertEquals(
        "coupon_expired",
        redeem(user("gus"), "{\"code\": \"EARLY-BIRD\"}").body().at("/error/code").asText());
    assertEquals(
        "discount_active",
        redeem(user("olivia"), "{\"org_id\": \"acme\", \"code\": \"LATER\"}")
            .body()
            .at("/error/code")
            .asText());
    assertEquals(then, tableContents(), "nothing redeemed");
    billing.call(
        HttpMethod.POST,
        "/admin/coupons/LATER/deactivate",
        admin("root"),
        "{\"reason\": \"campaign over\"}");
    assertEquals(
        "coupon_inactive",
        redeem(user("gus"), "{\"code\": \"LATER\"}").body().at("/error/code").asText());
    assertEquals(
        "no promotion code NOPE", redeem(user("gus"), "{\"code\": \"nope\"}").errorMessage());
  }

  /**
   * Dan (on Pro, Stripe Billing: plan Checkouts in subscription mode) buys Enterprise with the
   * code LAUNCH25 (25 % off Enterprise, once): the coupon and its code are mirrored to Stripe, and
   * the Checkout Session carries the promotion code as its discount (Stripe keeps it on the
   * Subscription); the session's completion redeems it for dan.
   */
  @Test
  void aPromotionCodeThroughCheckout_isTheSessionsDiscountAtStripe_andRedeemedAtItsCompletion() {
    stripe.resetAll();
    billing =
        StripeSubscriptionFixtures.danOnPro(
            StripeSubscriptionFixtures.STRIPE_INVOICES, stripe, at("2026-03-16T12:34:56Z"));
    assertEquals(
        201,
        created(
                """
                {"id": "LAUNCH", "percent_off": 25, "duration": "once",
                 "applies_to": {"plans": ["enterprise"]}, "codes": ["LAUNCH25"]}""")
            .status());
    StripeSubscriptionFixtures.enterprisePriceAtStripe(stripe);
    StripeSubscriptionFixtures.sessionCreated(stripe, "cs_sub_1", "subscription");
    stripe.stubFor(
        post(urlEqualTo("/v1/coupons"))
            .willReturn(
                okJson(
                    """
                    {"id": "ss_coupon_LAUNCH", "object": "coupon", "percent_off": 25.0,
                     "duration": "once", "valid": true, "livemode": false, "metadata": {}}""")));
    stripe.stubFor(
        post(urlEqualTo("/v1/promotion_codes"))
            .willReturn(
                okJson(
                    """
                    {"id": "promo_launch", "object": "promotion_code", "code": "LAUNCH25",
                     "active": true, "livemode": false, "metadata": {}}""")));
    String urls = StripeSubscriptionFixtures.URLS;

    Answer unknown =
        billing.call(
            HttpMethod.POST,
            "/create-checkout",
            user("dan"),
            "{\"plan_id\": \"enterprise\", \"promotion_code\": \"NOPE\", " + urls + "}");
    Answer checkout =
        billing.call(
            HttpMethod.POST,
            "/create-checkout",
            user("dan"),
            "{\"plan_id\": \"enterprise\", \"promotion_code\": \"launch25\", " + urls + "}");

    assertEquals(400, unknown.status());
    assertEquals("promotion_code", unknown.errorField());
    assertEquals(200, checkout.status(), checkout.body().toString());
    stripe.verify(1, postRequestedFor(urlEqualTo("/v1/checkout/sessions")));
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
            .withFormParam("mode", equalTo("subscription"))
            .withFormParam("discounts[0][promotion_code]", equalTo("promo_launch"))
            .withFormParam("metadata[promotion_code]", equalTo("LAUNCH25")));
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/coupons"))
            .withHeader("Idempotency-Key", equalTo("ss-coupon-LAUNCH"))
            .withFormParam("id", equalTo("ss_coupon_LAUNCH"))
            .withFormParam("percent_off", equalTo("25"))
            .withFormParam("duration", equalTo("once")));
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/promotion_codes"))
            .withFormParam("code", equalTo("LAUNCH25"))
            .withFormParam("promotion[type]", equalTo("coupon"))
            .withFormParam("promotion[coupon]", equalTo("ss_coupon_LAUNCH")));
    assertEquals(
        "promo_launch",
        value(
            "SELECT stripe_promotion_code_id FROM billing_promotion_codes WHERE code = ?",
            "LAUNCH25"));
    assertEquals(0L, value("SELECT count(*) FROM billing_coupon_redemptions"), "not yet");

    String session =
        StripeSubscriptionFixtures.subscriptionSession("cs_sub_1", "enterprise", "sub_1")
            .replace(
                "\"plan_id\": \"enterprise\"}",
                "\"plan_id\": \"enterprise\", \"promotion_code\": \"LAUNCH25\"}");
    StripeSigning.delivered(
        billing,
        StripeSubscriptionFixtures.SECRET,
        StripeSigning.event(
            "evt_1", "checkout.session.completed", billing.clock.instant(), session));

    JsonNode discount = billing.call(HttpMethod.GET, "/discount", user("dan")).body();
    assertEquals("LAUNCH", discount.at("/discount/coupon_id").asText(), discount.toString());
    assertEquals("checkout", discount.at("/discount/via").asText());
    assertEquals(1, billing.published("billing.coupon.redeemed").size());
    assertEquals("enterprise", StripeSubscriptionFixtures.planOfDan(billing));
  }

  /**
   * Dan (on Pro, Stripe Billing, no Subscription yet) redeems EVERY3 (20 % off Enterprise for
   * three periods) on March 16 with {@code POST /redeem}: March, April and May. On April 10 he
   * buys Enterprise through Checkout without a code: the session carries the discount he holds,
   * for the two periods it has left (Stripe's coupon {@code ss_coupon_EVERY3_2mo}, repeating 2
   * months), so Stripe takes it off the fee our invoices leave to the Subscription; nothing is
   * redeemed again.
   */
  @Test
  void aDiscountRedeemedBeforeASubscription_isCarriedByItsCheckout_forThePeriodsItHasLeft() {
    stripe.resetAll();
    billing =
        StripeSubscriptionFixtures.danOnPro(
            StripeSubscriptionFixtures.STRIPE_INVOICES, stripe, at("2026-03-16T12:00:00Z"));
    every3RedeemedByDan();
    stripe.verify(0, postRequestedFor(urlEqualTo("/v1/coupons")));
    billing.clock.set(at("2026-04-10T00:00:00Z"));
    StripeSubscriptionFixtures.enterprisePriceAtStripe(stripe);
    StripeSubscriptionFixtures.sessionCreated(stripe, "cs_sub_2", "subscription");
    stripeMakesEvery3ForTwoMonths();

    Answer checkout =
        billing.call(
            HttpMethod.POST,
            "/create-checkout",
            user("dan"),
            "{\"plan_id\": \"enterprise\", " + StripeSubscriptionFixtures.URLS + "}");

    assertEquals(200, checkout.status(), checkout.body().toString());
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/coupons"))
            .withFormParam("id", equalTo("ss_coupon_EVERY3_2mo"))
            .withFormParam("percent_off", equalTo("20"))
            .withFormParam("duration", equalTo("repeating"))
            .withFormParam("duration_in_months", equalTo("2")));
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
            .withFormParam("mode", equalTo("subscription"))
            .withFormParam("discounts[0][coupon]", equalTo("ss_coupon_EVERY3_2mo"))
            .withoutFormParam("metadata[promotion_code]"));
    assertEquals(1L, value("SELECT count(*) FROM billing_coupon_redemptions"), "not again");
  }

  /**
   * Dan's Stripe Subscription sub_1 runs on Pro; on March 16 he redeems EVERY3 (20 % off
   * Enterprise for three periods), which Pro's fee does not take, so nothing goes to Stripe. On
   * April 10 he moves sub_1 to Enterprise in the Customer Portal, which carries no discount: the
   * event moves dan and gives sub_1 the discount he holds, for the two periods it has left
   * ({@code ss_coupon_EVERY3_2mo}), once however often the event comes. Without it Stripe would
   * charge Enterprise's fee in full, which our invoices leave to the Subscription. Moved back to
   * Pro, then to Enterprise again with the discount Stripe kept, sub_1 is not updated again.
   */
  @Test
  void aDiscountHeldOffAPlanItDoesNotCover_isGivenToTheSubscriptionThePortalMovesOntoOne() {
    every3HeldByDanOnProUntilApril10();
    String onEnterprise = sub1OnEnterprise();
    stripe.stubFor(post(urlEqualTo("/v1/subscriptions/sub_1")).willReturn(okJson(onEnterprise)));

    portalMoved("evt_portal", onEnterprise);
    portalMoved("evt_portal", onEnterprise);
    // back to Pro, which EVERY3 does not take, then to Enterprise with Stripe's discount kept
    billing.clock.set(at("2026-04-11T00:00:00Z"));
    portalMoved(
        "evt_back",
        onEnterprise.replace(
            StripeSubscriptionFixtures.price("price_ent", "enterprise", 9999),
            StripeSubscriptionFixtures.price("price_pro", "pro", 2999)));
    assertEquals("pro", StripeSubscriptionFixtures.planOfDan(billing));
    billing.clock.set(at("2026-04-12T00:00:00Z"));
    portalMoved(
        "evt_again",
        onEnterprise.replace("\"metadata\":", "\"discounts\": [\"di_1\"], \"metadata\":"));

    assertEquals("enterprise", StripeSubscriptionFixtures.planOfDan(billing));
    stripe.verify(1, postRequestedFor(urlEqualTo("/v1/subscriptions/sub_1")));
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/subscriptions/sub_1"))
            .withHeader("Idempotency-Key", equalTo("ss-portal-evt_portal"))
            .withFormParam("discounts[0][coupon]", equalTo("ss_coupon_EVERY3_2mo")));
    stripe.verify(
        postRequestedFor(urlEqualTo("/v1/coupons"))
            .withFormParam("duration", equalTo("repeating"))
            .withFormParam("duration_in_months", equalTo("2")));
    assertEquals(1L, value("SELECT count(*) FROM billing_coupon_redemptions"), "not again");
  }

  /**
   * The same move, Stripe refusing the Subscription's update (400): the move stands and the event
   * counts as applied (its answer 200, not an error for Stripe to deliver again for three days
   * while dan stayed on Pro here); the refusal is logged, to give the coupon by hand.
   */
  @Test
  void aDiscountStripeRefusesToCarry_leavesTheMoveStanding() {
    every3HeldByDanOnProUntilApril10();
    stripe.stubFor(
        post(urlEqualTo("/v1/subscriptions/sub_1"))
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        """
                        {"error": {"type": "invalid_request_error",
                         "message": "This coupon cannot be applied to this subscription."}}""")));

    portalMoved("evt_portal", sub1OnEnterprise());

    assertEquals("enterprise", StripeSubscriptionFixtures.planOfDan(billing));
    stripe.verify(1, postRequestedFor(urlEqualTo("/v1/subscriptions/sub_1")));
    assertEquals(
        1L, value("SELECT count(*) FROM billing_stripe_events WHERE event_id = 'evt_portal'"));
  }

  /**
   * Dan on Pro with Stripe Subscription sub_1, EVERY3 (20 % off Enterprise for three periods)
   * redeemed on March 16 and kept off Stripe (Pro's fee does not take it); now April 10, and
   * Stripe makes {@code ss_coupon_EVERY3_2mo} when asked.
   */
  private void every3HeldByDanOnProUntilApril10() {
    stripe.resetAll();
    billing =
        StripeSubscriptionFixtures.danOnPro(
            StripeSubscriptionFixtures.STRIPE_INVOICES, stripe, at("2026-03-16T12:00:00Z"));
    TestDatabase.execute(
        """
        INSERT INTO billing_stripe_subscriptions (subscription_id, account_id, plan_id, status,
            event_at, updated_at, started_at)
        VALUES ('sub_1', 'dan', 'pro', 'active', '2026-03-16T11:34:56Z',
            '2026-03-16T11:34:56Z', '2026-03-16T11:34:56Z')""");
    every3RedeemedByDan();
    stripe.verify(0, postRequestedFor(urlEqualTo("/v1/subscriptions/sub_1")));
    billing.clock.set(at("2026-04-10T00:00:00Z"));
    stripeMakesEvery3ForTwoMonths();
  }

  /** Stripe's {@code customer.subscription.updated} {@code event} of now, delivered signed. */
  private void portalMoved(String event, String subscription) {
    StripeSigning.delivered(
        billing,
        StripeSubscriptionFixtures.SECRET,
        StripeSigning.event(
            event, "customer.subscription.updated", billing.clock.instant(), subscription));
  }

  /** sub_1 as Stripe shows it once the Portal moved it to Enterprise's price, no discount. */
  private static String sub1OnEnterprise() {
    return StripeSubscriptionFixtures.subscription(
        "sub_1",
        "active",
        StripeSubscriptionFixtures.price("price_ent", "enterprise", 9999),
        false,
        StripeSubscriptionFixtures.metadataOf("pro"));
  }

  /** EVERY3, 20 % off Enterprise for three periods, made and redeemed by dan now. */
  private void every3RedeemedByDan() {
    created(
        """
        {"id": "EVERY3", "percent_off": 20, "duration": "repeating", "duration_in_periods": 3,
         "applies_to": {"plans": ["enterprise"]}, "codes": ["EVERY3"]}""");
    assertEquals(201, redeem(user("dan"), "{\"org_id\": \"dan\", \"code\": \"EVERY3\"}").status());
  }

  /** Stripe answers the coupon for EVERY3's last two periods, {@code ss_coupon_EVERY3_2mo}. */
  private static void stripeMakesEvery3ForTwoMonths() {
    stripe.stubFor(
        post(urlEqualTo("/v1/coupons"))
            .willReturn(
                okJson(
                    """
                    {"id": "ss_coupon_EVERY3_2mo", "object": "coupon", "percent_off": 20.0,
                     "duration": "repeating", "duration_in_months": 2, "valid": true,
                     "livemode": false, "metadata": {}}""")));
  }
}

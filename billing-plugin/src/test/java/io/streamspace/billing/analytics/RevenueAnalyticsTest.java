package io.streamspace.billing.analytics;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.plugin.api.jobs.JobOutcome.SUCCEEDED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * February 2026's subscription figures through {@code GET /admin/analytics}, from plan terms
 * recorded as plan changes record them, every movement in one month, worked by hand (UTC; hybrid
 * billing mode, which charges plan fees; Pro 29.99, Enterprise 99.99 a month, Free 0). Opened on
 * 15 December 2025:
 *
 * <ul>
 *   <li>ann, Pro; upgrades to Enterprise on Feb 10: expansion 99.99 − 29.99 = 70.00.
 *   <li>bob, Enterprise; downgrades to Pro on Feb 12: contraction 70.00.
 *   <li>cat, Pro; down to Free on Feb 5: churned 29.99.
 *   <li>dan, Free; to Pro on Feb 20, never paid before: new 29.99, converted.
 *   <li>eve, Pro; to Free on Jan 10, back to Pro on Feb 15: reactivation 29.99.
 *   <li>fay, Free all along: could convert, did not.
 *   <li>gus, Pro; to Enterprise on Feb 3 and back to Pro on Feb 8: no movement.
 * </ul>
 *
 * Opened in February: hal on Free (Feb 14), ida on Pro (Feb 20, new 29.99, converted).
 *
 * <p>MRR on Feb 1: ann 29.99 + bob 99.99 + cat 29.99 + gus 29.99 = 189.96 (4 paying). On Mar 1:
 * ann 99.99 + (bob, dan, eve, gus, ida) 5 × 29.99 = 249.94 (6 paying); 189.96 + new 59.98 +
 * reactivation 29.99 + expansion 70.00 − contraction 70.00 − churned 29.99 = 249.94. Logo churn 1
 * ÷ 4 = 0.2500; revenue churn (29.99 + 70.00) ÷ 189.96 = 0.52637… → 0.5264; conversion (dan, fay,
 * hal, ida could; dan and ida did) 2 ÷ 4 = 0.5000; ARPA 249.94 ÷ 6 = 41.656… → 41.66.
 */
class RevenueAnalyticsTest {

  /** The harness's USD and VND config in hybrid mode: plan fees are charged, so they are MRR. */
  static final String HYBRID_CONFIG =
      "{\"billingMode\": \"hybrid\", " + BillingHarness.USD_AND_VND_CONFIG.strip().substring(1);

  private final BillingHarness billing =
      new BillingHarness(at("2025-12-15T00:00:00Z"), HYBRID_CONFIG);

  @AfterEach
  void unload() {
    billing.close();
  }

  private void opened(String user, String plan, String at) {
    billing.clock.set(at(at));
    billing.userCreated(user, Map.of("plan", plan));
    billing.flush();
  }

  /** The organization's plan from {@code at} on, its term before ended then. */
  private static void changed(String user, String at, String plan, String name, String price) {
    BillingHarness.rows(
        """
        WITH ended AS (
          UPDATE billing_subscriptions SET ended_at = ?::timestamptz
          WHERE user_id = ? AND ended_at IS NULL RETURNING currency)
        INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
            billing_interval, started_at)
        SELECT ?, ?, ?, ?::numeric, currency, 'month', ?::timestamptz FROM ended
        RETURNING id""",
        at,
        user,
        user,
        plan,
        name,
        price,
        at);
  }

  private static void pro(String user, String at) {
    changed(user, at, "pro", "Professional", "29.99");
  }

  private static void enterprise(String user, String at) {
    changed(user, at, "enterprise", "Enterprise", "99.99");
  }

  private static void free(String user, String at) {
    changed(user, at, "free", "Free Tier", "0");
  }

  @Test
  void aMonthWithAnUpgradeADowngradeAChurnANewAndAReactivation_movesAsWorkedByHand() {
    everyMovementInFebruary();
    billing.clock.set(at("2026-03-05T00:00:00Z"));

    Answer answer =
        billing.call(HttpMethod.GET, "/admin/analytics?from=2026-02&to=2026-02", admin("root"));

    assertEquals(200, answer.status(), answer.toString());
    JsonNode february = answer.body().at("/months/0");
    assertEquals("2026-02", february.get("month").asText());
    assertEquals("USD", february.get("currency").asText());
    assertEquals(
        "mrr 249.94 new 59.98 expansion 70.00 contraction 70.00 churned 29.99 reactivation 29.99"
            + " logo 0.2500 revenue 0.5264 conversion 0.5000 arpa 41.66",
        "mrr %s new %s expansion %s contraction %s churned %s reactivation %s logo %s revenue %s"
                .formatted(
                    plain(february, "mrr"),
                    plain(february, "new_mrr"),
                    plain(february, "expansion_mrr"),
                    plain(february, "contraction_mrr"),
                    plain(february, "churned_mrr"),
                    plain(february, "reactivation_mrr"),
                    plain(february, "logo_churn_rate"),
                    plain(february, "revenue_churn_rate"))
            + " conversion %s arpa %s"
                .formatted(plain(february, "conversion_rate"), plain(february, "arpa")));
    assertEquals(4, february.get("paying_at_start").asInt());
    assertEquals(6, february.get("paying_at_end").asInt());
    assertTrue(
        answer.body().at("/definitions/revenue_churn_rate").asText().contains("contraction"),
        "each figure's formula beside it");
  }

  /** The organizations and plan changes of the class comment. */
  private void everyMovementInFebruary() {
    for (String user : new String[] {"ann", "cat", "eve", "gus"}) {
      opened(user, "pro", "2025-12-15T00:00:00Z");
    }
    opened("bob", "enterprise", "2025-12-15T00:00:00Z");
    opened("dan", "free", "2025-12-15T00:00:00Z");
    opened("fay", "free", "2025-12-15T00:00:00Z");
    free("eve", "2026-01-10T00:00:00Z");
    enterprise("gus", "2026-02-03T00:00:00Z");
    free("cat", "2026-02-05T00:00:00Z");
    pro("gus", "2026-02-08T00:00:00Z");
    enterprise("ann", "2026-02-10T00:00:00Z");
    pro("bob", "2026-02-12T00:00:00Z");
    opened("hal", "free", "2026-02-14T00:00:00Z");
    pro("eve", "2026-02-15T00:00:00Z");
    pro("dan", "2026-02-20T00:00:00Z");
    opened("ida", "pro", "2026-02-20T00:00:00Z");
  }

  @Test
  void theOrganizationsOpenedInAMonthAreACohort_howManyEverPaid_andHowManyOfThoseMovedUp() {
    everyMovementInFebruary();
    billing.clock.set(at("2026-03-05T00:00:00Z"));

    JsonNode cohorts =
        billing
            .call(HttpMethod.GET, "/admin/analytics?from=2025-12&to=2026-02", admin("root"))
            .body()
            .get("cohorts");

    // December: seven opened; all but fay paid at some time (6); of those, ann and gus moved
    // from Pro up to Enterprise (eve's and dan's steps up were from Free: conversions, not
    // upgrades). February: hal and ida; ida paid
    java.util.List<String> shown = new java.util.ArrayList<>();
    cohorts.forEach(
        c ->
            shown.add(
                "%s %s %d %d %d %s %s"
                    .formatted(
                        c.get("cohort").asText(),
                        c.get("currency").asText(),
                        c.get("organizations").asInt(),
                        c.get("converted").asInt(),
                        c.get("upgraded").asInt(),
                        c.get("conversion_rate").decimalValue().toPlainString(),
                        c.get("upgrade_rate").decimalValue().toPlainString())));
    assertEquals(
        java.util.List.of("2025-12 USD 7 6 2 0.8571 0.3333", "2026-02 USD 2 1 0 0.5000 0.0000"),
        shown);
  }

  /**
   * The last twelve months are refresh-dashboard's latest snapshot, as the dashboard's usage
   * patterns are: ann's upgrade after it shows at its next run, not before; a range reaching
   * further back is computed at the request; with no run for 10 minutes, the request takes one.
   */
  @Test
  void theLastTwelveMonthsAreAsOfTheLatestRefresh_anOlderRangeIsComputedWhenAsked() {
    opened("ann", "pro", "2025-12-15T00:00:00Z");
    assertEquals(SUCCEEDED, billing.runAt("refresh-dashboard", "2026-03-10T12:00:00Z").outcome());
    enterprise("ann", "2026-03-10T12:01:00Z");
    billing.clock.set(at("2026-03-10T12:04:00Z"));

    JsonNode kept = billing.call(HttpMethod.GET, "/admin/analytics", admin("root")).body();
    assertEquals("2026-03-10T12:00:00Z", kept.get("as_of").asText());
    assertEquals(
        "2025-12",
        kept.at("/months/0/month").asText(),
        "the first month with an organization, not April's zeros before it");
    assertEquals("29.99", marchMrr(kept));
    JsonNode older =
        billing
            .call(HttpMethod.GET, "/admin/analytics?from=2025-03&to=2026-03", admin("root"))
            .body();
    assertEquals("2026-03-10T12:04:00Z", older.get("as_of").asText());
    assertEquals("99.99", marchMrr(older));

    assertEquals(SUCCEEDED, billing.runAt("refresh-dashboard", "2026-03-10T12:05:00Z").outcome());
    billing.clock.set(at("2026-03-10T12:06:00Z"));
    JsonNode refreshed =
        billing.call(HttpMethod.GET, "/admin/analytics?from=2026-02", admin("root")).body();
    assertEquals("2026-03-10T12:05:00Z", refreshed.get("as_of").asText());
    assertEquals("99.99", marchMrr(refreshed));
    assertEquals(2, refreshed.get("months").size(), "February and March, of the snapshot");

    pro("ann", "2026-03-10T12:07:00Z");
    billing.clock.set(at("2026-03-10T12:15:01Z"));
    JsonNode taken = billing.call(HttpMethod.GET, "/admin/analytics", admin("root")).body();
    assertEquals("2026-03-10T12:15:01Z", taken.get("as_of").asText());
    assertEquals("29.99", marchMrr(taken));
  }

  /** The MRR of March 2026 in an answer (USD: ann's organization). */
  private static String marchMrr(JsonNode analytics) {
    for (JsonNode month : analytics.get("months")) {
      if (month.get("month").asText().equals("2026-03")) {
        return plain(month, "mrr");
      }
    }
    throw new AssertionError("no March in " + analytics);
  }

  private static String plain(JsonNode month, String field) {
    return month.get(field).decimalValue().toPlainString();
  }

  /**
   * ann (USD) opened on 15 December 2025 and thu (VND) on 14 February 2026; asked from October
   * 2025 to March 2026: USD from December (ann open before its end), VND from February; no row
   * of zeros for October, November, or VND's December and January, and no currency without an
   * organization (the config prices VND, and nobody else's currency is listed).
   */
  @Test
  void monthsBeforeACurrencysFirstOrganizationAreNotListed() {
    opened("ann", "pro", "2025-12-15T00:00:00Z");
    billing.clock.set(at("2026-02-14T00:00:00Z"));
    billing.userCreated("thu", Map.of("currency", "VND"));
    billing.flush();
    billing.clock.set(at("2026-04-05T00:00:00Z"));

    JsonNode months =
        billing
            .call(HttpMethod.GET, "/admin/analytics?from=2025-10&to=2026-03", admin("root"))
            .body()
            .get("months");

    java.util.List<String> shown = new java.util.ArrayList<>();
    months.forEach(m -> shown.add(m.get("month").asText() + " " + m.get("currency").asText()));
    assertEquals(
        java.util.List.of(
            "2025-12 USD",
            "2026-01 USD",
            "2026-02 USD",
            "2026-02 VND",
            "2026-03 USD",
            "2026-03 VND"),
        shown);
  }

  @Test
  void theSameFiguresComeAsCsv_andOnlyThePlatformAdminReadsThem() {
    opened("ann", "pro", "2025-12-15T00:00:00Z");
    billing.clock.set(at("2026-03-05T00:00:00Z"));

    BillingHarness.Text csv =
        billing.text("/admin/analytics?from=2026-01&to=2026-02&format=csv", admin("root"));

    assertEquals(200, csv.status());
    assertEquals(
        """
        month,currency,mrr,new_mrr,expansion_mrr,contraction_mrr,churned_mrr,reactivation_mrr,\
        logo_churn_rate,revenue_churn_rate,conversion_rate,arpa,paying_at_start,paying_at_end,\
        churned_organizations,free_at_start,converted,credit_notes,plan_fee_credit_notes,net_mrr\r
        2026-01,USD,29.99,0.00,0.00,0.00,0.00,0.00,0.0000,0.0000,,29.99,1,1,0,0,0,0.00,0.00,29.99\r
        2026-02,USD,29.99,0.00,0.00,0.00,0.00,0.00,0.0000,0.0000,,29.99,1,1,0,0,0,0.00,0.00,29.99\r
        """,
        csv.body());
    assertEquals(403, billing.call(HttpMethod.GET, "/admin/analytics", user("ann")).status());
    Answer badRange =
        billing.call(HttpMethod.GET, "/admin/analytics?from=2026-03&to=2026-02", admin("root"));
    assertEquals(400, badRange.status());
    assertEquals("from", badRange.errorField());
    assertEquals(
        "to",
        billing.call(HttpMethod.GET, "/admin/analytics?to=2026-13", admin("root")).errorField());
  }

  @Test
  void whatIsOwedNowIsAgedByDaysPastDue_perCurrency() {
    opened("ann", "pro", "2025-12-15T00:00:00Z");
    opened("thu", "free", "2025-12-15T00:00:00Z");
    // on 2026-05-01: due in a day; 1 s past due (day 1); 30 days and 1 s past due (day 31);
    // 120 days past due; paid and void ones are owed by nobody
    open("ann", "2026-05-02T00:00:00Z", "sent", "10.00", "USD");
    open("ann", "2026-04-30T23:59:59Z", "overdue", "20.00", "USD");
    open("ann", "2026-03-31T23:59:59Z", "overdue", "30.00", "USD");
    open("ann", "2026-01-01T00:00:00Z", "overdue", "40.00", "USD");
    open("ann", "2026-01-01T00:00:00Z", "paid", "50.00", "USD");
    open("ann", "2026-01-01T00:00:00Z", "void", "60.00", "USD");
    open("thu", "2026-04-20T00:00:00Z", "overdue", "250000", "VND");
    billing.clock.set(at("2026-05-01T00:00:00Z"));

    JsonNode receivables =
        billing.call(HttpMethod.GET, "/admin/analytics", admin("root")).body().get("receivables");

    java.util.List<String> shown = new java.util.ArrayList<>();
    receivables.forEach(
        b ->
            shown.add(
                b.get("currency").asText()
                    + " "
                    + b.get("bucket").asText()
                    + " "
                    + b.get("invoices").asInt()
                    + " "
                    + b.get("total").decimalValue().toPlainString()));
    assertEquals(
        java.util.List.of(
            "USD not_due 1 10.00",
            "USD 1_30 1 20.00",
            "USD 31_60 1 30.00",
            "USD over_90 1 40.00",
            "VND 1_30 1 250000"),
        shown);
  }

  private int invoices;

  /**
   * A finalized invoice of the organization, due at {@code dueAt}, in that status: each of its
   * own month of 2025, so that no two are of one period.
   */
  private void open(String user, String dueAt, String status, String total, String currency) {
    invoices++;
    java.time.YearMonth month = java.time.YearMonth.of(2025, invoices);
    io.streamspace.billing.support.InvoiceFixtures.invoice(
        user,
        month.atDay(1) + "T00:00:00Z",
        month.plusMonths(1).atDay(1) + "T00:00:00Z",
        status,
        "INV-2025-%06d".formatted(invoices),
        currency,
        total,
        "0",
        total,
        dueAt,
        status.equals("paid") ? "2026-02-01T00:00:00Z" : null);
  }
}

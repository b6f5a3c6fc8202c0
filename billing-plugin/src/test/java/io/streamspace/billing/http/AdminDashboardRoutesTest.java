package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.invoice;
import static io.streamspace.plugin.api.jobs.JobOutcome.SUCCEEDED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /admin/dashboard} in USD and VND, billing periods starting on the 1st at midnight in
 * Asia/Ho_Chi_Minh (UTC+7), so at 17:00Z the day before: it is 2026-03-10T12:00Z (19:00 there),
 * the current period [2026-02-28T17:00Z, 2026-03-31T17:00Z). Every figure is worked out by hand
 * in the comments.
 */
class AdminDashboardRoutesTest {

  private static final String JAN = "2025-12-31T17:00:00Z";
  private static final String FEB = "2026-01-31T17:00:00Z";
  private static final String MAR = "2026-02-28T17:00:00Z";

  private final BillingHarness billing =
      new BillingHarness(
          at("2026-03-10T12:00:00Z"),
          BillingHarness.USD_AND_VND_CONFIG.replaceFirst(
              "\\{", "{\"billingTimeZone\": \"Asia/Ho_Chi_Minh\", "));

  @AfterEach
  void unload() {
    billing.close();
  }

  @BeforeEach
  void business() {
    for (String user : List.of("ann", "cid", "dan", "eve")) {
      billing.userCreated(user, Map.of());
    }
    billing.userCreated("bob", Map.of("currency", "VND"));
    billing.flush();
    // ann was on pro until February's period, on enterprise since; bob on pro all along
    TestDatabase.execute(
        """
        UPDATE billing_subscriptions SET plan_id = 'enterprise', started_at = '%s'
        WHERE user_id = 'ann';
        INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
            billing_interval, started_at, ended_at)
        VALUES ('ann', 'pro', 'Professional', 29.99, 'USD', 'month', '2025-01-01T00:00:00Z',
                '%1$s');
        UPDATE billing_subscriptions SET plan_id = 'pro', started_at = '2025-01-01T00:00:00Z'
        WHERE user_id = 'bob';
        """
            .formatted(FEB));
    invoices();
    packs();
    sessions();
  }

  /**
   * USD: March 2025's 1.00 (13 periods back: out of 12 months), December's paid 7.00 (cpu),
   * January's paid 30.00 (pro 29.99, cpu 1.51, a credit of -1.50), February's overdue 106.99
   * (enterprise 99.99, bandwidth overage 2.00, a pack 5.00) and cid's sent 4.50 (memory), a void
   * 149.99 and a draft 3.00 that never count. VND: bob's paid January 750,000 (pro) and sent
   * February 762,500 (pro 750,000, cpu 12,500).
   */
  private static void invoices() {
    long old = paid("ann", "2025-02-28T17:00:00Z", "2025-03-31T17:00:00Z", "USD", "1");
    line(old, 1, "usage", "cpu", "1", null);
    long dec = paid("ann", "2025-11-30T17:00:00Z", JAN, "USD", "7");
    line(dec, 1, "usage", "cpu", "7", null);
    long jan = paid("ann", JAN, FEB, "USD", "30");
    line(jan, 1, "plan_fee", null, "29.99", JAN);
    line(jan, 2, "usage", "cpu", "1.51", null);
    line(jan, 3, "credit", null, "-1.50", null);
    long feb =
        invoice("ann", FEB, MAR, "overdue", "F-2", "USD", "106.99", "0", "106.99", MAR, null);
    line(feb, 1, "plan_fee", null, "99.99", FEB);
    line(feb, 2, "overage", "bandwidth_gb", "2", null);
    line(feb, 3, "pack", null, "5", null);
    long voided =
        invoice("ann", FEB, MAR, "void", "F-3", "USD", "149.99", "0", "149.99", MAR, null);
    line(voided, 1, "plan_fee", null, "99.99", FEB);
    line(voided, 2, "usage", "cpu", "50", null);
    long sent = invoice("cid", FEB, MAR, "sent", "F-4", "USD", "4.5", "0", "4.5", MAR, null);
    line(sent, 1, "usage", "memory", "4.5", null);
    invoice("cid", MAR, "2026-03-31T17:00:00Z", "draft", null, "USD", "3", "0", "3", null, null);
    long bobJan = paid("bob", JAN, FEB, "VND", "750000");
    line(bobJan, 1, "plan_fee", null, "750000", JAN);
    long bobFeb =
        invoice("bob", FEB, MAR, "sent", "F-5", "VND", "762500", "0", "762500", MAR, null);
    line(bobFeb, 1, "plan_fee", null, "750000", FEB);
    line(bobFeb, 2, "usage", "cpu", "12500", null);
  }

  private static long paid(String user, String from, String to, String currency, String total) {
    return invoice(user, from, to, "paid", "P-" + user + from, currency, total, "0", total, to, to);
  }

  private static void line(
      long invoiceId, int lineNo, String kind, String resource, String amount, String from) {
    BillingHarness.value(
        """
        INSERT INTO billing_invoice_lines (invoice_id, line_no, kind, description, resource_type,
            amount, period_start, period_end)
        VALUES (?, ?, ?, 'a line', ?, ?, ?::timestamptz, ?::timestamptz + interval '1 month')
        RETURNING line_no""",
        invoiceId,
        lineNo,
        kind,
        resource,
        new BigDecimal(amount),
        from,
        from);
  }

  /**
   * GPU Boost: ann bought it for 5.00 USD and renewed it for 5.00, bob for 100,000 VND, ann once
   * more in January 2025 (out of the window); Storage Plus (recurring, 2.00 a month): cid and dan.
   */
  private static void packs() {
    long ann = pack("ann", "gpu-boost", "GPU Boost", "one_time", "5", "USD", "2026-02-10");
    event(ann, "renewed", "2026-02-20", "5", "USD");
    pack("bob", "gpu-boost", "GPU Boost", "one_time", "100000", "VND", "2026-02-15");
    pack("ann", "gpu-boost", "GPU Boost", "one_time", "5", "USD", "2025-01-10");
    pack("cid", "storage-plus", "Storage Plus", "recurring", "2", "USD", "2026-03-02");
    pack("dan", "storage-plus", "Storage Plus", "recurring", "2", "USD", "2026-03-03");
  }

  private static long pack(
      String user, String id, String name, String kind, String price, String currency, String day) {
    boolean oneTime = kind.equals("one_time");
    long purchase =
        (Long)
            BillingHarness.value(
                """
                INSERT INTO billing_pack_purchases (user_id, pack_id, pack_name, kind, adds, price,
                    currency, valid_days, purchased_at, valid_from, valid_until)
                VALUES (?, ?, ?, ?, '{"storage_gb": 10}', ?, ?, ?, ?::timestamptz, ?::timestamptz,
                        ?::timestamptz + interval '30 days') RETURNING id""",
                user,
                id,
                name,
                kind,
                new BigDecimal(price),
                currency,
                oneTime ? 30 : null,
                day + "T08:00:00Z",
                day + "T08:00:00Z",
                oneTime ? day + "T08:00:00Z" : null);
    event(purchase, "bought", day, price, currency);
    return purchase;
  }

  private static void event(
      long purchase, String kind, String day, String amount, String currency) {
    BillingHarness.value(
        """
        INSERT INTO billing_pack_events (purchase_id, kind, at, amount, currency, billed)
        VALUES (?, ?, ?::timestamptz, ?, ?, false) RETURNING id""",
        purchase,
        kind,
        day + "T08:00:00Z",
        new BigDecimal(amount),
        currency);
  }

  /** A session with its sizes ({@code "from cores"}); no end: open, heartbeat as given. */
  private static void session(
      String id, String user, String from, String to, String heartbeat, String... sizes) {
    BillingHarness.value(
        """
        INSERT INTO billing_sessions
          (session_id, user_id, org_id, org_fixed, started_at, last_heartbeat, ended_at)
        VALUES (?, ?, ?, true, ?::timestamptz, ?::timestamptz, ?::timestamptz)
        RETURNING session_id""",
        id,
        user,
        user,
        from,
        heartbeat == null ? to : heartbeat,
        to);
    for (String step : sizes) {
      String[] fromCores = step.split(" ");
      BillingHarness.value(
          """
          INSERT INTO billing_session_sizes (session_id, effective_from, cpu_cores, memory_gb)
          VALUES (?, ?::timestamptz, ?, 0) RETURNING session_id""",
          id,
          fromCores[0],
          new BigDecimal(fromCores[1]));
    }
  }

  /**
   * Local times (UTC+7) in the comments. The 30 days start at 2026-02-08T12:00Z (19:00).
   */
  private static void sessions() {
    // 08:30-09:30 with 2 cores and 08:45-09:10 with 1: two sessions and 3 cores at 8 and at 9
    session(
        "s1",
        "ann",
        "2026-03-09T01:30:00Z",
        "2026-03-09T02:30:00Z",
        null,
        "2026-03-09T01:30:00Z 2");
    session(
        "s2",
        "bob",
        "2026-03-09T01:45:00Z",
        "2026-03-09T02:10:00Z",
        null,
        "2026-03-09T01:45:00Z 1");
    // 12:00-13:00 with 1 core, then 13:00-13:30 with 4: the first ends as the second starts,
    // so 13 sees one session at a time (4 cores), never two
    session(
        "s3",
        "ann",
        "2026-03-09T05:00:00Z",
        "2026-03-09T06:00:00Z",
        null,
        "2026-03-09T05:00:00Z 1");
    session(
        "s4",
        "bob",
        "2026-03-09T06:00:00Z",
        "2026-03-09T06:30:00Z",
        null,
        "2026-03-09T06:00:00Z 4");
    // 17:00-18:15, resized from 1 core to 3 at 17:30: 3 cores at 17 and at 18
    session(
        "s5",
        "cid",
        "2026-03-08T10:00:00Z",
        "2026-03-08T11:15:00Z",
        null,
        "2026-03-08T10:00:00Z 1",
        "2026-03-08T10:30:00Z 3");
    // 18:00-19:30 on 2026-02-08 with 5 cores: only 19:00-19:30 is in the 30 days, so 5 cores
    // at 19, not at 18
    session(
        "s6",
        "dan",
        "2026-02-08T11:00:00Z",
        "2026-02-08T12:30:00Z",
        null,
        "2026-02-08T11:00:00Z 5");
    // open since 18:30 today with a fresh heartbeat: open until now (19:00), 1 core at 18
    session(
        "s7",
        "eve",
        "2026-03-10T11:30:00Z",
        null,
        "2026-03-10T11:59:00Z",
        "2026-03-10T11:30:00Z 1");
    // left open at 02:30 with its last heartbeat at 03:10: it ended then, at 2 and 3 only
    session(
        "s8",
        "ann",
        "2026-03-09T19:30:00Z",
        null,
        "2026-03-09T20:10:00Z",
        "2026-03-09T19:30:00Z 1");
  }

  private JsonNode dashboard(String query) {
    BillingHarness.Answer answer =
        billing.call(HttpMethod.GET, "/admin/dashboard" + query, admin("root"));
    assertEquals(200, answer.status(), answer.body().toString());
    return answer.body();
  }

  @Test
  void revenueByMonthPerCurrency_theVoidAndTheDraftLeftOut() {
    JsonNode body = dashboard("");

    assertEquals(12, body.get("months").asInt());
    assertEquals("2025-03-31T17:00:00Z", body.get("from").asText());
    assertEquals("2026-03-31T17:00:00Z", body.get("to").asText());
    assertEquals(
        """
        [{"period_start":"2025-11-30T17:00:00Z","currency":"USD","invoiced":7.00,"paid":7.00,\
        "invoices":1},\
        {"period_start":"2025-12-31T17:00:00Z","currency":"USD","invoiced":30.00,"paid":30.00,\
        "invoices":1},\
        {"period_start":"2025-12-31T17:00:00Z","currency":"VND","invoiced":750000,\
        "paid":750000,"invoices":1},\
        {"period_start":"2026-01-31T17:00:00Z","currency":"USD","invoiced":111.49,"paid":0.00,\
        "invoices":2},\
        {"period_start":"2026-01-31T17:00:00Z","currency":"VND","invoiced":762500,"paid":0,\
        "invoices":1}]""",
        body.get("revenue_by_month").toString());
  }

  @Test
  void revenueByPlanTermBilledAndByResource_creditsLeftOut() {
    JsonNode body = dashboard("");

    assertEquals(
        """
        [{"plan_id":"enterprise","currency":"USD","amount":99.99},\
        {"plan_id":"pro","currency":"USD","amount":29.99},\
        {"plan_id":"pro","currency":"VND","amount":1500000}]""",
        body.get("revenue_by_plan").toString());
    // cpu USD: 7.00 + 1.51; the void's 50.00 never
    assertEquals(
        """
        [{"resource_type":"bandwidth_gb","currency":"USD","amount":2.00},\
        {"resource_type":"cpu","currency":"USD","amount":8.51},\
        {"resource_type":"cpu","currency":"VND","amount":12500},\
        {"resource_type":"memory","currency":"USD","amount":4.50},\
        {"resource_type":"packs","currency":"USD","amount":5.00}]""",
        body.get("revenue_by_resource").toString());
  }

  @Test
  void monthsBoundsTheHistory_openInvoicesAndTheQuotaStatesAreNow() {
    JsonNode body = dashboard("?months=2");

    assertEquals(FEB, body.get("from").asText());
    assertEquals(
        List.of(FEB, FEB),
        body.get("revenue_by_month").findValues("period_start").stream()
            .map(JsonNode::asText)
            .toList());
    assertEquals(
        """
        [{"plan_id":"enterprise","currency":"USD","amount":99.99},\
        {"plan_id":"pro","currency":"VND","amount":750000}]""",
        body.get("revenue_by_plan").toString());
    // bandwidth_gb USD, cpu VND (December's and January's USD cpu left out), memory, packs
    assertEquals("[2.00,12500,4.50,5.00]", amounts(body.get("revenue_by_resource")));
    assertEquals(dashboard("").get("outstanding"), body.get("outstanding"));
  }

  private static String amounts(JsonNode rows) {
    StringJoiner joined = new StringJoiner(",", "[", "]");
    rows.forEach(row -> joined.add(row.get("amount").toString()));
    return joined.toString();
  }

  @Test
  void outstandingSentAndOverduePerCurrency() {
    assertEquals(
        """
        [{"currency":"USD","sent_total":4.50,"sent_count":1,"overdue_total":106.99,\
        "overdue_count":1},\
        {"currency":"VND","sent_total":762500,"sent_count":1,"overdue_total":0,\
        "overdue_count":0}]""",
        dashboard("").get("outstanding").toString());
  }

  @Test
  void popularPacksMostBoughtFirst_renewalsInTheRevenue() {
    assertEquals(
        """
        [{"pack_id":"storage-plus","pack_name":"Storage Plus","currency":"USD","purchases":2,\
        "renewals":0,"revenue":4.00},\
        {"pack_id":"gpu-boost","pack_name":"GPU Boost","currency":"USD","purchases":1,\
        "renewals":1,"revenue":10.00},\
        {"pack_id":"gpu-boost","pack_name":"GPU Boost","currency":"VND","purchases":1,\
        "renewals":0,"revenue":100000}]""",
        dashboard("").get("popular_packs").toString());
  }

  @Test
  void usagePatternsPeakPerLocalHourOfTheDay() {
    JsonNode patterns = dashboard("").get("usage_patterns");

    assertEquals("2026-02-08T12:00:00Z", patterns.get("from").asText());
    assertEquals("2026-03-10T12:00:00Z", patterns.get("to").asText());
    assertEquals("Asia/Ho_Chi_Minh", patterns.get("time_zone").asText());
    Map<Integer, String> peaks =
        Map.of(
            2, "1 1", 3, "1 1", 8, "2 3", 9, "2 3", 12, "1 1", 13, "1 4", 17, "1 3", 18, "1 3", 19,
            "1 5");
    List<String> expected = new ArrayList<>();
    List<String> actual = new ArrayList<>();
    for (int hour = 0; hour < 24; hour++) {
      expected.add(hour + ": " + peaks.getOrDefault(hour, "0 0"));
      JsonNode row = patterns.get("hours").get(hour);
      actual.add(
          row.get("hour").asInt()
              + ": "
              + row.get("peak_sessions").asText()
              + " "
              + row.get("peak_cores").asText());
    }
    assertEquals(expected, actual);
  }

  @Test
  void accountsNearLimitsCountedByTheQuotaListsRule() {
    // the free plan allows 2 cores: dan's 2 are exceeded, cid's 1.6 (80 %) a warning, eve's 1
    // (s7) fine
    billing.created("2026-03-10T12:00:00Z", "q1", "dan", size("2", "0", "0"));
    billing.created("2026-03-10T12:00:00Z", "q2", "cid", size("1.6", "0", "0"));
    billing.flush();

    assertEquals(
        """
        {"at":"2026-03-10T12:00:00Z","warning":1,"exceeded":1,"confirmation_required":0}""",
        dashboard("").get("accounts_near_limits").toString());
  }

  /**
   * The usage patterns and the accounts near their limits are refresh-dashboard's latest
   * snapshot: a session started after it shows at its next run, not before; with none of the
   * last 10 minutes, the request takes one. dan's 2 cores are over the free plan's 2.
   */
  @Test
  void usagePatternsAndNearLimitsAreAsOfTheLatestRefresh() {
    assertEquals(SUCCEEDED, billing.runAt("refresh-dashboard", "2026-03-10T12:00:00Z").outcome());
    billing.created("2026-03-10T12:01:00Z", "q1", "dan", size("2", "0", "0"));
    billing.flush();
    billing.clock.set(at("2026-03-10T12:04:00Z"));

    JsonNode before = dashboard("");
    assertEquals("2026-03-10T12:00:00Z", before.get("usage_patterns").get("to").asText());
    assertEquals(
        """
        {"at":"2026-03-10T12:00:00Z","warning":0,"exceeded":0,"confirmation_required":0}""",
        before.get("accounts_near_limits").toString());

    assertEquals(SUCCEEDED, billing.runAt("refresh-dashboard", "2026-03-10T12:05:00Z").outcome());
    billing.clock.set(at("2026-03-10T12:06:00Z"));
    JsonNode after = dashboard("");
    assertEquals("2026-03-10T12:05:00Z", after.get("usage_patterns").get("to").asText());
    assertEquals(1, after.get("accounts_near_limits").get("exceeded").asLong());
    // at 19 (12:01Z is 19:01 there) s7 and q1 open together (both heartbeats fresh at 12:05),
    // where the snapshot of 12:00 saw s6 alone
    assertEquals(1, before.get("usage_patterns").get("hours").get(19).get("peak_sessions").asInt());
    assertEquals(2, after.get("usage_patterns").get("hours").get(19).get("peak_sessions").asInt());

    // no run for 10 minutes and more: the request takes the figures itself
    billing.clock.set(at("2026-03-10T12:15:01Z"));
    assertEquals(
        "2026-03-10T12:15:01Z", dashboard("").get("accounts_near_limits").get("at").asText());
  }

  @Test
  void onlyAdminsSeeTheDashboard_monthsFrom1To120() {
    assertEquals(401, billing.call(HttpMethod.GET, "/admin/dashboard", Caller.ANONYMOUS).status());
    assertEquals(403, billing.call(HttpMethod.GET, "/admin/dashboard", user("ann")).status());
    for (String months : List.of("0", "121", "x", "-1")) {
      BillingHarness.Answer answer =
          billing.call(HttpMethod.GET, "/admin/dashboard?months=" + months, admin("root"));
      assertEquals(400, answer.status(), months);
      assertEquals("months", answer.errorField(), months);
    }
    assertEquals(120, dashboard("?months=120").get("months").asInt());
  }
}

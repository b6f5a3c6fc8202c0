package io.streamspace.billing.prepaid;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.jobs.CheckQuotasJob;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Burns, reservations extended and settled, and invoices settling the burns, on real PostgreSQL.
 * ann and cat are on the prepaid plan "Pay as you go", bob on Hobby. At the default rates (0.05
 * a core-hour, 0.01 a GB-hour) a session of 2 cores and 4 GB costs 0.14 an hour: its 15-minute
 * hold is 0.035, rounded up to 0.04.
 */
class BurnsTest {

  private static final String T0 = "2026-03-10T12:00:00Z";
  private static final String AFTER_GRACE = "2026-04-01T01:00:00Z";
  private static final String CONFIG =
      """
      {"subscriptionPlans": [
         {"id": "free", "name": "Hobby", "price": 0, "interval": "month"},
         {"id": "payg", "name": "Pay as you go", "price": 0, "interval": "month",
          "prepaid": true}]}""";
  private static final ResourceSize TWO_CORES = size("2", "4", "0");

  private final BillingHarness billing = new BillingHarness(at(T0), CONFIG);

  @AfterEach
  void unload() {
    billing.close();
  }

  private void account(String user, String plan, String balance) {
    billing.userCreated(user, plan == null ? Map.of() : Map.of("plan", plan));
    billing.flush();
    grant(user, balance);
  }

  private void grant(String user, String balance) {
    BillingHarness.Answer granted = billing.grant(user, balance);
    assertEquals(201, granted.status(), granted.body().toString());
  }

  private void started(String user, String session, ResourceSize size) {
    assertTrue(billing.billing.admit(new AdmissionRequest(user, session, size)).allowed());
    billing.created(T0, session, user, size);
  }

  /** The organization's balance row as {@code "balance reserved"}, in cents. */
  private static String balanceOf(String orgId) {
    List<Object> row =
        rows("SELECT balance, reserved FROM billing_prepaid_balances WHERE org_id = ?", orgId)
            .get(0);
    return ((BigDecimal) row.get(0)).setScale(2) + " " + ((BigDecimal) row.get(1)).setScale(2);
  }

  private static String reservationOf(String session) {
    return ((BigDecimal)
            value("SELECT amount FROM billing_prepaid_reservations WHERE session_id = ?", session))
        .setScale(2)
        .toPlainString();
  }

  private void credit(String user, String amount) {
    BillingHarness.Answer credit =
        billing.call(
            HttpMethod.POST,
            "/admin/credits",
            admin("root"),
            "{\"user_id\":\"%s\",\"amount\":%s,\"reason\":\"promotion\"}".formatted(user, amount));
    assertEquals(201, credit.status(), credit.body().toString());
  }

  /** calculate-usage at ten past each hour from {@code first} to {@code last} that day. */
  private void hourlyRuns(String day, int first, int last, String... sessions) {
    for (int hour = first; hour <= last; hour++) {
      String at = "%sT%02d:10:00Z".formatted(day, hour);
      for (String session : sessions) {
        billing.heartbeat(at(at).minusSeconds(60).toString(), session, "ann", null);
      }
      billing.calculateUsageAt(at);
    }
  }

  private JsonNode liveAt(String time) {
    billing.clock.set(at(time));
    return billing.call(HttpMethod.GET, "/live?org_id=ann", user("ann")).body();
  }

  private static long burns(String orgId) {
    return (Long)
        value(
            "SELECT count(*) FROM billing_prepaid_entries WHERE kind = 'burn' AND org_id = ?",
            orgId);
  }

  /**
   * ann (10.00) and bob (10.00, not prepaid) each run 2 cores and 4 GB from 12:00. check-quotas
   * at 12:45 extends ann's reservation to 45 minutes accrued + the next 15: 0.14. calculate-usage
   * at 13:10 rates 12:00-13:00: ann's balance burns that hour, 0.14, and her reservation drops by
   * as much, to 0.00; her auto top-up rule's threshold 9.90 is crossed, so a charge is queued. A
   * re-run burns nothing more; bob's balance is not burned. At 13:30 live cost says 0.21 so far,
   * 0.14 of it burned: 10.00 - 0.14 - 0.07 = 9.79 left, not 9.65 (the burn taken twice).
   */
  @Test
  void aPrepaidOrganizationsBalanceBurnsWhatIsRated_onceWhateverRunsAgain() {
    account("ann", "payg", "10.00");
    account("bob", null, "10.00");
    // her rule as PUT /top-up-rule stores it (Stripe, which it needs, is not wired here)
    TestDatabase.execute(
        """
        INSERT INTO billing_top_up_rules (org_id, currency, threshold, target, max_per_month,
            consented_by, consented_at, terms)
        VALUES ('ann', 'USD', 9.90, 20, 50, 'ann', now(), 'auto top-up')""");
    started("ann", "s1", TWO_CORES);
    billing.created(T0, "b1", "bob", TWO_CORES);
    billing.heartbeat("2026-03-10T13:25:00Z", "s1", "ann", null);
    billing.heartbeat("2026-03-10T13:25:00Z", "b1", "bob", null);
    billing.runAt(CheckQuotasJob.NAME, "2026-03-10T12:45:00Z");
    assertEquals("0.14", reservationOf("s1"));
    assertEquals(0L, value("SELECT count(*) FROM billing_top_up_charges"));

    billing.calculateUsageAt("2026-03-10T13:10:00Z");
    billing.calculateUsageAt("2026-03-10T13:10:00Z");

    assertEquals("9.86 0.00", balanceOf("ann"));
    assertEquals("0.00", reservationOf("s1"));
    assertEquals(1L, burns("ann"));
    assertEquals("10.00 0.00", balanceOf("bob"));
    assertEquals(0L, burns("bob"));
    assertEquals(1L, value("SELECT count(*) FROM billing_top_up_charges WHERE org_id = 'ann'"));
    JsonNode statement =
        billing.call(HttpMethod.GET, "/balance?org_id=ann", user("ann")).body().at("/entries/0");
    assertEquals("burn -0.14", statement.get("kind").asText() + " " + statement.get("amount"));
    assertTrue(
        statement.get("source").asText().endsWith(":ann:USD:2026-03-01T00:00:00Z"),
        statement.toString());

    billing.clock.set(at("2026-03-10T13:30:00Z"));
    JsonNode live = billing.call(HttpMethod.GET, "/live?org_id=ann", user("ann")).body();
    assertEquals(new BigDecimal("0.21"), live.get("total").decimalValue(), live.toString());
    assertEquals(new BigDecimal("9.79"), live.get("balance").decimalValue());
  }

  /**
   * ann has 1.00 and runs 50 cores and 50 GB, 3.00 an hour (its hold 0.75): the hour's burn
   * takes the 1.00 there is, never more; the invoice collects the other 2.00.
   */
  @Test
  void aBurnTakesAtMostTheBalance_theRestStaysOnTheInvoice() {
    account("ann", "payg", "1.00");
    started("ann", "s1", size("50", "50", "0"));
    billing.terminated("2026-03-10T13:00:00Z", "s1", "ann");

    billing.calculateUsageAt("2026-03-10T13:10:00Z");
    assertEquals("0.00 0.00", balanceOf("ann"));

    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);
    assertEquals(
        List.of(List.of("3.00", "1.00", "2.00")),
        rows(
            """
            SELECT subtotal::text, balance_applied::text, total::text FROM billing_invoices
            WHERE user_id = 'ann'"""));
  }

  /**
   * ann has 0.10 and starts two sessions (0.04 held each: 0.02 available). At 12:30 each should
   * hold 30 minutes accrued + 15 more, 0.105, rounded up 0.11: s1 takes the 0.02 there is, s2
   * nothing; nothing is reserved beyond the balance.
   */
  @Test
  void anExtensionTakesWhatIsAvailable_andLeavesTheSessionShortWhenThatIsLess() {
    account("ann", "payg", "0.10");
    started("ann", "s1", TWO_CORES);
    started("ann", "s2", TWO_CORES);

    billing.runAt(CheckQuotasJob.NAME, "2026-03-10T12:30:00Z");

    assertEquals(List.of("0.06", "0.04"), List.of(reservationOf("s1"), reservationOf("s2")));
    assertEquals("0.10 0.10", balanceOf("ann"));
  }

  /**
   * ann's session runs 30 hours in March, 4.20 (cpu 3.00, memory 1.20), all burned from her
   * 10.00; a credit of 1.00 granted after that pays some of her invoice, so it needs 3.20 of the balance: the 1.00
   * burned beyond it comes back as a burn_returned entry. cat runs the same with 2.00: his burn
   * takes 2.00; a grant of 5.00 arrives before his invoice, which needs 4.20, more than was
   * burned: the other 2.20 is one invoice_applied entry. Each invoice's balance applied is what
   * the ledger's entries of it took, to the cent; finalizing again settles nothing more.
   */
  @Test
  void anInvoiceSettlesItsPeriodsBurns_givingBackWhatItDidNotNeedOrTakingTheRest() {
    account("ann", "payg", "10.00");
    account("cat", "payg", "2.00");
    billing.session("s1", "ann", "2026-03-11T00:00:00Z", "2026-03-12T06:00:00Z", TWO_CORES);
    billing.session("c1", "cat", "2026-03-11T00:00:00Z", "2026-03-12T06:00:00Z", TWO_CORES);
    billing.calculateUsageAt("2026-04-01T00:00:00Z");
    assertEquals("5.80 0.00", balanceOf("ann"));
    credit("ann", "1");
    assertEquals("0.00 0.00", balanceOf("cat"));
    grant("cat", "5.00");

    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, "2026-04-01T02:00:00Z");

    assertEquals(
        List.of(
            List.of("ann", "4.20", "1.00", "3.20", "0.00"),
            List.of("cat", "4.20", "0.00", "4.20", "0.00")),
        rows(
            """
            SELECT user_id, subtotal::text, credits_applied::text, balance_applied::text,
                   total::text
            FROM billing_invoices ORDER BY user_id"""));
    assertEquals(
        List.of(
            List.of("ann", "burn", "-4.20"),
            List.of("ann", "burn_returned", "1.00"),
            List.of("cat", "burn", "-2.00"),
            List.of("cat", "invoice_applied", "-2.20")),
        rows(
            """
            SELECT org_id, kind, amount::text FROM billing_prepaid_entries
            WHERE kind <> 'grant' ORDER BY org_id, id"""));
    assertEquals(
        List.of(List.of("ann", true), List.of("cat", true)),
        rows(
            """
            SELECT i.user_id,
                   i.balance_applied = -(SELECT sum(e.amount) FROM billing_prepaid_entries e
                                         WHERE e.org_id = i.user_id AND e.kind <> 'grant')
            FROM billing_invoices i ORDER BY i.user_id"""),
        "the ledger took what each invoice shows applied");
    assertEquals(List.of("6.80 0.00", "2.80 0.00"), List.of(balanceOf("ann"), balanceOf("cat")));
    assertEquals(
        2L, value("SELECT count(*) FROM billing_prepaid_burns WHERE settled_by IS NOT NULL"));
  }

  /**
   * ann (10.00, prepaid) ran s1 on March 11 from 00:00 to 02:00 with 2 cores and 4 GB: 4
   * core-hours (0.20) and 8 GB-hours (0.08), 0.28 burned: 9.72. Corrected before March is
   * invoiced, to 1 core: 2 core-hours less, 0.10 given back (burn_returned naming the correction),
   * 9.82; then to 8 GB from 00:00 to 01:00: 4 GB-hours more, 0.04 burned, 9.78, once though posted
   * twice. March's invoice bills 2 core-hours (0.10) and 12 GB-hours (0.12), 0.22, all of it what
   * the burns took (0.28 − 0.10 + 0.04): nothing more taken or given back. Corrected after it, to
   * 4 GB again: 0.04 less on the paid invoice, a credit note whose 0.04 goes back onto the
   * balance, 9.82. (Before, a correction never moved the burns: 9.72 until the invoice.)
   */
  @Test
  void aCorrectionGivesBackOrBurnsTheDifferenceOfWhatWasBurned_onceAndNamed() {
    account("ann", "payg", "10.00");
    billing.session("s1", "ann", "2026-03-11T00:00:00Z", "2026-03-11T02:00:00Z", TWO_CORES);
    billing.calculateUsageAt("2026-03-11T03:00:00Z");
    assertEquals("9.72 0.00", balanceOf("ann"));
    billing.clock.set(at("2026-03-12T00:00:00Z"));

    long one = corrected("k1", "cpu_cores", "1", "2026-03-11T02:00:00Z");
    assertEquals("9.82 0.00", balanceOf("ann"));
    long two = corrected("k2", "memory_gb", "8", "2026-03-11T01:00:00Z");
    assertEquals(two, corrected("k2", "memory_gb", "8", "2026-03-11T01:00:00Z"));
    assertEquals("9.78 0.00", balanceOf("ann"));
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);
    assertEquals(
        List.of(List.of("0.22", "0.22", "0.00")),
        rows("SELECT subtotal::text, balance_applied::text, total::text FROM billing_invoices"));
    assertEquals("9.78 0.00", balanceOf("ann"));
    billing.clock.set(at("2026-04-05T00:00:00Z"));
    long three = corrected("k3", "memory_gb", "4", "2026-03-11T01:00:00Z");

    assertEquals("9.82 0.00", balanceOf("ann"));
    String march = ":ann:USD:2026-03-01T00:00:00Z";
    assertEquals(
        List.of(
            List.of("burn", "-0.28", "usage rated in run"),
            List.of("burn_returned", "0.10", "correction:" + one + ":burn" + march + ":back"),
            List.of("burn", "-0.04", "correction:" + two + ":burn" + march),
            List.of("credit_note", "0.04", "CN-2026-000001 correction:" + three)),
        rows(
            """
            SELECT e.kind, e.amount::text,
                   CASE WHEN e.source LIKE 'burn:%' THEN substr(e.reason, 1, 18)
                        WHEN e.kind = 'credit_note'
                        THEN n.credit_note_number || ' ' || split_part(n.request_key, ':', 1)
                             || ':' || split_part(n.request_key, ':', 2)
                        ELSE e.source END
            FROM billing_prepaid_entries e
            LEFT JOIN billing_credit_notes n ON e.source = 'credit_note:' || n.id
            WHERE e.kind <> 'grant' ORDER BY e.id"""));
    assertEquals(
        "given back by usage correction " + one,
        value(
            "SELECT substring(reason from 'given back by usage correction [0-9]+')"
                + " FROM billing_prepaid_entries WHERE kind = 'burn_returned'"));
  }

  /** Posts an amend of s1's {@code size} from 00:00 to {@code to}; answers the correction. */
  private long corrected(String key, String size, String value, String to) {
    BillingHarness.Answer answer =
        billing.call(
            HttpMethod.POST,
            "/admin/corrections",
            admin("root"),
            """
            {"reason": "s1 was misreported", "items": [{"amend": {"session_id": "s1",
              "from": "2026-03-11T00:00:00Z", "to": "%s", "%s": %s}}]}"""
                .formatted(to, size, value),
            Map.of("idempotency-key", key));
    assertEquals(201, answer.status(), answer.body().toString());
    return answer.body().path("id").asLong();
  }

  /**
   * The review's scenario 1: ann has 1.00 and a promotional credit of 20.00, and runs 2 cores and
   * 4 GB (0.14 an hour) from 12:00. calculate-usage each hour to 20:10 rates 8 hours, 1.12, which
   * her invoice would have the credit pay whole: nothing burns, /live at 20:15 shows the 1.00 (its
   * total 1.16 for 8 h 15 min, all the credit's), and check-balances suspends nothing.
   */
  @Test
  void usageTheCreditsWouldPayBurnsNothing_andNothingIsSuspended() {
    account("ann", "payg", "1.00");
    credit("ann", "20");
    started("ann", "s1", TWO_CORES);

    hourlyRuns("2026-03-10", 13, 20, "s1");
    billing.heartbeat("2026-03-10T20:14:00Z", "s1", "ann", null);
    billing.runAt("check-balances", "2026-03-10T20:15:00Z");
    JsonNode live = liveAt("2026-03-10T20:15:00Z");

    assertEquals(0L, burns("ann"));
    assertEquals("1.00", balanceOf("ann").split(" ")[0]);
    assertEquals(new BigDecimal("1.16"), live.get("total").decimalValue(), live.toString());
    assertEquals(new BigDecimal("1.00"), live.get("balance").decimalValue());
    assertEquals(List.of(), billing.context.sessionControls(), "nothing suspended");
  }

  /**
   * The review's scenario 2: a session of half a core costs 0.025 an hour. Ten hourly runs burn
   * what the usage line of the hours rated so far comes to each time, less what was burned: 0.03
   * (0.025 rounded), 0.02 (0.05), 0.03 (0.075 is 0.08), ... 0.25 in all, as the invoice's line
   * for the ten hours, not ten roundings up to 0.30. Running the last hour again burns nothing.
   */
  @Test
  void tenHourlyRunsOfHalfACoreBurnExactlyTheTenHoursLine_andARerunBurnsNothingTwice() {
    account("ann", "payg", "10.00");
    started("ann", "s1", size("0.5", "0", "0"));

    hourlyRuns("2026-03-10", 13, 22, "s1");
    hourlyRuns("2026-03-10", 22, 22, "s1");

    assertEquals(10L, burns("ann"));
    assertEquals(
        "0.25",
        value("SELECT (-sum(amount))::text FROM billing_prepaid_entries WHERE kind = 'burn'"));
    assertEquals("9.75", balanceOf("ann").split(" ")[0]);
    JsonNode live = liveAt("2026-03-10T22:10:00Z"); // 10 h 10 min: 0.254, its line 0.25
    assertEquals(new BigDecimal("9.75"), live.get("balance").decimalValue(), live.toString());
  }

  /**
   * The review's scenario 4: ann (20.00) ran 2 cores and 4 GB (0.14 an hour) from 9 March to 11
   * March 01:00. The run at 00:10 burns March's 48 hours, 6.72. An admin then invoices [1 March,
   * 10 March): its 24 hours, 3.36. It ends inside March, so it settles none of March's burns and
   * pays from what is available, 3.36 (ledger 9.92). At 00:30 /live shows 13.14, the truth (20.00
   * less the 49 hours: the session's end at 01:00 is known, so its last hour counts whole), with
   * the burns of the claimed hours not settled yet counted once. The run at 01:10 finds March's charged usage left unclaimed 25 hours, 3.50,
   * and gives back what its burns took beyond that, 3.22: ledger 13.14, 20.00 less 49 hours.
   * March's invoice claims those 25 hours and settles the burns that are left, 3.50, to the cent.
   */
  @Test
  void anAdminInvoiceEndingInsideAPeriodSettlesNoneOfItsBurns_andTheNextRunGivesBackItsPart() {
    account("ann", "payg", "20.00");
    billing.session("s1", "ann", "2026-03-09T00:00:00Z", "2026-03-11T01:00:00Z", TWO_CORES);
    billing.calculateUsageAt("2026-03-11T00:10:00Z");
    assertEquals("13.28 0.00", balanceOf("ann"));

    BillingHarness.Answer range =
        billing.call(
            HttpMethod.POST,
            "/admin/invoices",
            admin("root"),
            """
            {"user_id":"ann","period_start":"2026-03-01","period_end":"2026-03-10",
             "reason":"closing the account's books"}""");
    assertEquals(201, range.status(), range.body().toString());
    BigDecimal midway = liveAt("2026-03-11T00:30:00Z").get("balance").decimalValue();
    billing.calculateUsageAt("2026-03-11T01:10:00Z");
    BigDecimal after = liveAt("2026-03-11T01:10:00Z").get("balance").decimalValue();
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);

    assertEquals(
        List.of(List.of("3.36", "3.36", "0.00"), List.of("3.50", "3.50", "0.00")),
        rows(
            """
            SELECT subtotal::text, balance_applied::text, total::text FROM billing_invoices
            WHERE user_id = 'ann' ORDER BY period_start"""));
    assertEquals(new BigDecimal("13.14"), midway);
    assertEquals(new BigDecimal("13.14"), after);
    assertEquals(
        List.of(
            List.of("burn", "-6.72"),
            List.of("invoice_applied", "-3.36"),
            List.of("burn_returned", "3.22")),
        rows(
            """
            SELECT kind, amount::text FROM billing_prepaid_entries
            WHERE kind <> 'grant' ORDER BY id"""));
    assertEquals("13.14 0.00", balanceOf("ann"));
  }

  /**
   * The review's scenario 6: ann has 0.20 and runs 2 cores and 4 GB (0.14 an hour) from 31 March
   * 22:00. The run at 23:10 burns 0.14 (0.06 left). At 23:40 March's cost is 0.24 (cpu 0.17,
   * memory 0.07): 0.04 past the balance, so check-balances suspends s1. At 00:05 in April the
   * new period has cost nothing, but March's invoice is not finalized: its 0.24, less the 0.14
   * burned, still weighs on the 0.06: the balance is still spent, and s1 is not resumed.
   */
  @Test
  void atThePeriodsRolloverThePeriodBeforesUnburnedCostStillWeighs_soNothingResumesAtMidnight() {
    billing.clock.set(at("2026-03-31T22:00:00Z"));
    account("ann", "payg", "0.20");
    assertTrue(billing.billing.admit(new AdmissionRequest("ann", "s1", TWO_CORES)).allowed());
    billing.created("2026-03-31T22:00:00Z", "s1", "ann", TWO_CORES);
    hourlyRuns("2026-03-31", 23, 23, "s1");
    assertEquals("0.06", balanceOf("ann").split(" ")[0]);

    billing.heartbeat("2026-03-31T23:39:00Z", "s1", "ann", null);
    billing.runAt("check-balances", "2026-03-31T23:40:00Z");
    List<String> suspended = List.copyOf(billing.context.sessionControls());
    billing.heartbeat("2026-04-01T00:04:00Z", "s1", "ann", null);
    billing.runAt("check-balances", "2026-04-01T00:05:00Z");
    JsonNode live = liveAt("2026-04-01T00:05:00Z");

    assertEquals(1, suspended.size(), suspended.toString());
    assertEquals(suspended, billing.context.sessionControls(), "not resumed at midnight");
    assertEquals(new BigDecimal("0.00"), live.get("total").decimalValue(), live.toString());
    assertEquals(new BigDecimal("-0.04"), live.get("balance").decimalValue());
  }

  /**
   * ann has 0.10 and runs 2 cores and 4 GB (0.14 an hour; admission held 0.04) from 12:00. At
   * 12:45 the balance is spent and check-balances suspends s1. check-quotas at 12:50 leaves her
   * reservation alone: suspended, s1 accrues nothing of its own (not 65 minutes at full size,
   * 0.16). 5.00 arrives at 13:00 and the hold is lifted; at 13:05 s1's accrual counts from the
   * lift, not from its watermark (12:00): 5 minutes + the next 15 at 0.14 an hour, 0.0467, rounded
   * up 0.05 (not 80 minutes, 0.19).
   */
  @Test
  void anExtensionSkipsAnOrganizationHeldForASpentBalance_andCountsAccrualFromTheLift() {
    account("ann", "payg", "0.10");
    started("ann", "s1", TWO_CORES);
    billing.heartbeat("2026-03-10T12:44:00Z", "s1", "ann", null);
    billing.runAt("check-balances", "2026-03-10T12:45:00Z");
    assertEquals(1, billing.context.sessionControls().size());

    billing.runAt(CheckQuotasJob.NAME, "2026-03-10T12:50:00Z");
    String whileHeld = reservationOf("s1");
    billing.clock.set(at("2026-03-10T13:00:00Z"));
    grant("ann", "5.00");
    billing.heartbeat("2026-03-10T13:04:00Z", "s1", "ann", null);
    billing.runAt(CheckQuotasJob.NAME, "2026-03-10T13:05:00Z");

    assertEquals("0.04", whileHeld);
    assertEquals(
        1L, value("SELECT count(*) FROM billing_account_holds WHERE lifted_at IS NOT NULL"));
    assertEquals("0.05", reservationOf("s1"));
  }
}

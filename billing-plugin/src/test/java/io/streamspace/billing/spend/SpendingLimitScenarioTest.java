package io.streamspace.billing.spend;

import static io.streamspace.billing.support.BillingHarness.CALCULATE_USAGE;
import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.BillingExtension;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.billing.support.TestPluginContext;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A spending limit with {@code block}, worked out by hand. John is on the free plan (no fee), in
 * usage mode at the default USD rates: his session s1 runs 2 cores and 4 GB from 10:00 on March
 * 10, so each hour costs 2 × 0.05 + 4 × 0.01 = 0.14 USD. His limit is 1.40 USD, warning at 50 %
 * (0.70 USD): rated up to 15:00 (5 hours, 0.70) it warns, up to 20:00 (10 hours, 1.40) it is
 * reached. calculate-usage settles time up to one heartbeat timeout (10 minutes) before it runs,
 * so the runs at 15:10 and 20:10 rate up to 15:00 and 20:00. The notice is 15 minutes: s1 is
 * suspended at 20:25, not a second before.
 */
class SpendingLimitScenarioTest {

  private static final String CHECK_QUOTAS = "check-quotas";
  private static final String LIMIT =
      "{\"amount\": 1.40, \"warn_at_percent\": 50, \"action\": \"block\"}";
  private static final String DETAIL =
      "Spending limit of $1.40 reached at 2026-03-10T20:10:00Z (this period's estimated"
          + " cost: $1.40). Raise the limit or make it warn only to resume.";

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T10:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  /** John's session from 10:00, his limit set, and usage rated at each hour's 10th minute. */
  private void johnWithALimit() {
    billing.userCreated("john", Map.of());
    billing.created("2026-03-10T10:00:00Z", "s1", "john", size("2", "4", "0"));
    billing.flush();
    assertEquals(200, put(LIMIT).status());
  }

  /** A heartbeat at {@code time}, then calculate-usage at the same instant. */
  private void rateAt(String time) {
    billing.heartbeat(time, "s1", "john", size("2", "4", "0"));
    billing.runAt(CALCULATE_USAGE, time);
  }

  /** Reached at 20:10 (1.40 USD), suspended at the end of the notice, 20:25. */
  private void johnSuspended() {
    johnWithALimit();
    rateHourlyThrough(20);
    billing.runAt(CHECK_QUOTAS, "2026-03-10T20:25:00Z");
  }

  /** Suspended, then stopped by the host at once, and its last 25 minutes rated. */
  private void johnSuspendedAndStopped() {
    johnSuspended();
    billing.terminated("2026-03-10T20:25:00Z", "s1", "john");
    billing.runAt(CALCULATE_USAGE, "2026-03-10T21:00:00Z");
  }

  private void rateHourlyThrough(int lastHour) {
    for (int hour = 11; hour <= lastHour; hour++) {
      rateAt("2026-03-10T%02d:10:00Z".formatted(hour));
    }
  }

  @Test
  void
      theWarningAndTheStopComeAtTheFiguresWorkedOutByHand_andTheSessionIsSuspendedAfterTheNotice() {
    johnWithALimit();

    rateHourlyThrough(14); // 4 hours: 0.56 USD, 40 %
    List<String> at40Percent = spendEvents(billing.context);
    rateAt("2026-03-10T15:10:00Z"); // 5 hours: 0.70 USD, 50 %
    JsonNode warned = get();
    rateHourlyThrough(19); // 9 hours: 1.26 USD
    List<String> before = spendEvents(billing.context);
    rateAt("2026-03-10T20:10:00Z"); // 10 hours: 1.40 USD, reached
    JsonNode reached = get();
    billing.runAt(CHECK_QUOTAS, "2026-03-10T20:24:59Z");
    List<String> aSecondBeforeTheNotice = billing.context.sessionControls();
    billing.runAt(CHECK_QUOTAS, "2026-03-10T20:25:00Z");

    assertEquals(List.of(), at40Percent);
    assertEquals("0.70", warned.at("/estimate/total").decimalValue().toPlainString());
    assertEquals("0.70", warned.at("/estimate/usage").decimalValue().toPlainString());
    assertEquals("0.00", warned.at("/estimate/plan_fee").decimalValue().toPlainString());
    assertEquals(0, new BigDecimal("50").compareTo(warned.get("percent").decimalValue()));
    assertEquals("warning", warned.get("state").asText());
    assertEquals(List.of(warning()), before);
    assertEquals("reached", reached.get("state").asText());
    assertEquals("1.40", reached.at("/estimate/total").decimalValue().toPlainString());
    assertEquals("2026-03-10T20:10:00Z", reached.get("reached_at").asText());
    assertEquals("2026-03-10T20:25:00Z", reached.get("blocks_at").asText());
    assertFalse(reached.get("blocked").asBoolean());
    assertEquals(
        List.of(
            warning(),
            "billing.spend.reached {\"user_id\":\"john\",\"currency\":\"USD\",\"estimate\":1.40,"
                + "\"amount\":1.4,\"percent\":100.00,\"action\":\"block\","
                + "\"period_start\":\"2026-03-01T00:00:00Z\"}",
            "billing.account.suspended"),
        spendEvents(billing.context));
    assertEquals(List.of(), aSecondBeforeTheNotice);
    assertEquals(List.of("suspend s1: " + DETAIL), distinctControls(billing.context));
    assertTrue(get().get("blocked").asBoolean());
    AdmissionDecision refused =
        billing.billing.admit(new AdmissionRequest("john", null, size("1", "1", "0")));
    assertEquals("spending_limit_reached", refused.code());
    assertEquals(DETAIL, refused.reason());
  }

  @Test
  void withANoticeOfZeroTheRatingRunThatReachesTheLimitSuspendsAtOnce() {
    billing.context.setConfigJson("{\"spendingBlockNoticeMinutes\": 0}");
    billing.billing.onConfigChanged(billing.context);
    johnWithALimit();

    rateHourlyThrough(19);
    List<String> before = billing.context.sessionControls();
    rateAt("2026-03-10T20:10:00Z");

    assertEquals(List.of(), before);
    assertEquals(List.of("suspend s1: " + DETAIL), distinctControls(billing.context));
  }

  @Test
  void raisingTheLimitAboveTheEstimateResumesTheSessionsAtOnce() {
    johnSuspended();

    billing.clock.set(at("2026-03-10T20:30:00Z"));
    Answer raised = put("{\"amount\": 2, \"action\": \"block\"}");

    assertEquals(200, raised.status());
    assertEquals("ok", raised.body().get("state").asText()); // 1.40 of 2.00: 70 % < 80 %
    assertEquals(80, raised.body().get("warn_at_percent").asInt());
    assertFalse(raised.body().get("blocked").asBoolean());
    assertEquals(List.of("suspend s1: " + DETAIL, "resume s1"), distinctControls(billing.context));
    assertEquals(
        "billing.account.resumed",
        spendEvents(billing.context).get(spendEvents(billing.context).size() - 1));
    assertNotEquals(
        "spending_limit_reached",
        billing.billing.admit(new AdmissionRequest("john", null, size("1", "1", "0"))).code());
  }

  @Test
  void switchingToWarnOrRemovingTheLimitResumesTheSessions() {
    johnSuspended();

    Answer warnOnly = put("{\"amount\": 1.40, \"action\": \"warn\"}");
    List<String> afterWarnOnly = distinctControls(billing.context);
    put(LIMIT);
    billing.runAt(CHECK_QUOTAS, "2026-03-10T20:40:00Z"); // reached since 20:10: held again
    Answer removed = billing.call(HttpMethod.DELETE, "/spending-limit", user("john"));

    assertEquals("reached", warnOnly.body().get("state").asText());
    assertFalse(warnOnly.body().get("blocked").asBoolean());
    assertEquals(List.of("suspend s1: " + DETAIL, "resume s1"), afterWarnOnly);
    assertEquals(200, removed.status());
    assertTrue(removed.body().get("amount").isNull());
    assertTrue(removed.body().get("state").isNull());
    assertFalse(removed.body().get("blocked").asBoolean());
    List<String> controls = billing.context.sessionControls();
    assertEquals("resume s1", controls.get(controls.size() - 1));
  }

  @Test
  void theNextPeriodLiftsTheHold_itsEstimateStartingAfresh() {
    johnSuspendedAndStopped();
    billing.runAt(CHECK_QUOTAS, "2026-04-01T00:05:00Z");
    JsonNode april = get();

    assertEquals("ok", april.get("state").asText());
    assertEquals("2026-04-01T00:00:00Z", april.get("period_start").asText());
    assertEquals("0.00", april.at("/estimate/total").decimalValue().toPlainString());
    assertTrue(april.get("reached_at").isNull());
    assertFalse(april.get("blocked").asBoolean());
    assertEquals(
        List.of(
            "billing.spend.warning",
            "billing.spend.reached",
            "billing.account.suspended",
            "billing.account.resumed"),
        eventNames(billing.context));
  }

  /**
   * A pack is this period's spending only in the period it was bought: John's 5-slot pack
   * (5.00 USD, March 10) is in March's estimate, and once April begins it is not in April's,
   * also while March's invoice, which bills it, is still a draft in its grace.
   */
  @Test
  void aPackBoughtLastPeriodIsNotInThisPeriodsEstimateWhileLastPeriodsInvoiceIsADraft() {
    johnWithALimit();
    Answer bought = billing.call(HttpMethod.POST, "/packs/slots-5/purchase", user("john"), "{}");
    assertEquals(201, bought.status(), bought.toString());
    assertEquals("5.00", get().at("/estimate/packs").decimalValue().toPlainString());

    billing.terminated("2026-03-10T10:00:00Z", "s1", "john");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z"); // March's draft, in its grace
    billing.clock.set(at("2026-04-01T00:30:00Z"));

    assertEquals(
        "draft",
        BillingHarness.value("SELECT status FROM billing_invoices WHERE user_id = 'john'"));
    assertEquals("0.00", get().at("/estimate/packs").decimalValue().toPlainString());
  }

  /**
   * Nothing is dropped: the invoice bills all usage up to the suspension. s1 ran 10:00-20:25,
   * 10 h 25 min = 37,500 s: 2 cores × 37,500 s = 75,000 core-s = 20.8333 core-h × 0.05 = 1.041 ->
   * 1.04; 4 GB × 37,500 s = 150,000 GB-s = 41.6667 GB-h × 0.01 = 0.4167 -> 0.42; total 1.46 USD,
   * above the 1.40 limit.
   */
  @Test
  void theInvoiceBillsAllUsageUpToTheSuspension() {
    johnSuspendedAndStopped();
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");

    assertEquals(
        List.of(
            List.of("cpu usage", new BigDecimal("1.04")),
            List.of("memory usage", new BigDecimal("0.42"))),
        BillingHarness.rows(
            "SELECT l.description, l.amount FROM billing_invoice_lines l"
                + " JOIN billing_invoices i ON i.id = l.invoice_id"
                + " WHERE i.user_id = 'john' ORDER BY l.line_no"));
    assertEquals(
        0,
        new BigDecimal("1.46")
            .compareTo(
                (BigDecimal)
                    BillingHarness.value(
                        "SELECT total FROM billing_invoices WHERE user_id = 'john'")));
  }

  @Test
  void eachEventIsPublishedOnceAcrossReRunsAndTwoPluginInstancesOnOneDatabase() {
    johnWithALimit();
    TestPluginContext otherHost = new TestPluginContext(billing.clock);
    BillingExtension other = new BillingExtension();
    other.onLoad(otherHost);

    rateHourlyThrough(20);
    otherHost.scheduler().run(CHECK_QUOTAS);
    billing.runAt(CHECK_QUOTAS, "2026-03-10T20:25:00Z");
    otherHost.scheduler().run(CHECK_QUOTAS);
    billing.runAt(CHECK_QUOTAS, "2026-03-10T20:30:00Z");
    otherHost.scheduler().run(CALCULATE_USAGE);
    other.onUnload(otherHost);

    List<String> all = new ArrayList<>(eventNames(billing.context));
    all.addAll(eventNames(otherHost));
    assertEquals(
        List.of("billing.spend.warning", "billing.spend.reached", "billing.account.suspended"),
        all);
  }

  @Test
  void badInputIsRefusedNamingTheField_andNothingIsStored() {
    billing.userCreated("john", Map.of());
    billing.flush();

    assertEquals("amount", put("{\"action\": \"block\"}").errorField());
    assertEquals("amount", put("{\"amount\": \"5\", \"action\": \"block\"}").errorField());
    assertEquals("amount", put("{\"amount\": 0, \"action\": \"block\"}").errorField());
    assertEquals("amount", put("{\"amount\": 1.005, \"action\": \"block\"}").errorField());
    assertEquals("action", put("{\"amount\": 5}").errorField());
    assertEquals("action", put("{\"amount\": 5, \"action\": \"stop\"}").errorField());
    assertEquals(
        "warn_at_percent",
        put("{\"amount\": 5, \"warn_at_percent\": 0, \"action\": \"warn\"}").errorField());
    assertEquals(
        "warn_at_percent",
        put("{\"amount\": 5, \"warn_at_percent\": 101, \"action\": \"warn\"}").errorField());
    assertEquals(
        "warn_at_percent",
        put("{\"amount\": 5, \"warn_at_percent\": 50.5, \"action\": \"warn\"}").errorField());
    assertEquals(
        "user_id", put("{\"amount\": 5, \"action\": \"warn\", \"user_id\": 7}").errorField());
    assertEquals(0L, BillingHarness.value("SELECT count(*) FROM billing_spending_limits"));
  }

  @Test
  void theOwnerOrAnAdminSetsALimit_noOneElse() {
    billing.userCreated("john", Map.of());
    billing.flush();
    String forJohn = "{\"amount\": 5, \"action\": \"warn\", \"user_id\": \"john\"}";

    Answer byMallory = billing.call(HttpMethod.PUT, "/spending-limit", user("mallory"), forJohn);
    Answer readByMallory =
        billing.call(HttpMethod.GET, "/spending-limit?user_id=john", user("mallory"));
    Answer byAdmin = billing.call(HttpMethod.PUT, "/spending-limit", admin("ada"), forJohn);
    Answer readByAdmin = billing.call(HttpMethod.GET, "/spending-limit?user_id=john", admin("ada"));

    assertEquals(403, byMallory.status());
    assertEquals(403, readByMallory.status());
    assertEquals(200, byAdmin.status());
    assertEquals("ada", readByAdmin.body().get("set_by").asText());
    assertEquals("5.00", readByAdmin.body().get("amount").decimalValue().toPlainString());
  }

  @Test
  void anAccountLockedForNonPaymentMayNotSetOrRemoveALimit_butReadsIt() {
    billing.userCreated("john", Map.of());
    billing.flush();
    TestDatabase.execute(
        "INSERT INTO billing_account_holds (user_id, reason, detail, placed_at)"
            + " VALUES ('john', 'non_payment', 'Invoice unpaid.', now())");

    Answer set = put(LIMIT);
    Answer removed = billing.call(HttpMethod.DELETE, "/spending-limit", user("john"));

    assertEquals(423, set.status());
    assertEquals("account_locked", set.body().at("/error/code").asText());
    assertEquals(423, removed.status());
    assertEquals(0L, BillingHarness.value("SELECT count(*) FROM billing_spending_limits"));
    assertTrue(get().get("amount").isNull());
  }

  private Answer put(String body) {
    return billing.call(HttpMethod.PUT, "/spending-limit", user("john"), body);
  }

  private JsonNode get() {
    Answer answer = billing.call(HttpMethod.GET, "/spending-limit", user("john"));
    assertEquals(200, answer.status(), answer.toString());
    return answer.body();
  }

  private static String warning() {
    return "billing.spend.warning {\"user_id\":\"john\",\"currency\":\"USD\",\"estimate\":0.70,"
        + "\"amount\":1.4,\"percent\":50.00,\"action\":\"block\","
        + "\"period_start\":\"2026-03-01T00:00:00Z\"}";
  }

  /** The spend events in full, the account's by name. */
  private static List<String> spendEvents(TestPluginContext host) {
    return host.published().stream()
        .filter(e -> e.startsWith("billing.spend.") || e.startsWith("billing.account."))
        .map(e -> e.startsWith("billing.account.") ? e.substring(0, e.indexOf(' ')) : e)
        .toList();
  }

  /** The spend and account events' names, in order. */
  private static List<String> eventNames(TestPluginContext host) {
    return host.published().stream()
        .map(e -> e.substring(0, e.indexOf(' ')))
        .filter(e -> e.startsWith("billing.spend.") || e.startsWith("billing.account."))
        .toList();
  }

  /** The session controls, each once: check-quotas suspends a held account's sessions again. */
  private static List<String> distinctControls(TestPluginContext host) {
    return host.sessionControls().stream().distinct().toList();
  }
}

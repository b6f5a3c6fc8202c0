package io.streamspace.billing.quota;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.BillingExtension;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestPluginContext;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobRun;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * check-quotas publishes each quota alert once per account, meter, threshold and period. John is
 * on the free plan, whose storage limit is 2 GB (hard): the warning is at 1.6 GB (80 %).
 */
class CheckQuotasTest {

  private static final String CHECK_QUOTAS = "check-quotas";

  private static final String WARNING =
      """
      billing.quota.warning {"user_id":"john","meter":"storage_gb","used":1.6,"limit":2,\
      "percent":80.00,"kind":"hard","period_start":"2026-03-01T00:00:00Z"}""";

  private static final String EXCEEDED =
      """
      billing.quota.exceeded {"user_id":"john","meter":"storage_gb","used":2.5,"limit":2,\
      "percent":125.00,"kind":"hard","period_start":"2026-03-01T00:00:00Z"}""";

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void eachThresholdIsAlertedOnceAPeriod_acrossReRunsAndGoingUnderAndOverAgain() {
    billing.created("2026-03-10T12:00:00Z", "s1", "john", size("1", "1", "1.5"));
    assertEquals(0, check("2026-03-10T12:01:00Z").rowsTouched());

    billing.heartbeat("2026-03-10T12:02:00Z", "s1", "john", size("1", "1", "1.6"));
    JobRun warned = check("2026-03-10T12:05:00Z");
    check("2026-03-10T12:10:00Z");
    billing.heartbeat("2026-03-10T12:12:00Z", "s1", "john", size("1", "1", "2.5"));
    check("2026-03-10T12:15:00Z");
    check("2026-03-10T12:20:00Z");
    // back under both thresholds, then over again in the same period: nothing more
    billing.heartbeat("2026-03-10T12:22:00Z", "s1", "john", size("1", "1", "1"));
    check("2026-03-10T12:25:00Z");
    billing.heartbeat("2026-03-10T12:27:00Z", "s1", "john", size("1", "1", "2.5"));
    check("2026-03-10T12:30:00Z");

    assertEquals(JobOutcome.SUCCEEDED, warned.outcome());
    assertEquals(1, warned.rowsTouched());
    assertEquals(List.of(WARNING, EXCEEDED), billing.context.published());
  }

  @Test
  void aMeterFoundOverItsLimitAtOnceGetsBothAlerts_warningFirst() {
    billing.created("2026-03-10T12:00:00Z", "s1", "john", size("1", "1", "2.5"));

    assertEquals(2, check("2026-03-10T12:05:00Z").rowsTouched());

    assertEquals(
        List.of(
            WARNING.replace("\"used\":1.6", "\"used\":2.5").replace("80.00", "125.00"), EXCEEDED),
        billing.context.published());
  }

  @Test
  void aRestartedPluginOrASecondNodeOnTheSameDatabaseDoesNotAlertAgain() {
    billing.created("2026-03-10T12:00:00Z", "s1", "john", size("1", "1", "2.5"));
    check("2026-03-10T12:05:00Z");

    TestPluginContext restarted = new TestPluginContext(billing.clock);
    BillingExtension second = new BillingExtension();
    second.onLoad(restarted);
    JobRun again = restarted.scheduler().run(CHECK_QUOTAS);
    second.onUnload(restarted);

    assertEquals(JobOutcome.SUCCEEDED, again.outcome());
    assertEquals(0, again.rowsTouched());
    assertEquals(List.of(), restarted.published());
  }

  @Test
  void aNewPeriodAlertsAgain() {
    billing.created("2026-03-10T12:00:00Z", "s1", "john", size("1", "1", "1.6"));
    check("2026-03-10T12:05:00Z");
    billing.heartbeat("2026-03-31T23:59:00Z", "s1", "john", size("1", "1", "1.6"));
    check("2026-04-01T00:00:00Z");

    assertEquals(
        List.of(WARNING, WARNING.replace("2026-03-01", "2026-04-01")), billing.context.published());
  }

  @Test
  void theAlertThresholdIsTheOneInEffectWhenTheJobRuns() {
    billing.created("2026-03-10T12:00:00Z", "s1", "john", size("1", "1", "1.6"));
    billing.context.setConfigJson("{\"alertThreshold\": 90}");
    billing.billing.onConfigChanged(billing.context);

    assertEquals(0, check("2026-03-10T12:05:00Z").rowsTouched());
  }

  @Test
  void checkQuotasRunsOnQuotaCheckInterval_andMovesWhenItChanges() {
    assertEquals("*/5 * * * *", cron());

    billing.context.setConfigJson("{\"quotaCheckInterval\": \"* * * * *\"}");
    billing.billing.onConfigChanged(billing.context);

    assertEquals("* * * * *", cron());
  }

  @Test
  void anAdminRunsCheckQuotasNow() {
    billing.created("2026-03-10T12:00:00Z", "s1", "john", size("1", "1", "1.6"));
    billing.flush();

    var answer =
        billing.call(
            HttpMethod.POST, "/jobs/check-quotas", admin("root"), "{\"reason\": \"a check now\"}");

    assertEquals(200, answer.status());
    assertEquals(1, answer.body().get("rows_touched").asInt());
    assertEquals(List.of(WARNING), billing.context.published());
  }

  /**
   * 130 of the 100 AI queries free includes (soft): confirmation_required alerts as exceeded,
   * once; confirming it changes the state, not the alerts.
   */
  @Test
  void aSoftCounterAwaitingConfirmationIsAlertedExceededOnce_andNotAgainOnceConfirmed() {
    billing.userCreated("john", Map.of());
    billing.billing.onUsageReported(
        billing.context,
        new UsageReport(
            "q1", at("2026-03-10T12:00:00Z"), "john", "ai_queries", new BigDecimal("130"), null));
    check("2026-03-10T12:05:00Z");
    billing.call(
        HttpMethod.POST,
        "/overage/confirm",
        BillingHarness.user("john"),
        "{\"meter\":\"ai_queries\"}");
    check("2026-03-10T12:10:00Z");

    List<String> published = billing.context.published();
    assertEquals(2, published.size(), published.toString());
    assertTrue(published.get(0).startsWith("billing.quota.warning "), published.get(0));
    assertEquals(
        """
        billing.quota.exceeded {"user_id":"john","meter":"ai_queries","used":130,\
        "limit":100,"percent":130.00,"kind":"soft","period_start":"2026-03-01T00:00:00Z"}""",
        published.get(1));
  }

  private JobRun check(String now) {
    return billing.runAt(CHECK_QUOTAS, now);
  }

  private String cron() {
    return billing.context.scheduler().status().stream()
        .filter(s -> s.jobName().equals(CHECK_QUOTAS))
        .findFirst()
        .orElseThrow()
        .cron();
  }
}

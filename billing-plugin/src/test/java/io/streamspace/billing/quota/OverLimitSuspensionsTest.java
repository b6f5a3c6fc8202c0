package io.streamspace.billing.quota;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.BillingExtension;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.config.CronValidator;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.billing.support.TestPluginContext;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Suspension after the grace. John is on the free plan, whose storage limit is 2 GB (hard); his
 * session s1 holds 2.5 GB from 12:00. check-quotas first finds him over at 12:05, so with a
 * grace of 7 days he is suspended at 12:05 on March 17 and not a second before.
 */
class OverLimitSuspensionsTest {

  private static final String CHECK_QUOTAS = "check-quotas";
  private static final String CONFIG = "{\"autoSuspendOnOverage\": true, \"gracePeriodDays\": 7}";
  private static final BillingConfig PARSED =
      new BillingConfigParser(CronValidator.fiveFields()).parse(CONFIG).config();

  private static final String FOUND_OVER = "2026-03-10T12:05:00Z";
  private static final String GRACE_ENDS = "2026-03-17T12:05:00Z";
  private static final String DETAIL =
      "Over the hard limit of storage_gb (2.5 used, 2 allowed) since 2026-03-10T12:05:00Z."
          + " Free some storage or upgrade your plan to resume.";

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"), CONFIG);

  @AfterEach
  void unload() {
    billing.close();
  }

  private void johnOverHisStorageLimit() {
    billing.created("2026-03-10T12:00:00Z", "s1", "john", size("1", "1", "2.5"));
    billing.runAt(CHECK_QUOTAS, FOUND_OVER);
  }

  @Test
  void anAccountIsSuspendedExactlyWhenTheGraceEnds_notASecondBefore() {
    johnOverHisStorageLimit();

    billing.runAt(CHECK_QUOTAS, "2026-03-17T12:04:59Z");
    List<String> aSecondBefore = controls(billing.context);
    JsonNode quotaBefore = quota();
    billing.runAt(CHECK_QUOTAS, GRACE_ENDS);

    assertEquals(List.of(), aSecondBefore);
    assertEquals(FOUND_OVER, quotaBefore.get("over_since").asText());
    assertEquals(GRACE_ENDS, quotaBefore.get("suspends_at").asText());
    assertFalse(quotaBefore.get("suspended").asBoolean());
    assertEquals(List.of("suspend s1: " + DETAIL), controls(billing.context));
    assertEquals(List.of(suspended()), accountEvents(billing.context));
    assertTrue(quota().get("suspended").asBoolean());
    AdmissionDecision refused =
        billing.billing.admit(new AdmissionRequest("john", null, size("1", "1", "0")));
    assertEquals("account_suspended", refused.code());
    assertEquals(DETAIL, refused.reason());
  }

  @Test
  void theAccountsARunFindsOverForTheFirstTime_areMarkedTogether_inOneStatement() {
    billing.created("2026-03-10T12:00:00Z", "s1", "john", size("1", "1", "2.5"));
    billing.created("2026-03-10T12:00:00Z", "s2", "mary", size("1", "1", "3"));
    billing.created("2026-03-10T12:00:00Z", "s3", "paul", size("1", "1", "2.1"));

    billing.runAt(CHECK_QUOTAS, FOUND_OVER);

    assertEquals(
        3L,
        BillingHarness.value(
            "SELECT count(*) FROM billing_over_limit WHERE over_since = '" + FOUND_OVER + "'"));
    // a commit of each would have left three transactions' rows
    assertEquals(
        1L, BillingHarness.value("SELECT count(DISTINCT xmin::text) FROM billing_over_limit"));
  }

  @Test
  void theGraceIsKeptAcrossARestart_andNotMovedByAReRun() {
    johnOverHisStorageLimit();
    billing.runAt(CHECK_QUOTAS, "2026-03-12T08:00:00Z");
    TestPluginContext restarted = host();
    BillingExtension again = load(restarted);

    billing.flush();
    billing.clock.set(at("2026-03-17T12:04:59Z"));
    restarted.scheduler().run(CHECK_QUOTAS);
    List<String> aSecondBefore = controls(restarted);
    billing.clock.set(at(GRACE_ENDS));
    restarted.scheduler().run(CHECK_QUOTAS);
    again.onUnload(restarted);

    assertEquals(List.of(), aSecondBefore);
    assertEquals(List.of("suspend s1: " + DETAIL), controls(restarted));
    assertEquals(
        java.sql.Timestamp.from(at(FOUND_OVER)),
        BillingHarness.value("SELECT over_since FROM billing_over_limit WHERE user_id = 'john'"));
  }

  @Test
  void anUpgradeTheUseFitsResumesTheSessionsAtOnce() {
    johnOverHisStorageLimit();
    billing.runAt(CHECK_QUOTAS, GRACE_ENDS);
    billing.clock.set(at("2026-03-18T09:00:00Z"));

    BillingHarness.Answer upgraded =
        billing.call(HttpMethod.PUT, "/subscription", user("john"), "{\"plan_id\": \"pro\"}");

    assertEquals(200, upgraded.status());
    assertEquals(List.of("suspend s1: " + DETAIL, "resume s1"), controls(billing.context));
    assertEquals(List.of(suspended(), resumed()), accountEvents(billing.context));
    JsonNode quota = quota();
    assertTrue(quota.get("over_since").isNull());
    assertTrue(quota.get("suspends_at").isNull());
    assertFalse(quota.get("suspended").asBoolean());
    // no longer refused for the hold (admission's own reading of the plan is not this test's)
    assertFalse(
        "account_suspended"
            .equals(
                billing
                    .billing
                    .admit(new AdmissionRequest("john", null, size("1", "1", "0")))
                    .code()));
  }

  @Test
  void freedStorageResumesTheSessionsAtTheNextCheck_andANewOverageStartsANewGrace() {
    johnOverHisStorageLimit();
    billing.runAt(CHECK_QUOTAS, GRACE_ENDS);

    billing.heartbeat("2026-03-17T12:06:00Z", "s1", "john", size("1", "1", "1.5"));
    billing.runAt(CHECK_QUOTAS, "2026-03-17T12:10:00Z");
    billing.heartbeat("2026-03-17T12:11:00Z", "s1", "john", size("1", "1", "2.5"));
    billing.runAt(CHECK_QUOTAS, "2026-03-17T12:15:00Z");

    assertEquals(List.of("suspend s1: " + DETAIL, "resume s1"), controls(billing.context));
    assertEquals(List.of(suspended(), resumed()), accountEvents(billing.context));
    assertEquals("2026-03-17T12:15:00Z", quota().get("over_since").asText());
    assertEquals("2026-03-24T12:15:00Z", quota().get("suspends_at").asText());
  }

  @Test
  void eachEventIsPublishedOnceAcrossReRunsAndTwoNodesOnOneDatabase() {
    johnOverHisStorageLimit();
    TestPluginContext otherHost = host();
    BillingExtension other = load(otherHost);

    billing.runAt(CHECK_QUOTAS, GRACE_ENDS);
    otherHost.scheduler().run(CHECK_QUOTAS);
    billing.runAt(CHECK_QUOTAS, "2026-03-17T12:10:00Z");
    billing.heartbeat("2026-03-17T12:11:00Z", "s1", "john", size("1", "1", "1"));
    billing.runAt(CHECK_QUOTAS, "2026-03-17T12:15:00Z");
    otherHost.scheduler().run(CHECK_QUOTAS);
    billing.runAt(CHECK_QUOTAS, "2026-03-17T12:20:00Z");
    other.onUnload(otherHost);

    assertEquals(List.of(suspended(), resumed()), accountEvents(billing.context));
    assertEquals(List.of(), accountEvents(otherHost));
  }

  @Test
  void withAutoSuspendOnOverageOffAnAccountIsNeverSuspended() {
    configure("{\"autoSuspendOnOverage\": false, \"gracePeriodDays\": 0}");
    johnOverHisStorageLimit();

    billing.runAt(CHECK_QUOTAS, "2026-04-20T00:00:00Z");

    assertEquals(List.of(), controls(billing.context));
    assertEquals(List.of(), accountEvents(billing.context));
    JsonNode quota = quota();
    assertEquals(FOUND_OVER, quota.get("over_since").asText());
    assertTrue(quota.get("suspends_at").isNull());
    assertFalse(quota.get("suspended").asBoolean());
  }

  @Test
  void turningAutoSuspendOnOverageOffResumesTheSuspendedAccountsAtTheNextCheck() {
    johnOverHisStorageLimit();
    billing.runAt(CHECK_QUOTAS, GRACE_ENDS);

    configure("{\"autoSuspendOnOverage\": false}");
    billing.runAt(CHECK_QUOTAS, "2026-03-17T12:10:00Z");

    assertEquals(List.of(suspended(), resumed()), accountEvents(billing.context));
  }

  @Test
  void twoOfTwoActiveSessionsIsAtTheLimit_aThirdIsOver() {
    configure("{\"autoSuspendOnOverage\": true, \"gracePeriodDays\": 0}");
    billing.created("2026-03-10T12:00:00Z", "s1", "john", size("0.5", "1", "0"));
    billing.created("2026-03-10T12:00:00Z", "s2", "john", size("0.5", "1", "0"));
    billing.runAt(CHECK_QUOTAS, "2026-03-10T12:01:00Z");
    List<String> atTheLimit = controls(billing.context);
    billing.created("2026-03-10T12:02:00Z", "s3", "john", size("0.5", "1", "0"));
    billing.runAt(CHECK_QUOTAS, "2026-03-10T12:03:00Z");

    assertEquals(List.of(), atTheLimit);
    String detail =
        "Over the hard limit of active_sessions (3 used, 2 allowed) since"
            + " 2026-03-10T12:03:00Z. End some sessions or upgrade your plan to resume.";
    assertEquals(
        List.of("suspend s1: " + detail, "suspend s2: " + detail, "suspend s3: " + detail),
        controls(billing.context));
  }

  @Test
  void aSuspendedAccountThatUpgradesWhileACheckIsUnderWayIsNotSuspendedAgain() throws Exception {
    johnOverHisStorageLimit();
    billing.runAt(CHECK_QUOTAS, GRACE_ENDS);
    billing.clock.set(at("2026-03-18T09:00:00Z"));
    Quotas quotas = quotas();
    OverLimitSuspensions aRun = suspensions(quotas);
    // what a check-quotas run read of john before he upgraded
    AccountQuota over = quotas.of("john").orElseThrow();
    Optional<Instant> overSince = Optional.of(at(FOUND_OVER));

    BillingHarness.Answer upgraded =
        billing.call(HttpMethod.PUT, "/subscription", user("john"), "{\"plan_id\": \"pro\"}");
    aRun.check(over, overSince, true);
    billing.runAt(CHECK_QUOTAS, "2026-03-18T09:05:00Z");

    assertEquals(200, upgraded.status());
    assertEquals(List.of(suspended(), resumed()), accountEvents(billing.context));
    List<String> controls = billing.context.sessionControls();
    assertEquals("resume s1", controls.get(controls.size() - 1));
    assertFalse(quota().get("suspended").asBoolean());
    assertEquals(0L, BillingHarness.value("SELECT count(*) FROM billing_over_limit"));
  }

  @Test
  void aSuspensionDueWhileAnUpgradeIsCommittingWaitsForIt_andIsNotPlaced() throws Exception {
    johnOverHisStorageLimit();
    billing.clock.set(at(GRACE_ENDS));
    Quotas quotas = quotas();
    AccountQuota over = quotas.of("john").orElseThrow();
    try (Connection upgrading = TestDatabase.dataSource().getConnection()) {
      upgrading.setAutoCommit(false);
      // as a plan change lifts john's hold: his over-limit row deleted, not committed yet
      try (Statement statement = upgrading.createStatement()) {
        statement.execute("DELETE FROM billing_over_limit WHERE user_id = 'john'");
      }
      CompletableFuture<Boolean> suspending =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return suspensions(quotas).check(over, Optional.of(at(FOUND_OVER)), false);
                } catch (SQLException e) {
                  throw new IllegalStateException(e);
                }
              });
      TestDatabase.awaitSessionsWaitingForALock(1);
      upgrading.commit();

      assertFalse(suspending.get(), "not suspended");
    }
    assertEquals(List.of(), controls(billing.context));
    assertEquals(List.of(), accountEvents(billing.context));
  }

  @Test
  void anAccountHeldForBeingOverWithNoOverageLeftIsResumedAtTheNextCheck() {
    billing.created("2026-03-10T12:00:00Z", "s1", "john", size("1", "1", "1"));
    billing.runAt(CHECK_QUOTAS, FOUND_OVER);
    // a hold left without its over_limit row (as a check racing an upgrade used to leave one)
    TestDatabase.execute(
        "INSERT INTO billing_account_holds (user_id, reason, detail, placed_at)"
            + " VALUES ('john', 'over_limit', 'Over.', '2026-03-10T12:05:00Z')");

    billing.runAt(CHECK_QUOTAS, "2026-03-10T12:10:00Z");

    assertEquals(List.of("resume s1"), controls(billing.context));
    assertEquals(List.of(resumed()), accountEvents(billing.context));
    assertFalse(quota().get("suspended").asBoolean());
  }

  @Test
  void theAdminUserListShowsTheAccountsHolds() {
    johnOverHisStorageLimit();
    billing.runAt(CHECK_QUOTAS, GRACE_ENDS);

    JsonNode users = billing.call(HttpMethod.GET, "/admin/users?user_id=john", admin("ada")).body();

    assertEquals("[\"over_limit\"]", users.at("/users/0/holds").toString());
    assertEquals("active", users.at("/users/0/status").asText());
  }

  private Quotas quotas() {
    return new Quotas(new QuotaReadings(TestDatabase.dataSource()), () -> PARSED, billing.clock);
  }

  /** What a check-quotas run of the plugin on {@code billing.context} does, built apart. */
  private OverLimitSuspensions suspensions(Quotas quotas) {
    return new OverLimitSuspensions(
        TestDatabase.dataSource(),
        quotas,
        new AccountHolds(
            TestDatabase.dataSource(),
            new BillingEvents(billing.context.events()),
            billing.context.sessions(),
            billing.clock),
        () -> PARSED,
        billing.clock);
  }

  private JsonNode quota() {
    BillingHarness.Answer answer = billing.call(HttpMethod.GET, "/quota", user("john"));
    assertEquals(200, answer.status());
    return answer.body();
  }

  private void configure(String json) {
    billing.context.setConfigJson(json);
    billing.billing.onConfigChanged(billing.context);
  }

  private TestPluginContext host() {
    TestPluginContext host = new TestPluginContext(billing.clock);
    host.setConfigJson(CONFIG);
    return host;
  }

  private static BillingExtension load(TestPluginContext host) {
    BillingExtension extension = new BillingExtension();
    extension.onLoad(host);
    return extension;
  }

  /** The session controls, each once: check-quotas suspends a held account's sessions again. */
  private static List<String> controls(TestPluginContext host) {
    return host.sessionControls().stream().distinct().toList();
  }

  /** The account events: the suspension in full, the others by name. */
  private static List<String> accountEvents(TestPluginContext host) {
    return host.published().stream()
        .filter(e -> e.startsWith("billing.account."))
        .map(e -> e.startsWith("billing.account.suspended") ? e : e.substring(0, e.indexOf(' ')))
        .toList();
  }

  private static String suspended() {
    return "billing.account.suspended {\"user_id\":\"john\",\"org_id\":\"john\","
        + "\"reason\":\"over_limit\",\"detail\":\""
        + DETAIL
        + "\",\"placed_at\":\""
        + GRACE_ENDS
        + "\",\"lifted_at\":null,\"lifted_by\":null,\"note\":null,\"sessions\":[\"s1\"]}";
  }

  private static String resumed() {
    return "billing.account.resumed";
  }
}

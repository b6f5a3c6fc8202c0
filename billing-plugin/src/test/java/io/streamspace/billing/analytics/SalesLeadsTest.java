package io.streamspace.billing.analytics;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.BillingExtension;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.TestPluginContext;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /admin/leads} and {@code billing.lead.detected} on the default plans and keys (UTC;
 * lead plans: pro; 80 % of a limit on 5 days of the last 30; +5 members or +50 %). Pro allows 8
 * cores, hard in the default usage mode; Free 2 GB of storage, hard; Enterprise 32 cores.
 *
 * <ul>
 *   <li>ann, Pro: 7 cores (7 ÷ 8 = 0.875) at check-quotas on 6-10 March, 7.6 (0.95) on the
 *       10th: near_limits, cpu_cores, 5 days, highest 0.9500.
 *   <li>bob, Pro: 8 of 8 cores at the check of 10 March 12:05: hit_hard_limit then; one day near
 *       the limit only.
 *   <li>fay, Free: 1.9 of 2 GB (0.95) the same five days, and 2 of 2 hard: never a lead.
 *   <li>ed, Enterprise: 31 of 32 cores (0.97) the same five days: never a lead.
 *   <li>acme, Pro team: 2 members on 8 February 12:00 (30 days before), 5 now: +3, +150 %
 *       (≥ 50 %): members_grew 2 → 5. beta, Pro team: 10 members then, 13 now: +3, +30 %: not.
 * </ul>
 */
class SalesLeadsTest {

  private static final String[] DAYS = {"06", "07", "08", "09", "10"};

  private final BillingHarness billing = new BillingHarness(at("2026-01-01T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  private void opened(String user, String plan) {
    billing.clock.set(at("2026-01-01T00:00:00Z"));
    billing.userCreated(user, Map.of("plan", plan));
    billing.flush();
  }

  /**
   * A day of March: a session of each user of that size opened at 12:00, check-quotas at 12:05,
   * the sessions ended at 12:10.
   */
  private void day(String day, Map<String, ResourceSize> sessions) {
    String date = "2026-03-" + day + "T";
    sessions.forEach((user, size) -> billing.created(date + "12:00:00Z", user + day, user, size));
    billing.runAt("check-quotas", date + "12:05:00Z");
    sessions.keySet().forEach(user -> billing.terminated(date + "12:10:00Z", user + day, user));
  }

  /** bob, Pro: 8 of his 8 cores from 10 March 12:00, checked at 12:05 and 12:10. */
  private void bobAtHisHardLimitAtTwoChecks() {
    opened("bob", "pro");
    billing.created("2026-03-10T12:00:00Z", "s1", "bob", size("8", "1", "1"));
    billing.runAt("check-quotas", "2026-03-10T12:05:00Z");
    billing.runAt("check-quotas", "2026-03-10T12:10:00Z");
  }

  private List<String> leadsPublished() {
    List<String> leads = new ArrayList<>();
    for (String event : billing.context.published()) {
      if (event.startsWith("billing.lead.detected ")) {
        leads.add(event);
      }
    }
    return leads;
  }

  @Test
  void aProOrganizationNearItsCoresOnFiveDaysIsALead_withTheMeterTheDaysAndTheHighestShare() {
    opened("ann", "pro");
    // one session a day, each ended before the next day's
    for (int i = 0; i < DAYS.length; i++) {
      String day = DAYS[i];
      billing.created("2026-03-" + day + "T12:00:00Z", "s" + day, "ann", size("7", "1", "1"));
      if (i == DAYS.length - 1) {
        billing.heartbeat("2026-03-10T12:01:00Z", "s10", "ann", size("7.6", "1", "1"));
      }
      billing.runAt("check-quotas", "2026-03-" + day + "T12:05:00Z");
      if (i == DAYS.length - 2) {
        // four days are not enough
        assertEquals("[]", leads("").body().get("leads").toString());
      }
      billing.terminated("2026-03-" + day + "T12:10:00Z", "s" + day, "ann");
    }

    Answer answer = leads("");

    assertEquals(200, answer.status(), answer.toString());
    assertEquals(
        """
        [{"org_id":"ann","plan":"pro","reasons":["near_limits"],"evidence":{"near_limits":\
        [{"meter":"cpu_cores","days_above":5,"highest_share":0.9500}]}}]""",
        answer.body().get("leads").toString());
  }

  @Test
  void aProOrganizationAtAHardLimitIsALead_withTheMeterAndWhen() {
    bobAtHisHardLimitAtTwoChecks();

    assertEquals(
        """
        [{"org_id":"bob","plan":"pro","reasons":["hit_hard_limit"],"evidence":{"hit_hard_limit":\
        [{"meter":"cpu_cores","at":"2026-03-10T12:05:00Z"}]}}]""",
        leads("").body().get("leads").toString());
  }

  @Test
  void aProTeamThatGrewByHalfIsALead_fromItsMembersThirtyDaysAgoToNow() {
    billing.clock.set(at("2026-03-10T12:00:00Z"));
    OrgFixtures.opened(billing, "acme", "Acme", "o1", "USD", "pro", "2026-01-01T00:00:00Z");
    OrgFixtures.added("acme", "m1", "member", "2026-01-15T00:00:00Z");
    for (String member : new String[] {"m2", "m3", "m4"}) {
      OrgFixtures.added("acme", member, "member", "2026-03-01T00:00:00Z");
    }
    OrgFixtures.opened(billing, "beta", "Beta", "p0", "USD", "pro", "2026-01-01T00:00:00Z");
    for (int i = 1; i <= 9; i++) {
      OrgFixtures.added("beta", "p" + i, "member", "2026-01-15T00:00:00Z");
    }
    for (int i = 10; i <= 12; i++) {
      OrgFixtures.added("beta", "p" + i, "member", "2026-03-01T00:00:00Z");
    }
    // a member who joined and left within the window counts at neither end
    OrgFixtures.added("beta", "q", "member", "2026-03-02T00:00:00Z");
    OrgFixtures.removed("beta", "q", "2026-03-03T00:00:00Z");

    assertEquals(
        """
        [{"org_id":"acme","plan":"pro","reasons":["members_grew"],"evidence":{"members_grew":\
        {"from":2,"to":5}}}]""",
        leads("").body().get("leads").toString());
  }

  @Test
  void freeAndTopPlanOrganizationsAreNeverLeads_howeverCloseToTheirLimits() {
    opened("fay", "free");
    opened("ed", "enterprise");
    Map<String, ResourceSize> sessions =
        Map.of("fay", size("1", "1", "1.9"), "ed", size("31", "1", "1"));
    for (String day : DAYS) {
      if (day.equals("10")) {
        // fay's second session: 2 of the 2 sessions Free allows, hard
        billing.created("2026-03-10T12:01:00Z", "fay-second", "fay", size("1", "1", "1.9"));
      }
      day(day, sessions);
    }

    assertEquals("[]", leads("").body().get("leads").toString());
    assertEquals(0L, BillingHarness.value("SELECT count(*) FROM billing_lead_days"));
  }

  @Test
  void leadsAreSortedAndPagedAndExportedAsCsv() {
    opened("ann", "pro");
    opened("bob", "pro");
    for (String day : DAYS) {
      day(
          day,
          day.equals("10")
              ? Map.of("ann", size("7", "1", "1"), "bob", size("8", "1", "1"))
              : Map.of("ann", size("7", "1", "1")));
    }

    Answer firstByDays = leads("?sort=-days_above&limit=1");
    Answer byOrg = leads("?sort=org_id");

    assertEquals("ann", firstByDays.body().at("/leads/0/org_id").asText());
    assertEquals(1, firstByDays.body().get("leads").size());
    assertEquals(1, firstByDays.body().get("next_offset").asInt());
    assertEquals("ann bob", ids(byOrg));
    assertEquals("bob ann", ids(leads("?sort=-hit_at")));
    assertEquals("sort", leads("?sort=revenue").errorField());
    BillingHarness.Text csv = billing.text("/admin/leads?format=csv", admin("root"));
    assertEquals(200, csv.status());
    assertTrue(csv.contentType().startsWith("text/csv"), csv.contentType());
    assertEquals(
        List.of(
            "org_id,plan,reasons,near_limits,hit_hard_limit,members_from,members_to",
            "ann,pro,near_limits,cpu_cores 5 days 0.8750,,,",
            "bob,pro,hit_hard_limit,,cpu_cores 2026-03-10T12:05:00Z,,"),
        csv.body().lines().toList());
  }

  /**
   * Issue 51: the leads CSV escapes a cell a spreadsheet would run by the reports' rule (here an
   * organization id starting with {@code ;}), as every CSV of the plugin does.
   */
  @Test
  void aLeadsOrganizationIdStartingLikeAFormulaIsWrittenAsTextInTheCsv() {
    opened(";=cmd", "pro");
    billing.created("2026-03-10T12:00:00Z", "s1", ";=cmd", size("8", "1", "1"));
    billing.runAt("check-quotas", "2026-03-10T12:05:00Z");

    BillingHarness.Text csv = billing.text("/admin/leads?format=csv", admin("root"));

    assertEquals(200, csv.status());
    assertEquals(
        List.of(
            "org_id,plan,reasons,near_limits,hit_hard_limit,members_from,members_to",
            "';=cmd,pro,hit_hard_limit,,cpu_cores 2026-03-10T12:05:00Z,,"),
        csv.body().lines().toList());
  }

  @Test
  void onlyThePlatformAdminSeesTheLeads() {
    opened("ann", "pro");

    Answer answer = billing.call(HttpMethod.GET, "/admin/leads", user("ann"));

    assertEquals(403, answer.status(), answer.toString());
  }

  /**
   * The leads are as check-quotas judged them at its last run: bob, moved to Enterprise (not a
   * lead plan) after it, is still listed until a request finds that judgement 10 minutes old and
   * judges them again.
   */
  @Test
  void theLeadsAreAsOfTheLastCheckQuotasRun_untilThatRunIsTenMinutesOld() {
    bobAtHisHardLimitAtTwoChecks();
    BillingHarness.rows(
        """
        WITH ended AS (
          UPDATE billing_subscriptions SET ended_at = '2026-03-10T12:12:00Z'
          WHERE user_id = 'bob' AND ended_at IS NULL RETURNING currency)
        INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
            billing_interval, started_at)
        SELECT 'bob', 'enterprise', 'Enterprise', 99.99, currency, 'month',
               '2026-03-10T12:12:00Z' FROM ended RETURNING id""");
    billing.clock.set(at("2026-03-10T12:14:00Z"));

    Answer kept = leads("");
    billing.clock.set(at("2026-03-10T12:20:01Z"));
    Answer judgedAgain = leads("");

    assertEquals("2026-03-10T12:10:00Z", kept.body().get("as_of").asText());
    assertEquals("bob", ids(kept));
    assertEquals("2026-03-10T12:20:01Z", judgedAgain.body().get("as_of").asText());
    assertEquals("", ids(judgedAgain));
  }

  @Test
  void aLeadIsAnnouncedOncePerReason_acrossReRunsAndASecondNode() {
    bobAtHisHardLimitAtTwoChecks();

    TestPluginContext restarted = new TestPluginContext(billing.clock);
    BillingExtension second = new BillingExtension();
    second.onLoad(restarted);
    restarted.scheduler().run("check-quotas");
    second.onUnload(restarted);

    // 2026-03-10 is day 20,522 after 1970-01-01: its window starts on day 20,520, 8 March
    assertEquals(
        List.of(
            """
            billing.lead.detected {"org_id":"bob","plan":"pro","reason":"hit_hard_limit",\
            "evidence":{"hit_hard_limit":[{"meter":"cpu_cores","at":"2026-03-10T12:05:00Z"}]},\
            "window_start":"2026-03-08","detected_at":"2026-03-10T12:05:00Z"}"""),
        leadsPublished());
    assertEquals(List.of(), restarted.published());
  }

  private Answer leads(String query) {
    return billing.call(HttpMethod.GET, "/admin/leads" + query, admin("root"));
  }

  private static String ids(Answer answer) {
    List<String> ids = new ArrayList<>();
    answer.body().get("leads").forEach(lead -> ids.add(lead.get("org_id").asText()));
    return String.join(" ", ids);
  }
}

package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static io.streamspace.host.e2e.UsageLines.line;
import static io.streamspace.host.e2e.UsageLines.quantity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import io.streamspace.testing.Await;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A team organization over HTTP with the packaged billing plugin (docs/billing-rules.md, "The
 * customer: organizations"):
 * acme, owned by olivia, on the free plan, with adam as its admin and mia as a member, from 08:00.
 * Under acme adam ran 2 cores / 4 GB from 09:00 to 11:00 (0.20 + 0.08 = 0.28) and mia 1 core /
 * 2 GB from 09:00 to 10:00 (0.05 + 0.02 = 0.07); mia also ran 1 core / 1 GB from 10:00 to 11:00
 * on her own (0.05 + 0.01 = 0.06). adam and mia each opened a session of half a core and 1 GB
 * under acme at 11:55, which the 12:00 rating does not reach yet (it rates up to 11:00). All of
 * it, organization events included, arrives in one shuffled batch.
 */
class OrganizationsE2ETest extends BillingHostTestBase {

  private static final String DAY = "&from=2026-03-10&to=2026-03-11";

  private final String acme = newUser("acme");
  private final String olivia = newUser("olivia");
  private final String adam = newUser("adam");
  private final String mia = newUser("mia");

  @BeforeAll
  void theTeamRanItsSessions() {
    List<Map<String, Object>> batch =
        new ArrayList<>(
            List.of(
                team(Events.sessionCreated("s1-" + adam, adam, at("09:00"), "2", "4", "0")),
                team(Events.sessionTerminated("s1-" + adam, adam, at("11:00"))),
                team(Events.sessionCreated("s1-" + mia, mia, at("09:00"), "1", "2", "0")),
                team(Events.sessionTerminated("s1-" + mia, mia, at("10:00"))),
                Events.sessionCreated("s2-" + mia, mia, at("10:00"), "1", "1", "0"),
                Events.sessionTerminated("s2-" + mia, mia, at("11:00")),
                team(Events.sessionCreated("s3-" + adam, adam, at("11:55"), "0.5", "1", "0")),
                team(Events.sessionCreated("s3-" + mia, mia, at("11:55"), "0.5", "1", "0")),
                Events.orgCreated(acme, olivia, "free", at("08:00")),
                Events.memberAdded(acme, adam, "admin", at("08:00")),
                Events.memberAdded(acme, mia, "member", at("08:00"))));
    // seed 25 puts both memberships and most sessions before org.created, a closing one after
    Collections.shuffle(batch, new Random(25));
    api.postEvents(platformToken, batch);
    api.awaitCaughtUp("billing");
    api.runJob("calculate-usage");
  }

  private Map<String, Object> team(Map<String, Object> sessionEvent) {
    return Events.underOrg(acme, sessionEvent);
  }

  @Test
  void theOwnerAndTheAdminReadTheTeamsUsageByMember_addingUpToItsTotal() {
    for (String reader : List.of(olivia, adam)) {
      JsonNode usage = api.usage(api.token(reader, "user"), "?org_id=" + acme + DAY).expect(200);

      assertEquals(acme, usage.get("user_id").asText(), reader);
      assertEquals(new BigDecimal("5"), quantity(line(usage, "cpu")), "2 × 2 h + 1 × 1 h");
      assertEquals("0.25", amount(line(usage, "cpu"), "total_cost"));
      assertEquals(new BigDecimal("1E+1"), quantity(line(usage, "memory")), "4 × 2 h + 2 × 1 h");
      assertEquals("0.10", amount(line(usage, "memory"), "total_cost"));
      assertEquals("0.35", amount(usage, "total_cost"));
      assertEquals(
          List.of(adam + " 0.28", mia + " 0.07"), byMember(usage), "by user id: " + reader);
      assertEquals("0.00", amount(usage, "organization_cost"), "nothing stored");
    }
  }

  @Test
  void aMemberIsRefusedTheTeamsUsage_butReadsItsQuota_andTheirOwnUsageIsTheirPersonalSession() {
    String miaToken = api.token(mia, "user");

    JsonNode refused = api.usage(miaToken, "?org_id=" + acme + DAY).expect(403);
    JsonNode quota =
        api.http.get("/api/plugins/billing/quota?org_id=" + acme, miaToken).expect(200);
    JsonNode personal = api.usage(miaToken, "?from=2026-03-10&to=2026-03-11").expect(200);

    assertEquals("admin_required", refused.at("/error/code").asText(), refused.toString());
    assertEquals(acme, quota.get("user_id").asText(), "the team's quota");
    assertEquals(mia, personal.get("user_id").asText());
    assertEquals(new BigDecimal("1"), quantity(line(personal, "cpu")), "10:00 to 11:00 only");
    assertEquals("0.06", amount(personal, "total_cost"));
    assertNull(personal.get("by_member"), "a personal organization has no breakdown");
  }

  @Test
  void onlyTheOwnerSetsTheTeamsSpendingLimit_whichTheAdminThenReads() {
    String limit = "/api/plugins/billing/spending-limit";
    String adamToken = api.token(adam, "user");

    JsonNode set =
        api.http
            .put(
                limit,
                api.token(olivia, "user"),
                "{\"org_id\": \"" + acme + "\", \"amount\": 50, \"action\": \"warn\"}")
            .expect(200);
    JsonNode refused =
        api.http
            .put(
                limit,
                adamToken,
                "{\"org_id\": \"" + acme + "\", \"amount\": 500, \"action\": \"warn\"}")
            .expect(403);

    assertEquals(acme, set.get("user_id").asText());
    assertEquals("owner_required", refused.at("/error/code").asText(), refused.toString());
    JsonNode read = api.http.get(limit + "?org_id=" + acme, adamToken).expect(200);
    assertEquals("50.00", amount(read, "amount"), "the owner's limit, not the admin's");
    assertEquals(olivia, read.get("set_by").asText());
  }

  @Test
  void admissionUnderTheTeamCountsTheTeamsOpenSessions_andNotUnderTheMembersOwn() {
    JsonNode underAcme = api.admissionUnder(platformToken, acme, olivia);
    JsonNode personal = api.admission(platformToken, olivia);

    assertFalse(underAcme.get("allowed").asBoolean(), underAcme.toString());
    assertEquals("active_sessions_limit", underAcme.get("code").asText());
    assertEquals(
        "Active sessions limit reached: 2 sessions in use plus 1 for this session would pass the"
            + " hard limit of 2 sessions of the Hobby plan. The Pro plan would allow it, as would"
            + " the 5 job slots pack.",
        underAcme.get("reason").asText());
    assertTrue(personal.get("allowed").asBoolean(), "olivia's own runs nothing: " + personal);
  }

  /**
   * initech (owner ona, member ben, from 08:00): ona hands it to ben in one call, sent twice with
   * one Idempotency-Key (one transfer, answered again); ona is then an Admin (she reads the
   * usage, is refused the spending limit and a second transfer), ben the Owner, and the platform
   * is told once by billing.org.ownership_transferred.
   */
  @Test
  void theOwnerTransfersOwnershipInOneCall_retriedWithItsKeyOnce_andIsAnAdminAfter() {
    String initech = newUser("initech");
    String ona = newUser("ona");
    String ben = newUser("ben");
    api.postEvents(
        platformToken,
        List.of(
            Events.orgCreated(initech, ona, "free", at("08:00")),
            Events.memberAdded(initech, ben, "member", at("08:00"))));
    api.awaitCaughtUp("billing");
    String transfer = "/api/plugins/billing/ownership-transfer";
    String body = "{\"org_id\": \"" + initech + "\", \"user_id\": \"" + ben + "\"}";
    Map<String, String> key = Map.of("Idempotency-Key", UUID.randomUUID().toString());
    String onaToken = api.token(ona, "user");

    JsonNode first = api.http.call("POST", transfer, onaToken, body, key).expect(200);
    HostClient.Response retry = api.http.call("POST", transfer, onaToken, body, key);

    assertEquals(ben, first.get("user_id").asText(), first.toString());
    assertEquals(List.of(ona), texts(first.get("previous_owners")));
    assertEquals(200, retry.status());
    assertEquals(first, retry.body());
    assertEquals(Optional.of("true"), retry.header("Idempotent-Replayed"));
    String limit = "/api/plugins/billing/spending-limit";
    String setLimit = "{\"org_id\": \"" + initech + "\", \"amount\": 50, \"action\": \"warn\"}";
    JsonNode refused = api.http.put(limit, onaToken, setLimit).expect(403);
    assertEquals("owner_required", refused.at("/error/code").asText(), refused.toString());
    api.usage(onaToken, "?org_id=" + initech + DAY).expect(200);
    api.http.put(limit, api.token(ben, "user"), setLimit).expect(200);
    JsonNode again = api.http.call("POST", transfer, onaToken, body, Map.of()).expect(403);
    assertEquals("owner_required", again.at("/error/code").asText(), again.toString());
    JsonNode published =
        api.http
            .get("/api/admin/events?type=billing.org.ownership_transferred", api.adminToken)
            .expect(200);
    assertEquals(
        1,
        published.toString().split(Pattern.quote(initech), -1).length - 1,
        "told once: " + published);
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(item -> texts.add(item.asText()));
    return texts;
  }

  /**
   * Team beta on the pro plan (sessions unlimited): its admin caps dan at 1 session inside it.
   * dan already runs one session under beta and one of his own.
   */
  @Test
  void anAdminCapsAMember_whoseSecondSessionUnderTheTeamIsRefused_butNotHisOwn() {
    String beta = newUser("beta");
    String bob = newUser("bob");
    String carol = newUser("carol");
    String dan = newUser("dan");
    api.postEvents(
        platformToken,
        List.of(
            Events.orgCreated(beta, bob, "pro", at("08:00")),
            Events.memberAdded(beta, carol, "admin", at("08:00")),
            Events.memberAdded(beta, dan, "member", at("08:00")),
            Events.underOrg(
                beta, Events.sessionCreated("s1-" + dan, dan, at("11:55"), "0.5", "1", "0")),
            Events.sessionCreated("s2-" + dan, dan, at("11:55"), "0.5", "1", "0")));
    api.awaitCaughtUp("billing");
    String caps = "/api/plugins/billing/member-caps";
    String body =
        "{\"org_id\": \"%s\", \"user_id\": \"%s\", \"limits\": {\"active_sessions\": 1}}"
            .formatted(beta, dan);
    assertTrue(api.admissionUnder(platformToken, beta, dan).get("allowed").asBoolean());

    JsonNode byMember = api.http.put(caps, api.token(dan, "user"), body).expect(403);
    JsonNode set = api.http.put(caps, api.token(carol, "user"), body).expect(200);
    JsonNode second = api.admissionUnder(platformToken, beta, dan);
    JsonNode personal = api.admission(platformToken, dan);

    assertEquals("admin_required", byMember.at("/error/code").asText(), byMember.toString());
    assertEquals(1, set.at("/limits/active_sessions").asInt(), set.toString());
    assertFalse(second.get("allowed").asBoolean(), second.toString());
    assertEquals("member_cap", second.get("code").asText());
    assertEquals(
        ("Active sessions cap reached: 1 sessions in use by %s under %s plus 1 for this session"
                + " would pass the cap of 1 sessions set for %s inside %s.")
            .formatted(dan, beta, dan, beta),
        second.get("reason").asText());
    assertTrue(personal.get("allowed").asBoolean(), "his own: 1 of free's 2 sessions " + personal);
    JsonNode quota =
        api.http
            .get("/api/plugins/billing/quota?org_id=" + beta, api.token(dan, "user"))
            .expect(200);
    assertEquals(
        "{\"meter\":\"active_sessions\",\"cap\":1,\"used\":1}",
        quota.at("/member_cap/meters/0").toString());
  }

  /**
   * A team of {@code size} on {@code plan}: the owner at 08:00, the other members at 08:30. The
   * organization's id first, then its members', the owner first.
   */
  private List<String> team(String name, String plan, int size) {
    String org = newUser(name);
    List<String> members = new ArrayList<>();
    List<Map<String, Object>> batch = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      String member = newUser(name + "-u" + i);
      members.add(member);
      batch.add(
          i == 1
              ? Events.orgCreated(org, member, plan, at("08:00"))
              : Events.memberAdded(org, member, "member", at("08:30")));
    }
    api.postEvents(platformToken, batch);
    api.awaitCaughtUp("billing");
    members.add(0, org);
    return members;
  }

  /**
   * Hobby (free) allows 5 members, hard: the sixth is refused, naming Pro, whose 5 are included
   * seats (the sixth billed), so a Pro team of 5 takes a sixth once admission has read its plan
   * (within a reload).
   */
  @Test
  void aHobbyTeamOfFiveIsRefusedASixthNamingPro_andAProTeamOfFiveTakesIt() {
    List<String> hobbyTeam = team("hobby", "free", 5);
    String hobby = hobbyTeam.get(0);
    String pro = team("pro", "pro", 5).get(0);

    JsonNode sixth = api.memberAdmission(platformToken, hobby, newUser("sixth"));
    JsonNode again = api.memberAdmission(platformToken, hobby, hobbyTeam.get(3));

    assertFalse(sixth.get("allowed").asBoolean(), sixth.toString());
    assertEquals("seat_limit", sixth.get("code").asText());
    assertEquals(
        "Seat limit reached: "
            + hobby
            + " has 5 members, the hard limit of the Hobby plan is 5. The Pro plan allows more.",
        sixth.get("reason").asText());
    assertEquals("pro", sixth.get("upgrade").asText());
    assertEquals("billing", sixth.get("plugin").asText());
    assertTrue(again.get("allowed").asBoolean(), "already a member: " + again);
    Await.await(
        Duration.ofSeconds(20),
        Duration.ofMillis(100),
        "pro's sixth allowed once its plan is read",
        () -> api.memberAdmission(platformToken, pro, newUser("sixth")).get("allowed").asBoolean());
  }

  @Test
  void theOwnersSeatLimitOfThreeRefusesAFourth_andOnlyTheOwnerSetsIt() {
    List<String> team = team("capped", "free", 3);
    String org = team.get(0);
    String seatLimit = "/api/plugins/billing/seat-limit";
    String body = "{\"org_id\": \"" + org + "\", \"limit\": 3}";

    JsonNode byMember = api.http.put(seatLimit, api.token(team.get(2), "user"), body).expect(403);
    assertTrue(
        api.memberAdmission(platformToken, org, newUser("fourth")).get("allowed").asBoolean(),
        "3 + 1 fits Hobby's 5");
    JsonNode set = api.http.put(seatLimit, api.token(team.get(1), "user"), body).expect(200);
    JsonNode fourth = api.memberAdmission(platformToken, org, newUser("fourth"));

    assertEquals("owner_required", byMember.at("/error/code").asText(), byMember.toString());
    assertEquals(3, set.get("limit").asInt());
    assertEquals(3, set.get("members").asInt());
    assertFalse(fourth.get("allowed").asBoolean(), fourth.toString());
    assertEquals("seat_limit", fourth.get("code").asText());
    assertEquals(
        "Seat limit reached: " + org + " has 3 members, the seat limit its owner set is 3.",
        fourth.get("reason").asText());
    assertNull(fourth.get("upgrade"), "no plan lifts the owner's limit: " + fourth);
  }

  /**
   * beta, olivia's team on the free plan from 08:00, is deleted at 08:30 (the org.deleted sent
   * first, then org.created): its final invoice covers 08:00 to 08:30 (nothing to pay on free,
   * so paid at once), and olivia still reads it while the plan change and a session under beta
   * are refused with organization_closed.
   */
  @Test
  void aDeletedTeamGetsItsFinalInvoice_itsOwnerReadsIt_butChangesNothingAndStartsNoSession() {
    String beta = newUser("beta");
    String oliviaToken = api.token(olivia, "user");
    api.postEvents(
        platformToken,
        List.of(
            Events.orgDeleted(beta, at("08:30")),
            Events.orgCreated(beta, olivia, "free", at("08:00"))));
    api.awaitCaughtUp("billing");
    api.runJob("finalize-invoices");

    JsonNode invoices =
        api.http.get("/api/plugins/billing/invoices?org_id=" + beta, oliviaToken).expect(200);
    JsonNode change =
        api.http
            .put(
                "/api/plugins/billing/subscription",
                oliviaToken,
                "{\"org_id\": \"" + beta + "\", \"plan_id\": \"pro\"}")
            .expect(409);
    JsonNode admission = api.admissionUnder(platformToken, beta, olivia);

    assertEquals(1, invoices.get("invoices").size(), invoices.toString());
    JsonNode last = invoices.get("invoices").get(0);
    assertEquals(at("08:30").toString(), last.get("period_end").asText(), last.toString());
    assertTrue(last.get("final").asBoolean(), last.toString());
    assertEquals("organization_closed", change.at("/error/code").asText(), change.toString());
    assertFalse(admission.get("allowed").asBoolean(), admission.toString());
    assertEquals("organization_closed", admission.get("code").asText());
  }

  /** {@code by_member} as "user_id total_cost" lines. */
  private static List<String> byMember(JsonNode usage) {
    List<String> members = new ArrayList<>();
    for (JsonNode member : usage.get("by_member")) {
      members.add(member.get("user_id").asText() + " " + amount(member, "total_cost"));
    }
    return members;
  }
}

package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static io.streamspace.host.e2e.UsageLines.line;
import static io.streamspace.host.e2e.UsageLines.quantity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A team organization over HTTP with the packaged billing plugin (README "Organizations"):
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
            + " hard limit of 2 sessions of plan free.",
        underAcme.get("reason").asText());
    assertTrue(personal.get("allowed").asBoolean(), "olivia's own runs nothing: " + personal);
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

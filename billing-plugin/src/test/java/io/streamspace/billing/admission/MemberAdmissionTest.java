package io.streamspace.billing.admission;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.account.SeatLimit;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.support.AnotherNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.OrganizationEvent.Membership;
import io.streamspace.plugin.api.event.OrganizationEvent.Organization;
import io.streamspace.plugin.api.event.OrganizationEvent.Role;
import io.streamspace.plugin.api.event.OrganizationEvent.Type;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.MemberAdmissionRequest;
import io.streamspace.testing.MutableClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Member admission with the plugin on real PostgreSQL: from the membership events this node is
 * handed (at once), and on another node ({@code other}, same database) from what was stored,
 * after its reload. Default plans: Hobby ({@code free}) hard 5 members, Pro soft 5.
 */
class MemberAdmissionTest {

  private static final String T0 = "2026-03-10T12:00:00Z";

  private final BillingHarness billing = new BillingHarness(at(T0));
  private final MutableClock otherClock = new MutableClock(at(T0));
  private Admission other = otherNode(AdmissionTest.config("{}"));

  private Admission otherNode(BillingConfig config) {
    return new Admission(
        TestDatabase.dataSource(),
        AdmissionTest.noHolds(TestDatabase.dataSource(), otherClock),
        () -> config,
        otherClock,
        AnotherNode.liveCosts(TestDatabase.dataSource(), () -> config, otherClock));
  }

  @AfterEach
  void close() {
    billing.close();
  }

  private void deliver(OrganizationEvent event) {
    billing.billing.onOrganizationEvent(billing.context, event);
  }

  private static OrganizationEvent created(String org, String owner, String currency, String plan) {
    return new OrganizationEvent(
        "created-" + org,
        at("2026-03-10T09:00:00Z"),
        Type.CREATED,
        org,
        new Organization(org, owner, currency, plan),
        null);
  }

  private static OrganizationEvent added(String org, String user, String at) {
    return new OrganizationEvent(
        "added-" + org + "-" + user + "-" + at,
        at(at),
        Type.MEMBER_ADDED,
        org,
        null,
        new Membership(user, Role.MEMBER));
  }

  private static OrganizationEvent removed(String org, String user, String at) {
    return new OrganizationEvent(
        "removed-" + org + "-" + user + "-" + at,
        at(at),
        Type.MEMBER_REMOVED,
        org,
        null,
        new Membership(user, null));
  }

  /** {@code org} created by u1 on {@code plan} at 09:00, with u2..u{size} added at 10:00. */
  private void team(String org, String plan, int size) {
    deliver(created(org, "u1", "USD", plan));
    for (int i = 2; i <= size; i++) {
      deliver(added(org, "u" + i, "2026-03-10T10:00:00Z"));
    }
  }

  private AdmissionDecision here(String org, String user) {
    return billing.billing.admitMember(new MemberAdmissionRequest(org, user, Role.MEMBER));
  }

  private AdmissionDecision afterReload(String org, String user) throws Exception {
    other.refresh();
    return other.admitMember(new MemberAdmissionRequest(org, user, Role.MEMBER));
  }

  /** A Pro team (room for more) deleted at 11:00: it takes no member, here or on another node. */
  @Test
  void aClosedOrganizationTakesNoMember_hereAtOnceAndOnAnotherNodeAfterItsReload()
      throws Exception {
    team("acme", "pro", 2);
    assertTrue(here("acme", "u3").allowed(), "open, a Pro team of 2 takes a third");

    deliver(
        new OrganizationEvent(
            "deleted-acme", at("2026-03-10T11:00:00Z"), Type.DELETED, "acme", null, null));
    billing.flush();

    AdmissionDecision refused = here("acme", "u3");
    assertFalse(refused.allowed());
    assertEquals("organization_closed", refused.code());
    assertEquals("The organization was closed at 2026-03-10T11:00:00Z.", refused.reason());
    assertEquals("organization_closed", afterReload("acme", "u3").code());
  }

  @Test
  void aHobbyTeamOfFiveIsRefusedASixth_namingTheUpgrade_andReAddingAMemberIsAllowed()
      throws Exception {
    team("acme", "free", 5);

    AdmissionDecision sixth = here("acme", "u6");

    assertFalse(sixth.allowed());
    assertEquals("seat_limit", sixth.code());
    assertEquals(
        "Seat limit reached: acme has 5 members, the hard limit of the Hobby plan is 5."
            + " The Pro plan allows more.",
        sixth.reason());
    assertEquals("pro", sixth.upgrade());
    assertTrue(here("acme", "u3").allowed(), "u3 already holds a seat");
    assertTrue(here("globex", "u1").allowed(), "an organization it knows nothing of");

    billing.flush();
    AdmissionDecision stored = afterReload("acme", "u6");
    assertEquals(sixth, stored, "another node, from the stored events");
  }

  @Test
  void aProTeamOfFiveTakesASixth_itsFiveAreIncludedSeatsNotALimit() throws Exception {
    team("acme", "pro", 5);
    billing.flush();

    assertTrue(afterReload("acme", "u6").allowed());
  }

  @Test
  void aMemberRemovedFreesASeat_onThisNodeAtOnceAndOnAnotherAfterAReload() throws Exception {
    team("acme", "free", 5);
    billing.flush();
    assertFalse(afterReload("acme", "u6").allowed());

    deliver(removed("acme", "u5", "2026-03-10T11:00:00Z"));

    assertTrue(here("acme", "u6").allowed());
    billing.flush();
    assertTrue(afterReload("acme", "u6").allowed());
  }

  /**
   * Three members stored, and u4's addition handed to the other node as it is stored: counted
   * once, before and after the reload that finds it stored (4 + 1 fits the hard 5; counted twice
   * it would be 5 + 1).
   */
  @Test
  void aMembershipHandedHereIsCountedOnce_beforeAndAfterTheReloadThatFindsItStored()
      throws Exception {
    team("acme", "free", 3);
    billing.flush();
    other.refresh();
    OrganizationEvent fourth = added("acme", "u4", "2026-03-10T10:00:00Z");
    other.organizationEvent(fourth);
    other.organizationEvent(fourth); // redelivered
    deliver(fourth);
    billing.flush();

    assertTrue(other.admitMember(new MemberAdmissionRequest("acme", "u5", null)).allowed());
    assertTrue(afterReload("acme", "u5").allowed());
    other.organizationEvent(added("acme", "u5", "2026-03-10T10:00:00Z"));
    assertFalse(other.admitMember(new MemberAdmissionRequest("acme", "u6", null)).allowed());
  }

  /**
   * The other node was handed u5's addition of 10:00 late; the database holds u5's removal at
   * 11:00. By event time u5 is no member: the stored removal wins over the addition seen here.
   */
  @Test
  void aStoredRemovalWinsOverAnOlderAdditionSeenHere() throws Exception {
    team("acme", "free", 4);
    deliver(added("acme", "u5", "2026-03-10T10:00:00Z"));
    deliver(removed("acme", "u5", "2026-03-10T11:00:00Z"));
    billing.flush();
    other.organizationEvent(added("acme", "u5", "2026-03-10T10:00:00Z"));

    assertTrue(afterReload("acme", "u6").allowed(), "u1..u4: 4 + 1 fits the hard 5");
  }

  /**
   * The platform adds a sixth member to the Hobby team anyway: the event is stored and counts
   * (the seat is billed; not lost), and a seventh is refused, naming six.
   */
  @Test
  void aMemberAddedPastTheHardLimitIsKeptAndCounted_andTheNextIsStillRefused() throws Exception {
    team("acme", "free", 5);
    deliver(added("acme", "u6", "2026-03-10T11:00:00Z"));
    billing.flush();

    assertEquals(
        6L, BillingHarness.value("SELECT count(*) FROM billing_memberships WHERE org_id = 'acme'"));
    assertEquals(
        1L,
        BillingHarness.value(
            "SELECT count(*) FROM billing_org_events WHERE org_id = 'acme' AND user_id = 'u6'"));
    for (AdmissionDecision seventh :
        new AdmissionDecision[] {here("acme", "u7"), afterReload("acme", "u7")}) {
      assertEquals("seat_limit", seventh.code());
      assertEquals(
          "Seat limit reached: acme has 6 members, the hard limit of the Hobby plan is 5."
              + " The Pro plan allows more.",
          seventh.reason());
    }
  }

  @Test
  void aPersonalOrganizationHasItsOneMember() throws Exception {
    billing.userCreated("alice", Map.of());
    billing.flush();

    assertTrue(afterReload("alice", "alice").allowed(), "alice is its member");
    assertTrue(afterReload("alice", "bob").allowed(), "1 + 1 fits Hobby's 5");
  }

  private Answer seatLimit(HttpMethod method, String who, String body) {
    return method == HttpMethod.GET || method == HttpMethod.DELETE
        ? billing.call(method, "/seat-limit?org_id=acme", user(who))
        : billing.call(method, "/seat-limit", user(who), body);
  }

  @Test
  void theOwnersSeatLimitOfThreeRefusesAFourth_hereAtOnce_andOnAnotherNodeAfterAReload()
      throws Exception {
    team("acme", "free", 3);
    billing.flush();
    assertTrue(afterReload("acme", "u4").allowed());

    Answer set = seatLimit(HttpMethod.PUT, "u1", "{\"org_id\": \"acme\", \"limit\": 3}");

    assertEquals(200, set.status(), set.body().toString());
    assertEquals(3, set.body().get("limit").asInt());
    assertEquals("u1", set.body().get("set_by").asText());
    AdmissionDecision fourth = here("acme", "u4");
    assertEquals("seat_limit", fourth.code());
    assertEquals(
        "Seat limit reached: acme has 3 members, the seat limit its owner set is 3.",
        fourth.reason());
    assertNull(fourth.upgrade());
    assertEquals(fourth, afterReload("acme", "u4"));

    Answer removed = seatLimit(HttpMethod.DELETE, "u1", null);

    assertEquals(200, removed.status(), removed.body().toString());
    assertTrue(removed.body().get("limit").isNull());
    assertTrue(here("acme", "u4").allowed());
    assertTrue(afterReload("acme", "u4").allowed());
  }

  @Test
  void aSeatLimitAboveTheHardPlanLimitNeverRaisesIt() throws Exception {
    team("acme", "free", 5);
    billing.flush();

    assertEquals(
        200, seatLimit(HttpMethod.PUT, "u1", "{\"org_id\": \"acme\", \"limit\": 8}").status());

    assertEquals(
        "Seat limit reached: acme has 5 members, the hard limit of the Hobby plan is 5."
            + " The Pro plan allows more.",
        here("acme", "u6").reason());
  }

  @Test
  void onlyTheOwnerSetsOrRemovesTheSeatLimit_anAdminReadsIt() {
    deliver(created("acme", "u1", "USD", "free"));
    deliver(
        new OrganizationEvent(
            "admin-u2",
            at("2026-03-10T10:00:00Z"),
            Type.MEMBER_ADDED,
            "acme",
            null,
            new Membership("u2", Role.ADMIN)));
    deliver(added("acme", "u3", "2026-03-10T10:00:00Z"));
    billing.flush();
    assertEquals(
        200, seatLimit(HttpMethod.PUT, "u1", "{\"org_id\": \"acme\", \"limit\": 4}").status());

    Answer byAdmin = seatLimit(HttpMethod.PUT, "u2", "{\"org_id\": \"acme\", \"limit\": 9}");
    Answer removedByAdmin = seatLimit(HttpMethod.DELETE, "u2", null);
    Answer readByMember = seatLimit(HttpMethod.GET, "u3", null);
    Answer read = seatLimit(HttpMethod.GET, "u2", null);

    assertEquals("owner_required", byAdmin.body().at("/error/code").asText());
    assertEquals(403, removedByAdmin.status());
    assertEquals("owner_required", removedByAdmin.body().at("/error/code").asText());
    assertEquals("admin_required", readByMember.body().at("/error/code").asText());
    assertEquals(200, read.status(), read.body().toString());
    assertEquals(
        "{\"org_id\":\"acme\",\"limit\":4,\"set_by\":\"u1\",\"set_at\":\"2026-03-10T12:00:00Z\","
            + "\"members\":3,\"plan_id\":\"free\",\"plan_limit\":5,\"plan_limit_kind\":\"hard\"}",
        read.body().toString(),
        "the owner's 4, not the admin's 9");
  }

  @Test
  void aSeatLimitThatIsNotAWholeNumberFromOneIsA400NamingLimit_andChangesNothing() {
    team("acme", "free", 2);
    billing.flush();

    for (String bad : new String[] {"0", "2.5", "\"3\"", "null", "1000001"}) {
      Answer refused =
          seatLimit(HttpMethod.PUT, "u1", "{\"org_id\": \"acme\", \"limit\": " + bad + "}");

      assertEquals(400, refused.status(), bad);
      assertEquals("limit", refused.errorField(), bad);
    }
    assertEquals(0L, BillingHarness.value("SELECT count(*) FROM billing_seat_limits"));
    assertEquals(
        404,
        billing.call(HttpMethod.PUT, "/seat-limit", user("u9"), "{\"limit\": 3}").status(),
        "u9's personal organization has no account yet");
  }

  /**
   * Plans priced differently by currency: in USD team (20) is cheaper than big (30), in VND big
   * (600,000) is cheaper than team (900,000). Both take a third member; tiny's hard 2 does not.
   */
  @Test
  void theUpgradeIsTheCheapestPlanInTheOrganizationsCurrency() throws Exception {
    String plans =
        """
        {"currencyRates": {"VND": {"cpu_per_core_hour": 1250, "memory_per_gb_hour": 250,
           "storage_per_gb_month": 2500}},
         "currencyMeterRates": {"VND": {"bandwidth_gb": 2000, "transcoding_minutes": 500,
           "ai_queries": 25}},
         "defaultPlan": "tiny",
         "subscriptionPlans": [
           {"id": "tiny", "name": "Tiny", "price": 0, "interval": "month",
            "prices": {"VND": 0}, "limits": {"members": {"limit": 2, "kind": "hard"}}},
           {"id": "team", "name": "Team", "price": 20, "interval": "month",
            "prices": {"VND": 900000}, "limits": {"members": {"limit": 10, "kind": "hard"}}},
           {"id": "big", "name": "Big", "price": 30, "interval": "month",
            "prices": {"VND": 600000}, "limits": {"members": {"limit": 3, "kind": "soft"}}}]}""";
    other = otherNode(AdmissionTest.config(plans));
    try (BillingHarness priced = new BillingHarness(at(T0), plans)) {
      for (String[] org : new String[][] {{"dollars", "USD"}, {"dong", "VND"}}) {
        priced.billing.onOrganizationEvent(priced.context, created(org[0], "u1", org[1], "tiny"));
        priced.billing.onOrganizationEvent(
            priced.context, added(org[0], "u2", "2026-03-10T10:00:00Z"));
      }
      priced.flush();

      assertEquals("team", afterReload("dollars", "u3").upgrade());
      assertEquals("big", afterReload("dong", "u3").upgrade());
    }
  }

  @Test
  void aSeatLimitSetHereIsKeptUntilTheDatabaseSurelyHoldsIt() throws Exception {
    team("acme", "free", 3);
    billing.flush();
    other.refresh();
    other.seatLimitChanged("acme", new SeatLimit("acme", 2, "u1", at(T0)));

    assertFalse(afterReload("acme", "u4").allowed(), "seen here: kept over the database's none");

    otherClock.advance(AdmissionViewLoads.KEEP_SEEN_HERE.plus(Duration.ofSeconds(1)));

    assertTrue(afterReload("acme", "u4").allowed(), "never stored: the database has none");
  }
}

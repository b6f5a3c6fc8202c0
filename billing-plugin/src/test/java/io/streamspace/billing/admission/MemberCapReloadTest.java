package io.streamspace.billing.admission;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.caps.MemberCap;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.support.AnotherNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import io.streamspace.testing.MutableClock;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Member caps across nodes on real PostgreSQL: one node's plugin ({@code billing}) stores the
 * caps and sessions, another node's admission ({@code other}, on the same database) counts them
 * after its reload. acme is on the pro plan (sessions unlimited, 8 cores), so only the caps
 * refuse: dan may hold 2 sessions under acme, erin 1 core.
 */
class MemberCapReloadTest {

  private static final String T0 = "2026-03-10T12:00:00Z";

  private final BillingHarness billing = new BillingHarness(at(T0), "{\"defaultPlan\": \"pro\"}");
  private final BillingConfig pro = AdmissionTest.config("{\"defaultPlan\": \"pro\"}");
  private final MutableClock otherClock = new MutableClock(at(T0));
  private final Admission other =
      new Admission(
          TestDatabase.dataSource(),
          AdmissionTest.noHolds(TestDatabase.dataSource(), otherClock),
          () -> pro,
          otherClock,
          AnotherNode.liveCosts(TestDatabase.dataSource(), () -> pro, otherClock));

  @BeforeEach
  void acmeCapsDanAndErin() {
    OrgFixtures.created("acme", "olivia", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "carol", "admin", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "dan", "member", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "erin", "member", "2026-03-01T00:00:00Z");
    OrgFixtures.session(
        billing,
        "acme",
        "s0",
        "olivia",
        "2026-03-10T09:00:00Z",
        "2026-03-10T10:00:00Z",
        size("1", "1", "0"));
    billing.flush();
    cap("dan", "{\"active_sessions\": 2}");
    cap("erin", "{\"cpu_cores\": 1}");
  }

  @AfterEach
  void close() {
    billing.close();
  }

  private void cap(String member, String limits) {
    Answer set =
        billing.call(
            HttpMethod.PUT,
            "/member-caps",
            user("carol"),
            "{\"org_id\": \"acme\", \"user_id\": \"" + member + "\", \"limits\": " + limits + "}");
    assertEquals(200, set.status(), set.body().toString());
  }

  private void open(String session, String user, String orgId, String cores) {
    billing.billing.onSessionCreated(
        billing.context,
        new SessionEvent(
            UUID.randomUUID().toString(), at(T0), session, user, size(cores, "1", "0"), orgId));
  }

  private AdmissionDecision otherAsks(String user, String orgId, String cores) throws SQLException {
    other.refresh();
    return other.admit(new AdmissionRequest(user, null, size(cores, "1", "0"), orgId));
  }

  @Test
  void storedCapsAndSessionsAreCountedPerMemberAfterAReload_hisOtherOrganizationsSessionsNot()
      throws Exception {
    open("s1", "dan", "acme", "0.5");
    open("p1", "dan", null, "0.5"); // his personal organization's
    open("g1", "dan", "globex", "0.5"); // another team's
    open("s2", "erin", "acme", "0.75");
    billing.flush();

    // dan: 1 under acme + 1 = 2, not past 2 (counting p1 and g1 it would be 4)
    assertTrue(otherAsks("dan", "acme", "0.5").allowed());
    // erin: 0.75 + 0.5 = 1.25 cores, past 1; 0.75 + 0.25 = 1 is not
    AdmissionDecision erin = otherAsks("erin", "acme", "0.5");
    assertEquals("member_cap", erin.code());
    assertEquals(
        "CPU cap reached: 0.75 cores in use by erin under acme plus 0.5 for this session would"
            + " pass the cap of 1 cores set for erin inside acme.",
        erin.reason());
    assertTrue(otherAsks("erin", "acme", "0.25").allowed());

    open("s3", "dan", "acme", "0.5");
    billing.flush();

    // dan: 2 under acme + 1 = 3, past 2
    AdmissionDecision dan = otherAsks("dan", "acme", "0.5");
    assertEquals("member_cap", dan.code());
    assertTrue(dan.reason().startsWith("Active sessions cap reached: 2 sessions in use by dan"));
    assertTrue(otherAsks("dan", null, "0.5").allowed(), "his own organization has no cap");
  }

  @Test
  void theCapSurvivesEveryReload_longAfterItWasSet() throws Exception {
    open("s1", "dan", "acme", "0.5");
    open("s3", "dan", "acme", "0.5");
    billing.flush();
    assertEquals("member_cap", otherAsks("dan", "acme", "0.5").code());

    otherClock.advance(AdmissionViewLoads.KEEP_SEEN_HERE.multipliedBy(10));

    assertEquals("member_cap", otherAsks("dan", "acme", "0.5").code(), "read from the database");
  }

  @Test
  void aCapRemovedOnOneNodeStopsActingOnTheOtherAtItsNextReload() throws Exception {
    open("s1", "dan", "acme", "0.5");
    open("s3", "dan", "acme", "0.5");
    billing.flush();
    assertEquals("member_cap", otherAsks("dan", "acme", "0.5").code());

    Answer removed =
        billing.call(HttpMethod.DELETE, "/member-caps?org_id=acme&user_id=dan", user("carol"));
    assertEquals(200, removed.status());

    assertEquals(
        "member_cap",
        other.admit(new AdmissionRequest("dan", null, size("0.5", "1", "0"), "acme")).code(),
        "not reloaded yet");
    assertTrue(otherAsks("dan", "acme", "0.5").allowed());
  }

  @Test
  void aCapSetOnThisNodeActsAtOnce_andWinsOverTheDatabaseUntilItHasHadTimeToStoreIt()
      throws Exception {
    open("s1", "dan", "acme", "0.5");
    billing.flush();
    other.refresh();
    other.capSet(
        new MemberCap(
            "acme", "dan", Map.of(Meter.ACTIVE_SESSIONS, BigDecimal.ONE), "carol", at(T0)));

    assertEquals("member_cap", otherAsks("dan", "acme", "0.5").code(), "1 + 1 past 1");

    otherClock.advance(AdmissionViewLoads.KEEP_SEEN_HERE.plus(Duration.ofSeconds(1)));

    // never stored: the database's cap (2 sessions) is back
    assertTrue(otherAsks("dan", "acme", "0.5").allowed());
  }
}

package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code /member-caps} on real PostgreSQL: acme (owner olivia, admin carol, members dan and erin,
 * on the free plan: 2 sessions, 2 cores, 4 GB, hard), opened by a session of erin's that ended.
 */
class MemberCapRoutesTest {

  private static final String T0 = "2026-03-10T12:00:00Z";
  private static final String CAPS = "/member-caps";

  private final BillingHarness billing = new BillingHarness(at(T0));

  @BeforeEach
  void acme() {
    OrgFixtures.created("acme", "olivia", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "carol", "admin", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "dan", "member", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "erin", "member", "2026-03-01T00:00:00Z");
    OrgFixtures.session(
        billing,
        "acme",
        "s0",
        "erin",
        "2026-03-10T09:00:00Z",
        "2026-03-10T10:00:00Z",
        size("1", "1", "0"));
    billing.flush();
  }

  @AfterEach
  void close() {
    billing.close();
  }

  private Answer put(String caller, String body) {
    return billing.call(HttpMethod.PUT, CAPS, user(caller), body);
  }

  private Answer capDan(String caller) {
    return put(
        caller,
        "{\"org_id\": \"acme\", \"user_id\": \"dan\", \"limits\": {\"active_sessions\": 1,"
            + " \"cpu_cores\": 1.50}}");
  }

  private void open(String session, String user, String orgId) {
    billing.billing.onSessionCreated(
        billing.context,
        new SessionEvent(
            UUID.randomUUID().toString(), at(T0), session, user, size("0.5", "1", "0"), orgId));
  }

  private AdmissionDecision asks(String user, String orgId) {
    return billing.billing.admit(new AdmissionRequest(user, null, size("0.5", "1", "0"), orgId));
  }

  @Test
  void anAdminCapsAMember_andTheirNextSessionUnderTheTeamIsRefusedAtOnce() {
    open("s1", "dan", "acme");
    assertTrue(asks("dan", "acme").allowed(), "acme: 1 + 1 of 2 sessions; dan uncapped");

    Answer set = capDan("carol");

    assertEquals(200, set.status(), set.body().toString());
    assertEquals("dan", set.body().get("user_id").asText());
    assertEquals("{\"active_sessions\":1,\"cpu_cores\":1.5}", set.body().get("limits").toString());
    assertEquals("carol", set.body().get("set_by").asText());
    AdmissionDecision refused = asks("dan", "acme");
    assertEquals("member_cap", refused.code());
    assertEquals(
        "Active sessions cap reached: 1 sessions in use by dan under acme plus 1 for this session"
            + " would pass the cap of 1 sessions set for dan inside acme.",
        refused.reason());
    assertTrue(asks("erin", "acme").allowed(), "erin is not capped");
    assertTrue(asks("dan", null).allowed(), "dan's personal organization is not acme");
  }

  @Test
  void theSameCapTwiceChangesNothing_aNewOneReplacesItWhole() {
    assertEquals(200, capDan("carol").status());
    String stored = BillingHarness.tableContents().get("billing_member_caps");
    billing.clock.advance(Duration.ofMinutes(5));

    Answer again = capDan("olivia");

    assertEquals(at(T0).toString(), again.body().get("set_at").asText(), "the first's");
    assertEquals("carol", again.body().get("set_by").asText());
    assertEquals(stored, BillingHarness.tableContents().get("billing_member_caps"));
    Answer replaced =
        put(
            "olivia",
            "{\"org_id\": \"acme\", \"user_id\": \"dan\", \"limits\": {\"memory_gb\": 8}}");
    assertEquals("{\"memory_gb\":8}", replaced.body().get("limits").toString());
    assertEquals("olivia", replaced.body().get("set_by").asText());
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"org_id\": \"acme\", \"limits\": {\"active_sessions\": 1}}|user_id",
        "{\"org_id\": \"acme\", \"user_id\": \"zed\", \"limits\": {\"active_sessions\": 1}}|user_id",
        "{\"org_id\": \"acme\", \"user_id\": \"dan\"}|limits",
        "{\"org_id\": \"acme\", \"user_id\": \"dan\", \"limits\": {}}|limits",
        "{\"org_id\": \"acme\", \"user_id\": \"dan\", \"limits\": {\"storage_gb\": 5}}"
            + "|limits.storage_gb",
        "{\"org_id\": \"acme\", \"user_id\": \"dan\", \"limits\": {\"cpu_cores\": -1}}"
            + "|limits.cpu_cores",
        "{\"org_id\": \"acme\", \"user_id\": \"dan\", \"limits\": {\"memory_gb\": \"4\"}}"
            + "|limits.memory_gb",
        "{\"org_id\": \"acme\", \"user_id\": \"dan\", \"limits\": {\"active_sessions\": 1.5}}"
            + "|limits.active_sessions",
        "{\"org_id\": \"acme\", \"user_id\": \"dan\", \"limits\": {\"cpu_cores\": 1e308}}"
            + "|limits.cpu_cores",
        "{\"org_id\": \"acme\", \"user_id\": \"dan\", \"limits\": {\"memory_gb\": 1000000000000.5}}"
            + "|limits.memory_gb",
        "{\"org_id\": \"acme\", \"user_id\": \"dan\", \"limits\": {\"cpu_cores\": 0.0000000000001}}"
            + "|limits.cpu_cores",
        "{\"org_id\": \"acme\", \"user_id\": \"dan\", \"limits\": {\"cpu_cores\": 1e-20000}}"
            + "|limits.cpu_cores",
        "{\"org_id\": \"acme\", \"user_id\": \"dan\", \"limits\": {\"active_sessions\": 10001}}"
            + "|limits.active_sessions",
        "{\"user_id\": \"carol\", \"limits\": {\"active_sessions\": 1}}|org_id"
      })
  void aBadCapIsRefusedNamingTheFieldAndNothingIsStored(String body, String field) {
    billing.userCreated("carol", Map.of()); // her personal organization, for the last case
    billing.flush();
    Map<String, String> before = BillingHarness.tableContents();

    Answer refused = put("carol", body);

    assertEquals(400, refused.status(), refused.body().toString());
    assertEquals(field, refused.errorField(), refused.body().toString());
    assertEquals(before, BillingHarness.tableContents());
  }

  /** Issue 51: the bounds of a cap are those of a plan's limits: 10^12 with 12 decimals. */
  @Test
  void aCapAtItsUpperBoundsIsStoredExactly() {
    Answer set =
        put(
            "carol",
            "{\"org_id\": \"acme\", \"user_id\": \"dan\", \"limits\": {\"active_sessions\":"
                + " 10000, \"cpu_cores\": 1000000000000, \"memory_gb\": 0.000000000001}}");

    assertEquals(200, set.status(), set.body().toString());
    assertEquals(10000, set.body().at("/limits/active_sessions").intValue());
    assertEquals(
        0,
        new BigDecimal("1000000000000")
            .compareTo(set.body().at("/limits/cpu_cores").decimalValue()),
        set.body().toString());
    assertEquals(
        0,
        new BigDecimal("0.000000000001")
            .compareTo(set.body().at("/limits/memory_gb").decimalValue()),
        set.body().toString());
  }

  @Test
  void aMemberMayNotSetCaps_norRemoveThem() {
    Answer set = capDan("dan");
    Answer removed =
        billing.call(HttpMethod.DELETE, CAPS + "?org_id=acme&user_id=dan", user("erin"));

    assertEquals(403, set.status());
    assertEquals("admin_required", set.body().at("/error/code").asText());
    assertEquals("admin_required", removed.body().at("/error/code").asText());
  }

  @Test
  void aMemberReadsTheirOwnCapOnly_anAdminEveryMembers() {
    capDan("carol");
    put("carol", "{\"org_id\": \"acme\", \"user_id\": \"erin\", \"limits\": {\"cpu_cores\": 2}}");

    Answer all = billing.call(HttpMethod.GET, CAPS + "?org_id=acme", user("carol"));
    Answer own = billing.call(HttpMethod.GET, CAPS + "?org_id=acme", user("dan"));
    Answer other = billing.call(HttpMethod.GET, CAPS + "?org_id=acme&user_id=erin", user("dan"));

    assertEquals(2, all.body().get("caps").size());
    assertEquals("erin", all.body().at("/caps/1/user_id").asText(), "by member id");
    assertEquals(1, own.body().get("caps").size());
    assertEquals("dan", own.body().at("/caps/0/user_id").asText());
    assertEquals(403, other.status());
    assertEquals("admin_required", other.body().at("/error/code").asText());
  }

  @Test
  void aRemovedCapNoLongerRefuses_andRemovingItAgainSaysThereWasNone() {
    open("s1", "dan", "acme");
    capDan("carol");

    Answer removed =
        billing.call(HttpMethod.DELETE, CAPS + "?org_id=acme&user_id=dan", user("carol"));
    Answer again =
        billing.call(HttpMethod.DELETE, CAPS + "?org_id=acme&user_id=dan", user("carol"));

    assertTrue(removed.body().get("removed").asBoolean());
    assertFalse(again.body().get("removed").asBoolean());
    assertTrue(asks("dan", "acme").allowed());
  }

  @Test
  void theMembersQuotaShowsTheirCapBesideTheirUse_theirTeammatesShowsNone() {
    open("s1", "dan", "acme");
    open("s2", "dan", null); // his own: not counted against acme's cap
    capDan("carol");

    Answer dans = billing.call(HttpMethod.GET, "/quota?org_id=acme", user("dan"));
    Answer erins = billing.call(HttpMethod.GET, "/quota?org_id=acme", user("erin"));

    assertEquals("acme", dans.body().get("user_id").asText());
    assertEquals(
        "{\"user_id\":\"dan\",\"meters\":[{\"meter\":\"active_sessions\",\"cap\":1,\"used\":1},"
            + "{\"meter\":\"cpu_cores\",\"cap\":1.5,\"used\":0.5}]}",
        dans.body().get("member_cap").toString());
    assertTrue(erins.body().get("member_cap") == null, erins.body().toString());
  }
}

package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.InvoiceFixtures;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.plugin.api.event.OrganizationEvent.Role;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The routes act on the organization {@code org_id} names, else on the caller's personal one:
 * team organization acme (owner olivia, admin adam, member mia, whose session opened its
 * account) as its members see it.
 */
class OrgAccessTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));

  @BeforeEach
  void acme() {
    OrgFixtures.created("acme", "olivia", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "adam", "admin", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "mia", "member", "2026-03-01T00:00:00Z");
    OrgFixtures.session(
        billing,
        "acme",
        "s1",
        "mia",
        "2026-03-02T09:00:00Z",
        "2026-03-02T12:00:00Z",
        size("2", "4", "0"));
    billing.userCreated("mia", Map.of());
    billing.calculateUsageAt("2026-03-10T12:00:00Z");
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void anAdminOfAcmeReadsAcmesUsage() {
    Answer usage = billing.call(HttpMethod.GET, "/usage?org_id=acme", user("adam"));

    assertEquals(200, usage.status(), usage.body().toString());
    assertEquals("acme", usage.body().get("user_id").asText());
  }

  @Test
  void aMemberMayNotReadAcmesUsageButReadsTheQuotaThatMayRefuseTheirSessions() {
    Answer usage = billing.call(HttpMethod.GET, "/usage?org_id=acme", user("mia"));
    Answer quota = billing.call(HttpMethod.GET, "/quota?org_id=acme", user("mia"));

    assertEquals(403, usage.status(), usage.body().toString());
    assertEquals("admin_required", usage.body().at("/error/code").asText());
    assertEquals(200, quota.status(), quota.body().toString());
    assertEquals("acme", quota.body().get("user_id").asText());
  }

  @Test
  void aMemberReadsTheirOwnUsageInAcme_butNotAnotherMembers() {
    Answer own = billing.call(HttpMethod.GET, "/usage?org_id=acme&member_id=mia", user("mia"));
    Answer adams = billing.call(HttpMethod.GET, "/usage?org_id=acme&member_id=adam", user("mia"));

    assertEquals(200, own.status(), own.body().toString());
    assertEquals("mia", own.body().get("member_id").asText());
    assertEquals(403, adams.status(), adams.body().toString());
    assertEquals("admin_required", adams.body().at("/error/code").asText());
  }

  @Test
  void theAdminAndThePlatformAdminReadAnyMembersUsage_anOutsiderNone() {
    String mias = "/usage?org_id=acme&member_id=mia";

    Answer byAdmin = billing.call(HttpMethod.GET, mias, user("adam"));
    Answer byRoot = billing.call(HttpMethod.GET, mias, BillingHarness.admin("root"));
    Answer byOutsider = billing.call(HttpMethod.GET, mias, user("gus"));

    assertEquals(200, byAdmin.status(), byAdmin.body().toString());
    assertEquals(200, byRoot.status(), byRoot.body().toString());
    assertEquals(byAdmin.body(), byRoot.body());
    assertEquals(403, byOutsider.status(), byOutsider.body().toString());
    assertEquals("not_a_member", byOutsider.body().at("/error/code").asText());
  }

  @Test
  void withoutOrgIdAMemberActsOnTheirPersonalOrganization() {
    Answer usage = billing.call(HttpMethod.GET, "/usage", user("mia"));

    assertEquals(200, usage.status(), usage.body().toString());
    assertEquals("mia", usage.body().get("user_id").asText());
  }

  @Test
  void theOwnersSpendingLimitNamingAcmeIsAcmes() {
    Answer set =
        billing.call(
            HttpMethod.PUT,
            "/spending-limit",
            user("olivia"),
            "{\"org_id\": \"acme\", \"amount\": 50, \"action\": \"block\"}");

    assertEquals(200, set.status(), set.body().toString());
    assertEquals("acme", set.body().get("user_id").asText());
    assertEquals(
        List.of(List.of("acme", "olivia", "block")),
        rows("SELECT user_id, set_by, action FROM billing_spending_limits"));
  }

  @Test
  void anOrgIdThatIsNotAStringIsRefusedNamingItAndStoresNothing() {
    Answer set =
        billing.call(
            HttpMethod.PUT,
            "/spending-limit",
            user("olivia"),
            "{\"org_id\": 7, \"amount\": 50, \"action\": \"block\"}");

    assertEquals(400, set.status(), set.body().toString());
    assertEquals("org_id", set.errorField());
    assertEquals(List.of(), rows("SELECT user_id FROM billing_spending_limits"));
  }

  @Test
  void anOrganizationAndAnotherUserNamedTogetherAreRefusedNamingOrgId() {
    Answer usage =
        billing.call(
            HttpMethod.GET, "/usage?org_id=acme&user_id=adam", BillingHarness.admin("root"));

    assertEquals(400, usage.status(), usage.body().toString());
    assertEquals("org_id", usage.errorField());
  }

  @Test
  void acmesInvoiceIsFoundUnderAcmeOnly() {
    long id =
        InvoiceFixtures.invoice(
            "acme",
            "2026-02-01T00:00:00Z",
            "2026-03-01T00:00:00Z",
            "sent",
            "INV-2026-000001",
            "USD",
            "10.00",
            "0",
            "10.00",
            "2026-03-15T01:00:00Z",
            null);

    Answer personal = billing.call(HttpMethod.GET, "/invoices/" + id, user("olivia"));
    Answer underAcme =
        billing.call(HttpMethod.GET, "/invoices/" + id + "?org_id=acme", user("olivia"));

    assertEquals(404, personal.status(), personal.body().toString());
    assertEquals(200, underAcme.status(), underAcme.body().toString());
    assertEquals("INV-2026-000001", underAcme.body().get("invoice_number").asText());
  }

  @Test
  void aRemovedMemberIsNoLongerAMember() {
    OrgFixtures.removed("acme", "mia", "2026-03-05T00:00:00Z");

    Answer quota = billing.call(HttpMethod.GET, "/quota?org_id=acme", user("mia"));

    assertEquals(403, quota.status(), quota.body().toString());
    assertEquals("not_a_member", quota.body().at("/error/code").asText());
  }

  @Test
  void aTokensClaimLetsInAMemberTheEventsHaveNotToldOfYet() {
    Answer usage =
        billing.call(HttpMethod.GET, "/usage?org_id=acme", claiming("noah", "acme", Role.ADMIN));

    assertEquals(200, usage.status(), usage.body().toString());
    assertEquals("acme", usage.body().get("user_id").asText());
  }

  @Test
  void theTokensClaimWinsOverTheEventsForThatRequest_upOrDown() {
    Answer promoted =
        billing.call(HttpMethod.GET, "/usage?org_id=acme", claiming("mia", "acme", Role.ADMIN));
    Answer demoted =
        billing.call(HttpMethod.GET, "/usage?org_id=acme", claiming("adam", "acme", Role.MEMBER));

    assertEquals(200, promoted.status(), promoted.body().toString());
    assertEquals(403, demoted.status(), demoted.body().toString());
    assertEquals("admin_required", demoted.body().at("/error/code").asText());
  }

  @Test
  void anOrganizationTheTokenDoesNotNameIsDecidedByTheEvents() {
    Answer adam =
        billing.call(HttpMethod.GET, "/usage?org_id=acme", claiming("adam", "beta", Role.MEMBER));
    Answer noah =
        billing.call(HttpMethod.GET, "/quota?org_id=acme", claiming("noah", "beta", Role.OWNER));

    assertEquals(200, adam.status(), adam.body().toString());
    assertEquals(403, noah.status(), noah.body().toString());
    assertEquals("not_a_member", noah.body().at("/error/code").asText());
  }

  @Test
  void aClaimNeverCountsForAPersonalOrganization_anothersOrTheCallersOwn() {
    Answer intoMias =
        billing.call(HttpMethod.GET, "/usage?org_id=mia", claiming("noah", "mia", Role.OWNER));
    Answer ownDemoted = billing.call(HttpMethod.GET, "/usage", claiming("mia", "mia", Role.MEMBER));

    assertEquals(403, intoMias.status(), intoMias.body().toString());
    assertEquals("not_a_member", intoMias.body().at("/error/code").asText());
    assertEquals(200, ownDemoted.status(), "still the Owner of her own: " + ownDemoted.body());
  }

  /** A user whose platform token names one organization with a role. */
  private static Caller claiming(String userId, String orgId, Role role) {
    return new Caller(userId, Set.of(Caller.ROLE_USER), Map.of(orgId, role));
  }
}

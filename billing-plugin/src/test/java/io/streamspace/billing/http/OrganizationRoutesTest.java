package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.plugin.api.event.OrganizationEvent.Role;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /organizations}: the caller's personal organization, then the teams they belong to
 * now, each with their role, its name, plan and members, as a page offers them.
 */
class OrganizationRoutesTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void anAdminListsTheirPersonalOrganizationThenTheTeamWithItsNamePlanAndMembers() {
    // acme on Pro, owned by olivia, with adam (admin) and mia (member): 3 members now, zed
    // having left; adam's own account opened by his user.created, on the default free plan
    OrgFixtures.opened(billing, "acme", "Acme Inc", "olivia", "USD", "pro", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "adam", "admin", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "mia", "member", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "zed", "member", "2026-03-01T00:00:00Z");
    OrgFixtures.removed("acme", "zed", "2026-03-05T00:00:00Z");
    billing.userCreated("adam", Map.of());
    billing.flush();

    Answer adams = billing.call(HttpMethod.GET, "/organizations", user("adam"));
    Answer zeds = billing.call(HttpMethod.GET, "/organizations", user("zed"));

    assertEquals(200, adams.status(), adams.body().toString());
    assertEquals(
        """
        {"user_id":"adam","organizations":[\
        {"org_id":"adam","name":null,"personal":true,"role":"owner","plan_id":"free",\
        "plan_name":"Hobby","currency":"USD","members":1},\
        {"org_id":"acme","name":"Acme Inc","personal":false,"role":"admin","plan_id":"pro",\
        "plan_name":"Pro","currency":"USD","members":3}]}""",
        adams.body().toString());
    // zed left acme, and has no account of their own yet: listed, with no plan
    assertEquals(
        """
        {"user_id":"zed","organizations":[\
        {"org_id":"zed","name":null,"personal":true,"role":"owner","plan_id":null,\
        "plan_name":null,"currency":null,"members":1}]}""",
        zeds.body().toString());
  }

  @Test
  void aRoleTheTokenNamesWinsOverTheEvents_andListsATeamTheEventsDoNotKnowYet() {
    // the events make adam acme's admin; his token says member of acme and admin of globex,
    // whose events have not arrived (no account: no name nor plan, no member by the events), and
    // owner of ann's personal organization, which never counts
    OrgFixtures.opened(billing, "acme", "Acme Inc", "olivia", "USD", "pro", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "adam", "admin", "2026-03-01T00:00:00Z");
    billing.userCreated("ann", Map.of());
    billing.flush();
    Caller adam =
        new Caller(
            "adam",
            Set.of(Caller.ROLE_USER),
            Map.of("acme", Role.MEMBER, "globex", Role.ADMIN, "ann", Role.OWNER));

    Answer listed = billing.call(HttpMethod.GET, "/organizations", adam);

    assertEquals(200, listed.status(), listed.body().toString());
    List<String> roles = new ArrayList<>();
    for (JsonNode o : listed.body().get("organizations")) {
      roles.add(
          o.get("org_id").asText() + " " + o.get("role").asText() + " " + o.get("members").asInt());
    }
    assertEquals(List.of("adam owner 1", "acme member 2", "globex admin 0"), roles);
  }
}

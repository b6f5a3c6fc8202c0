package io.streamspace.host.e2e;

import static io.streamspace.host.support.TestPlatform.claims;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.TestPlatform;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Memberships in the platform's sign-in token (docs/billing-rules.md, "Memberships come from the
 * platform", the {@code orgs} claim),
 * over HTTP with the packaged billing plugin: team acme, owned by olivia from 08:00, where olivia
 * ran 2 cores / 4 GB from 09:00 to 10:00 (2 × 0.05 + 4 × 0.01 = 0.14), and dan is a member by
 * event. carol's membership event has not arrived: her token's claim is all the plugin knows.
 */
class OrganizationClaimsE2ETest extends BillingHostTestBase {

  private static final String DAY = "&from=2026-03-10&to=2026-03-11";

  private final TestPlatform platform = TestPlatform.start();
  private final String acme = newUser("acme");
  private final String olivia = newUser("olivia");
  private final String carol = newUser("carol");
  private final String dan = newUser("dan");

  @Override
  Map<String, String> secrets() {
    return platform.environment();
  }

  @AfterAll
  void stopPlatform() {
    platform.close();
  }

  @BeforeAll
  void theTeamRanASession() {
    api.postEvents(
        platformToken,
        List.of(
            Events.orgCreated(acme, olivia, "free", at("08:00")),
            Events.memberAdded(acme, dan, "member", at("08:00")),
            Events.underOrg(
                acme, Events.sessionCreated("s1-" + olivia, olivia, at("09:00"), "2", "4", "0")),
            Events.underOrg(acme, Events.sessionTerminated("s1-" + olivia, olivia, at("10:00")))));
    api.awaitCaughtUp("billing");
    api.runJob("calculate-usage");
  }

  private String jwt(String user, Map<String, String> orgs) {
    return platform.token(claims(user, clock.instant()).claim("orgs", orgs));
  }

  @Test
  void aTokenNamingAcmeAdminReadsAcmesUsageBeforeTheMembershipEventArrived() {
    JsonNode usage =
        api.usage(jwt(carol, Map.of(acme, "admin")), "?org_id=" + acme + DAY).expect(200);
    JsonNode withoutTheClaim = api.usage(jwt(carol, Map.of()), "?org_id=" + acme + DAY).expect(403);

    assertEquals(acme, usage.get("user_id").asText());
    assertEquals("0.14", UsageLines.amount(usage, "total_cost"));
    assertEquals("not_a_member", withoutTheClaim.at("/error/code").asText());
  }

  @Test
  void aMembersTokenWithoutTheClaimStillWorksFromTheEvents() {
    String token = jwt(dan, Map.of());

    JsonNode quota = api.http.get("/api/plugins/billing/quota?org_id=" + acme, token).expect(200);
    JsonNode usage = api.usage(token, "?org_id=" + acme + DAY).expect(403);

    assertEquals(acme, quota.get("user_id").asText(), "acme's quota, as its member");
    assertEquals("admin_required", usage.at("/error/code").asText(), "a member, not an admin");
  }
}

package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.account.Memberships;
import io.streamspace.billing.account.Memberships.Member;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.OrganizationEvent.Membership;
import io.streamspace.plugin.api.event.OrganizationEvent.Type;
import io.streamspace.plugin.api.http.HttpMethod;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /ownership-transfer}: acme (created 1 March by olivia, with admin adam and member
 * mia, its account opened by mia's session) changes Owner at the clock's instant, 10 March 2026
 * 12:00, recorded as two role events ordered with the platform's by event time.
 */
class OwnershipRoutesTest {

  private static final String TRANSFERRED_AT = "2026-03-10T12:00:00Z";

  private final BillingHarness billing = new BillingHarness(at(TRANSFERRED_AT));
  private final Memberships memberships = new Memberships(TestDatabase.dataSource());

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
        "2026-03-02T10:00:00Z",
        size("1", "1", "0"));
    billing.flush();
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void theOwnerMakesAMemberOwnerAndBecomesAdminInOneCallToldToThePlatform() throws Exception {
    Answer answer = transfer("olivia", "mia");

    assertEquals(200, answer.status(), answer.body().toString());
    String transfer =
        "{\"org_id\":\"acme\",\"user_id\":\"mia\",\"previous_owners\":[\"olivia\"],"
            + "\"transferred_by\":\"olivia\",\"transferred_at\":\""
            + TRANSFERRED_AT
            + "\"}";
    assertEquals(new ObjectMapper().readTree(transfer), answer.body());
    assertEquals(
        List.of(
            new Member("adam", MemberRole.ADMIN),
            new Member("mia", MemberRole.OWNER),
            new Member("olivia", MemberRole.ADMIN)),
        memberships.membersOf("acme"));
    String prefix = "billing:ownership-transfer:acme:" + TRANSFERRED_AT + ":";
    assertEquals(
        List.of(
            List.of(prefix + "mia", "org.member_role_changed", "mia", "owner", instant()),
            List.of(prefix + "olivia", "org.member_role_changed", "olivia", "admin", instant())),
        rows(
            """
            SELECT event_id, type, user_id, role, occurred_at FROM billing_org_events
            WHERE event_id LIKE 'billing:%' AND refused IS NULL ORDER BY event_id"""));
    assertEquals(
        List.of("billing.org.ownership_transferred " + transfer), billing.context.published());
    assertEquals(
        List.of(List.of("ownership.transferred", "user", "olivia", "[\"olivia\"]", "mia")),
        rows(
            """
            SELECT kind, actor_type, actor_id, before->>'owners', after->>'user_id'
            FROM billing_audit_entries WHERE org_id = 'acme'"""),
        "the one audit entry of the transfer, which moves the billing rights");
  }

  @Test
  void aSecondCallOfThePreviousOwnerIsRefusedAsHeIsNoLongerTheOwner() {
    assertEquals(200, transfer("olivia", "adam").status());
    Map<String, String> tables = BillingHarness.tableContents();

    Answer again = transfer("olivia", "mia");

    assertEquals(403, again.status());
    assertEquals("owner_required", again.body().at("/error/code").asText());
    assertEquals(tables, BillingHarness.tableContents());
  }

  @Test
  void theNewOwnerMustBeAMemberAndNotAlreadyAnOwnerNothingChangedOtherwise() throws Exception {
    Map<String, String> tables = BillingHarness.tableContents();

    for (String body :
        List.of(
            "{\"org_id\":\"acme\",\"user_id\":\"gus\"}",
            "{\"org_id\":\"acme\",\"user_id\":\"olivia\"}",
            "{\"org_id\":\"acme\"}",
            "{\"org_id\":\"acme\",\"user_id\":7}")) {
      Answer answer = billing.call(HttpMethod.POST, "/ownership-transfer", user("olivia"), body);

      assertEquals(400, answer.status(), body);
      assertEquals("user_id", answer.errorField(), body);
    }
    assertEquals(tables, BillingHarness.tableContents());
    assertEquals(List.of(), billing.context.published());
    assertEquals(Optional.of(MemberRole.OWNER), memberships.roleOf("acme", "olivia"));
  }

  @Test
  void anAdminOrAMemberIsRefusedOwnerRequiredAndAStrangerNotAMember() {
    assertEquals("owner_required", transfer("adam", "mia").body().at("/error/code").asText());
    assertEquals("owner_required", transfer("mia", "mia").body().at("/error/code").asText());
    assertEquals("not_a_member", transfer("gus", "mia").body().at("/error/code").asText());
  }

  @Test
  void aPersonalOrganizationHasNobodyToHandItTo() {
    billing.userCreated("ann", Map.of());
    billing.flush();

    Answer answer =
        billing.call(HttpMethod.POST, "/ownership-transfer", user("ann"), "{\"user_id\":\"bob\"}");

    assertEquals(400, answer.status(), answer.body().toString());
    assertEquals("org_id", answer.errorField());
  }

  /**
   * olivia hands acme to adam and to mia at once, twenty times over on fresh roles: each time one
   * transfer wins and the other is refused owner_required (it reads the winner's roles under the
   * organization's lock), so acme always has exactly one Owner.
   */
  @Test
  void twoTransfersAtOnceOneWinsTheOtherIsRefused() throws Exception {
    ExecutorService two = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        CountDownLatch start = new CountDownLatch(1);
        Future<Answer> toAdam = two.submit(() -> awaitThenTransfer(start, "adam"));
        Future<Answer> toMia = two.submit(() -> awaitThenTransfer(start, "mia"));
        start.countDown();
        List<Integer> statuses =
            Stream.of(toAdam.get().status(), toMia.get().status()).sorted().toList();

        assertEquals(List.of(200, 403), statuses, "round " + round);
        assertEquals(
            1,
            memberships.membersOf("acme").stream()
                .filter(m -> m.role() == MemberRole.OWNER)
                .count(),
            "round " + round);
        // olivia is the owner again for the next round, an hour later
        billing.clock.set(billing.clock.instant().plusSeconds(3600));
        OrgFixtures.added("acme", "olivia", "owner", billing.clock.instant().toString());
        OrgFixtures.added("acme", "adam", "admin", billing.clock.instant().toString());
        OrgFixtures.added("acme", "mia", "member", billing.clock.instant().toString());
        billing.clock.set(billing.clock.instant().plusSeconds(1));
      }
    } finally {
      two.shutdownNow();
    }
  }

  private Answer awaitThenTransfer(CountDownLatch start, String newOwner)
      throws InterruptedException {
    start.await();
    return transfer("olivia", newOwner);
  }

  /** A platform admin, no member of acme, hands it over for its Owner. */
  @Test
  void aPlatformAdminTransfersAnyOrganizationsOwnership() throws Exception {
    Answer answer =
        billing.call(
            HttpMethod.POST,
            "/ownership-transfer",
            admin("root"),
            "{\"org_id\":\"acme\",\"user_id\":\"adam\"}");

    assertEquals(200, answer.status(), answer.body().toString());
    assertEquals("[\"olivia\"]", answer.body().get("previous_owners").toString());
    assertEquals("root", answer.body().get("transferred_by").asText());
    assertEquals(Optional.of(MemberRole.OWNER), memberships.roleOf("acme", "adam"));
    assertEquals(Optional.of(MemberRole.ADMIN), memberships.roleOf("acme", "olivia"));
  }

  /**
   * After the transfer at 12:00 the platform's events count by event time around it: mia's
   * promotion to admin at 11:00 (delivered after the transfer) stands; adam's removal at 13:00
   * applies; mia's removal at 13:00, the new and only Owner, is refused and kept.
   */
  @Test
  void theTransfersEventsAreOrderedWithThePlatformsByEventTime() throws Exception {
    assertEquals(200, transfer("olivia", "adam").status());

    deliver(
        member("p1", "2026-03-10T11:00:00Z", Type.MEMBER_ROLE_CHANGED, "mia", "admin"),
        member("p2", "2026-03-10T13:00:00Z", Type.MEMBER_REMOVED, "olivia", null),
        member("p3", "2026-03-10T13:00:00Z", Type.MEMBER_REMOVED, "adam", null));

    assertEquals(
        List.of(new Member("adam", MemberRole.OWNER), new Member("mia", MemberRole.ADMIN)),
        memberships.membersOf("acme"));
    assertEquals(
        List.of(List.of("p3", "last_owner")),
        rows("SELECT event_id, refused FROM billing_org_events WHERE refused IS NOT NULL"));
  }

  /** A platform event of the new Owner at or after the transfer's instant would decide instead. */
  @Test
  void aTransferIsRefusedWhenAMembersRoleEventIsNotBeforeItsInstant() {
    OrgFixtures.added("acme", "mia", "member", TRANSFERRED_AT);
    Map<String, String> tables = BillingHarness.tableContents();

    Answer answer = transfer("olivia", "mia");

    assertEquals(409, answer.status(), answer.body().toString());
    assertEquals("membership_changed_later", answer.body().at("/error/code").asText());
    assertEquals(tables, BillingHarness.tableContents());
  }

  private Answer transfer(String caller, String newOwner) {
    return billing.call(
        HttpMethod.POST,
        "/ownership-transfer",
        user(caller),
        "{\"org_id\":\"acme\",\"user_id\":\"" + newOwner + "\"}");
  }

  private void deliver(OrganizationEvent... events) {
    for (OrganizationEvent event : events) {
      billing.billing.onOrganizationEvent(billing.context, event);
    }
    billing.flush();
  }

  private static OrganizationEvent member(
      String id, String at, Type type, String user, String role) {
    return new OrganizationEvent(
        id,
        at(at),
        type,
        "acme",
        null,
        new Membership(
            user, role == null ? null : OrganizationEvent.Role.fromWire(role).orElseThrow()));
  }

  private static Timestamp instant() {
    return Timestamp.from(at(TRANSFERRED_AT));
  }
}

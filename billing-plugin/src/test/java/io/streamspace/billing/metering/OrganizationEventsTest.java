package io.streamspace.billing.metering;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.account.Memberships;
import io.streamspace.billing.account.Memberships.Member;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.billing.support.TestPluginContext.DeadLetter;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.OrganizationEvent.Membership;
import io.streamspace.plugin.api.event.OrganizationEvent.Organization;
import io.streamspace.plugin.api.event.OrganizationEvent.Role;
import io.streamspace.plugin.api.event.OrganizationEvent.Type;
import io.streamspace.plugin.api.event.SessionEvent;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Organization events are kept through the same write-behind path as session events, once per
 * event id: org.created opens the team's account, memberships are decided from the events by
 * event time whatever order they arrive in, and org.deleted closes the account. Acme is created
 * at 09:00 on 2 March 2026 by u1.
 */
class OrganizationEventsTest {

  private final BillingHarness billing =
      new BillingHarness(at("2026-03-02T00:00:00Z"), BillingHarness.USD_AND_VND_CONFIG);
  private final Memberships memberships = new Memberships(TestDatabase.dataSource());

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void anOrgCreatedOpensATeamAccountInItsCurrencyAndPlanWithItsOwnerAsOwner() throws Exception {
    deliver(created("e1", "2026-03-02T09:00:00Z", "acme", "u1", "VND", "pro"));
    deliver(created("e2", "2026-03-02T09:00:00Z", "zeta", "u9", "EUR", "platinum"));

    assertEquals(
        List.of(
            List.of("acme", false, "Acme", "VND", "pro", "750000", at("2026-03-02T09:00:00Z")),
            List.of("zeta", false, "Zeta", "USD", "free", "0", at("2026-03-02T09:00:00Z"))),
        rows(
                """
                SELECT a.user_id, a.personal, a.name, a.currency::text, s.plan_id,
                       s.price::text, a.created_at, s.started_at, a.user_created_at
                FROM billing_accounts a JOIN billing_subscriptions s USING (user_id)
                ORDER BY a.user_id""")
            .stream()
            .map(OrganizationEventsTest::startingOnce)
            .toList());
    assertEquals(Optional.of(MemberRole.OWNER), memberships.roleOf("acme", "u1"));
    assertEquals(Optional.empty(), memberships.roleOf("acme", "u9"));
    assertEquals(List.of(new Member("u1", MemberRole.OWNER)), memberships.membersOf("acme"));
  }

  @Test
  void membersAddedChangedAndRemovedAreReflectedInMemberships() throws Exception {
    deliver(
        created("e1", "2026-03-02T09:00:00Z", "acme", "u1", "USD", "pro"),
        member("e2", "2026-03-02T10:00:00Z", Type.MEMBER_ADDED, "acme", "u2", Role.ADMIN),
        member("e3", "2026-03-02T10:00:00Z", Type.MEMBER_ADDED, "acme", "u3", Role.MEMBER));
    deliver(
        member("e4", "2026-03-02T11:00:00Z", Type.MEMBER_ROLE_CHANGED, "acme", "u3", Role.ADMIN),
        member("e5", "2026-03-02T12:00:00Z", Type.MEMBER_REMOVED, "acme", "u2", null));

    assertEquals(
        List.of(new Member("u1", MemberRole.OWNER), new Member("u3", MemberRole.ADMIN)),
        memberships.membersOf("acme"));
    assertEquals(Optional.of(MemberRole.ADMIN), memberships.roleOf("acme", "u3"));
    assertEquals(Optional.empty(), memberships.roleOf("acme", "u2"));
    assertEquals(5L, value("SELECT count(*) FROM billing_org_events"));
  }

  /**
   * u2 joins as a member at 10:00, becomes admin at 11:00, leaves at 12:00 and comes back as a
   * member at 13:00; u3 gets two role changes at the same instant, 14:00, and the event with the
   * greater id wins the tie; u4 leaves at 15:00 an hour after joining. Whatever the order and
   * however often they arrive, the memberships are the same.
   */
  @Test
  void theSameEventsInAShuffledOrderAndDeliveredTwiceGiveTheSameMemberships() throws Exception {
    List<OrganizationEvent> events =
        List.of(
            created("e01", "2026-03-02T09:00:00Z", "acme", "u1", "USD", "pro"),
            member("e02", "2026-03-02T10:00:00Z", Type.MEMBER_ADDED, "acme", "u2", Role.MEMBER),
            member(
                "e03", "2026-03-02T11:00:00Z", Type.MEMBER_ROLE_CHANGED, "acme", "u2", Role.ADMIN),
            member("e04", "2026-03-02T12:00:00Z", Type.MEMBER_REMOVED, "acme", "u2", null),
            member("e05", "2026-03-02T13:00:00Z", Type.MEMBER_ADDED, "acme", "u2", Role.MEMBER),
            member("e06", "2026-03-02T10:00:00Z", Type.MEMBER_ADDED, "acme", "u3", Role.MEMBER),
            member(
                "e07b", "2026-03-02T14:00:00Z", Type.MEMBER_ROLE_CHANGED, "acme", "u3", Role.ADMIN),
            member(
                "e07a",
                "2026-03-02T14:00:00Z",
                Type.MEMBER_ROLE_CHANGED,
                "acme",
                "u3",
                Role.MEMBER),
            member("e08", "2026-03-02T14:00:00Z", Type.MEMBER_ADDED, "acme", "u4", Role.ADMIN),
            member("e09", "2026-03-02T15:00:00Z", Type.MEMBER_REMOVED, "acme", "u4", null));
    List<Member> expected =
        List.of(
            new Member("u1", MemberRole.OWNER),
            new Member("u2", MemberRole.MEMBER),
            new Member("u3", MemberRole.ADMIN));

    int told = published();
    for (long seed = 1; seed <= 5; seed++) {
      TestDatabase.clean();
      List<OrganizationEvent> twice = new ArrayList<>(events);
      twice.addAll(events);
      Collections.shuffle(twice, new Random(seed));
      int cut = new Random(seed).nextInt(twice.size()); // two flushes, cut anywhere
      deliver(twice.subList(0, cut).toArray(OrganizationEvent[]::new));
      deliver(twice.subList(cut, twice.size()).toArray(OrganizationEvent[]::new));

      assertEquals(expected, memberships.membersOf("acme"), "order of seed " + seed);
      assertEquals(10L, value("SELECT count(*) FROM billing_org_events"));
    }
  }

  @Test
  void aMemberEventArrivingBeforeItsOrgCreatedIsKeptAndCountsOnceTheOrgExists() throws Exception {
    deliver(member("e2", "2026-03-02T10:00:00Z", Type.MEMBER_ADDED, "acme", "u2", Role.ADMIN));

    assertEquals(
        List.of(List.of("acme", "org.member_added", "u2", "admin")),
        rows("SELECT org_id, type, user_id, role FROM billing_org_events"));
    assertEquals(Optional.empty(), memberships.roleOf("acme", "u2"));

    deliver(created("e1", "2026-03-02T09:00:00Z", "acme", "u1", "USD", "pro"));

    assertEquals(Optional.of(MemberRole.ADMIN), memberships.roleOf("acme", "u2"));
    assertEquals(
        List.of(new Member("u1", MemberRole.OWNER), new Member("u2", MemberRole.ADMIN)),
        memberships.membersOf("acme"));
  }

  /**
   * u2's session under Acme (08:00) opened its account in USD on Free; Acme's org.created (VND,
   * Pro, at 07:00), stored in a later flush, moves it onto VND and Pro priced in VND from the
   * account's start, 07:00, and names it, as a late user.created does for a user's account. A
   * second org.created asking for something else then changes nothing.
   */
  @Test
  void aLateOrgCreatedGivesTheAccountASessionOpenedItsCurrencyPlanAndName() throws Exception {
    billing.billing.onSessionCreated(
        billing.context,
        new SessionEvent(
            "s-e1", at("2026-03-02T08:00:00Z"), "s1", "u2", size("1", "0", "0"), "acme"));
    billing.flush();
    assertEquals(
        List.of(List.of(false, "USD", "free")),
        rows(
            """
            SELECT a.personal, a.currency::text, s.plan_id
            FROM billing_accounts a JOIN billing_subscriptions s USING (user_id)"""));

    deliver(created("e1", "2026-03-02T07:00:00Z", "acme", "u1", "VND", "pro"));
    deliver(
        new OrganizationEvent(
            "e1-again",
            at("2026-03-02T07:30:00Z"),
            Type.CREATED,
            "acme",
            new Organization("Acme Renamed", "u1", "USD", "enterprise"),
            null));

    assertEquals(
        List.of(
            List.of(
                "acme",
                false,
                "Acme",
                "VND",
                "pro",
                "VND",
                "750000",
                Timestamp.from(at("2026-03-02T07:00:00Z")),
                Timestamp.from(at("2026-03-02T07:00:00Z")))),
        rows(
            """
            SELECT a.user_id, a.personal, a.name, a.currency::text, s.plan_id, s.currency::text,
                   s.price::text, s.started_at, a.user_created_at
            FROM billing_accounts a JOIN billing_subscriptions s USING (user_id)"""));
    assertEquals(Optional.of(MemberRole.OWNER), memberships.roleOf("acme", "u1"));
  }

  @Test
  void anOrgDeletedClosesTheAccountWhicheverOrderItArrivesIn() throws Exception {
    // acme: created, then deleted, then a redelivered deletion and a later one
    deliver(created("a1", "2026-03-02T09:00:00Z", "acme", "u1", "USD", "pro"));
    deliver(deleted("a2", "2026-03-20T00:00:00Z", "acme"));
    deliver(
        deleted("a2", "2026-03-20T00:00:00Z", "acme"),
        deleted("a3", "2026-03-25T00:00:00Z", "acme"));
    // beta: deleted first, then created
    deliver(deleted("b2", "2026-03-21T00:00:00Z", "beta"));
    deliver(created("b1", "2026-03-02T09:00:00Z", "beta", "u1", "USD", "pro"));
    // gamma: deleted first, then a session under it opens its account
    deliver(deleted("c2", "2026-03-22T00:00:00Z", "gamma"));
    billing.billing.onSessionCreated(
        billing.context,
        new SessionEvent(
            "s-c", at("2026-03-02T08:00:00Z"), "s1", "u2", size("1", "0", "0"), "gamma"));
    billing.flush();
    // delta: created and deleted in one batch; epsilon, created, stays open
    deliver(
        deleted("d2", "2026-03-23T00:00:00Z", "delta"),
        created("d1", "2026-03-02T09:00:00Z", "delta", "u1", "USD", "pro"),
        created("e1", "2026-03-02T09:00:00Z", "epsilon", "u1", "USD", "pro"));

    assertEquals(
        List.of(
            List.of("acme", Timestamp.from(at("2026-03-20T00:00:00Z"))),
            List.of("beta", Timestamp.from(at("2026-03-21T00:00:00Z"))),
            List.of("delta", Timestamp.from(at("2026-03-23T00:00:00Z"))),
            List.of("gamma", Timestamp.from(at("2026-03-22T00:00:00Z")))),
        rows(
            """
            SELECT user_id, closed_at FROM billing_accounts WHERE closed_at IS NOT NULL
            ORDER BY user_id"""));
    assertEquals(
        List.of(List.of("epsilon")),
        rows("SELECT user_id FROM billing_accounts WHERE closed_at IS NULL"));
  }

  /**
   * ann has a personal account; an org.created with her id (naming bob its owner) is set aside
   * with the reason, and so is one with cid's id, whose personal account a session of the same
   * batch opens. The other events of the batch are stored, and bob gets no role in ann's
   * account.
   */
  @Test
  void anOrgCreatedWithAUsersIdIsSetAsideAndTheRestOfTheBatchStored() throws Exception {
    billing.userCreated("ann", Map.of());
    billing.flush();
    OrganizationEvent annAsATeam =
        created("x1", "2026-03-02T09:00:00Z", "ann", "bob", "USD", "pro");
    OrganizationEvent cidAsATeam =
        created("x2", "2026-03-02T09:00:00Z", "cid", "bob", "USD", "pro");
    billing.created("2026-03-02T08:00:00Z", "s-cid", "cid", size("1", "0", "0"));
    deliver(
        created("e1", "2026-03-02T09:00:00Z", "acme", "u1", "USD", "pro"),
        annAsATeam,
        member("x3", "2026-03-02T10:00:00Z", Type.MEMBER_ADDED, "ann", "bob", Role.ADMIN),
        cidAsATeam,
        member("e2", "2026-03-02T10:00:00Z", Type.MEMBER_ADDED, "acme", "u2", Role.MEMBER));

    List<DeadLetter> setAside = billing.context.deadLettersRecorded();
    assertEquals(
        List.of(annAsATeam, cidAsATeam),
        setAside.stream().map(DeadLetter::event).sorted(byId()).toList());
    setAside.forEach(d -> assertEquals("onOrganizationEvent", d.hook()));
    setAside.forEach(
        d ->
            assertTrue(
                d.reason().startsWith("SQLState 23505: org.created refused: ")
                    && d.reason().contains("is the id of a user's personal organization"),
                d.reason()));
    assertEquals(
        List.of(List.of("acme", false), List.of("ann", true), List.of("cid", true)),
        rows("SELECT user_id, personal FROM billing_accounts ORDER BY user_id"));
    assertEquals(
        List.of(new Member("u1", MemberRole.OWNER), new Member("u2", MemberRole.MEMBER)),
        memberships.membersOf("acme"));
    assertEquals(Optional.empty(), memberships.roleOf("ann", "bob"));
    assertEquals(Optional.of(MemberRole.OWNER), memberships.roleOf("ann", "ann"));
  }

  /**
   * Acme's only Owner u1 is removed at 10:00 and beta's only Owner u5 made a member at 10:00:
   * both events are kept, marked refused, and both stay Owner; u2's own removal applies.
   */
  @Test
  void theLastOwnerRemovedOrDemotedStaysOwnerAndTheEventIsKeptMarkedRefused() throws Exception {
    deliver(
        created("e1", "2026-03-02T09:00:00Z", "acme", "u1", "USD", "pro"),
        member("e2", "2026-03-02T09:30:00Z", Type.MEMBER_ADDED, "acme", "u2", Role.ADMIN),
        created("b1", "2026-03-02T09:00:00Z", "beta", "u5", "USD", "pro"));
    deliver(
        member("e3", "2026-03-02T10:00:00Z", Type.MEMBER_REMOVED, "acme", "u1", null),
        member("e4", "2026-03-02T10:00:00Z", Type.MEMBER_REMOVED, "acme", "u2", null),
        member("b2", "2026-03-02T10:00:00Z", Type.MEMBER_ROLE_CHANGED, "beta", "u5", Role.MEMBER));

    assertEquals(List.of(new Member("u1", MemberRole.OWNER)), memberships.membersOf("acme"));
    assertEquals(Optional.of(MemberRole.OWNER), memberships.roleOf("beta", "u5"));
    assertEquals(
        List.of(
            List.of("b1", "org.created"),
            List.of("b2", "org.member_role_changed", "last_owner"),
            List.of("e1", "org.created"),
            List.of("e2", "org.member_added"),
            List.of("e3", "org.member_removed", "last_owner"),
            List.of("e4", "org.member_removed")),
        rows("SELECT event_id, type, refused FROM billing_org_events ORDER BY event_id").stream()
            .map(r -> r.stream().filter(v -> v != null).toList())
            .toList());
    List<String> told =
        List.of(
            "billing.org.membership_refused {\"org_id\":\"acme\",\"event_id\":\"e3\","
                + "\"type\":\"org.member_removed\",\"user_id\":\"u1\",\"role\":null,"
                + "\"occurred_at\":\"2026-03-02T10:00:00Z\",\"reason\":\"last_owner\","
                + "\"refused\":true}",
            "billing.org.membership_refused {\"org_id\":\"beta\",\"event_id\":\"b2\","
                + "\"type\":\"org.member_role_changed\",\"user_id\":\"u5\","
                + "\"role\":\"member\",\"occurred_at\":\"2026-03-02T10:00:00Z\","
                + "\"reason\":\"last_owner\",\"refused\":true}");
    assertEquals(told, billing.context.published().stream().sorted().toList());

    deliver(member("e3", "2026-03-02T10:00:00Z", Type.MEMBER_REMOVED, "acme", "u1", null));

    assertEquals(2, billing.context.published().size(), "told once, redelivered or not");
  }

  /**
   * The platform moves acme's ownership with events, whatever order they arrive in:
   *
   * <ul>
   *   <li>acme: u2 made Owner (e3) and u1 made admin (e2) at the same instant, 10:00; e2's id
   *       sorts first, yet the instant ends with an Owner: both apply.
   *   <li>beta: u4 made Owner at 10:00, u3 (its creator) removed at 11:00: applies.
   *   <li>gamma: u6 removed at 10:00, before u7 is made Owner at 11:00: refused, u6 stays Owner
   *       beside u7.
   *   <li>delta: a second org.created at 08:00 (u9), earlier by event time than the first
   *       delivered (u8 at 09:00), is the creation: u9 is the Owner, u8 gets no role.
   * </ul>
   *
   * Shuffled, delivered twice and cut into two flushes anywhere, five times: the same roles, and
   * what the platform was last told of each event refused on the way (beta's removal is refused
   * while it arrives before u4's promotion, then applied) matches the marks.
   */
  @Test
  void ownershipMovedWithEventsGivesTheSameRolesInAnyOrderOfDelivery() throws Exception {
    List<OrganizationEvent> events =
        List.of(
            created("a1", "2026-03-02T09:00:00Z", "acme", "u1", "USD", "pro"),
            member("a0", "2026-03-02T09:30:00Z", Type.MEMBER_ADDED, "acme", "u2", Role.MEMBER),
            member(
                "a2", "2026-03-02T10:00:00Z", Type.MEMBER_ROLE_CHANGED, "acme", "u1", Role.ADMIN),
            member(
                "a3", "2026-03-02T10:00:00Z", Type.MEMBER_ROLE_CHANGED, "acme", "u2", Role.OWNER),
            created("b1", "2026-03-02T09:00:00Z", "beta", "u3", "USD", "pro"),
            member("b2", "2026-03-02T10:00:00Z", Type.MEMBER_ADDED, "beta", "u4", Role.OWNER),
            member("b3", "2026-03-02T11:00:00Z", Type.MEMBER_REMOVED, "beta", "u3", null),
            created("c1", "2026-03-02T09:00:00Z", "gamma", "u6", "USD", "pro"),
            member("c2", "2026-03-02T10:00:00Z", Type.MEMBER_REMOVED, "gamma", "u6", null),
            member("c3", "2026-03-02T11:00:00Z", Type.MEMBER_ADDED, "gamma", "u7", Role.OWNER),
            created("d1", "2026-03-02T09:00:00Z", "delta", "u8", "USD", "pro"),
            created("d2", "2026-03-02T08:00:00Z", "delta", "u9", "USD", "pro"));

    int told = published();
    for (long seed = 1; seed <= 5; seed++) {
      TestDatabase.clean();
      List<OrganizationEvent> twice = new ArrayList<>(events);
      twice.addAll(events);
      Collections.shuffle(twice, new Random(seed));
      int cut = new Random(seed).nextInt(twice.size());
      deliver(twice.subList(0, cut).toArray(OrganizationEvent[]::new));
      deliver(twice.subList(cut, twice.size()).toArray(OrganizationEvent[]::new));

      String order = "order of seed " + seed;
      assertEquals(
          List.of(new Member("u1", MemberRole.ADMIN), new Member("u2", MemberRole.OWNER)),
          memberships.membersOf("acme"),
          order);
      assertEquals(List.of(new Member("u4", MemberRole.OWNER)), memberships.membersOf("beta"));
      assertEquals(
          List.of(new Member("u6", MemberRole.OWNER), new Member("u7", MemberRole.OWNER)),
          memberships.membersOf("gamma"),
          order);
      assertEquals(List.of(new Member("u9", MemberRole.OWNER)), memberships.membersOf("delta"));
      assertEquals(
          List.of(List.of("c2", "last_owner"), List.of("d1", "duplicate_creation")),
          rows(
              """
              SELECT event_id, refused FROM billing_org_events WHERE refused IS NOT NULL
              ORDER BY event_id"""),
          order);
      assertEquals(12L, value("SELECT count(*) FROM billing_org_events"));
      assertEquals(
          Map.of("c2", true, "d1", true),
          lastToldRefused(billing.context.published().subList(told, published())),
          "the platform was last told these are refused, any other one applies: " + order);
      told = published();
    }
  }

  private int published() {
    return billing.context.published().size();
  }

  /**
   * Each event id the platform was told of by billing.org.membership_refused or _applied, with
   * whether the last it was told is that it is refused; those last told applied are left out.
   */
  private static Map<String, Boolean> lastToldRefused(List<String> published) {
    Map<String, Boolean> last = new TreeMap<>();
    for (String event : published) {
      String[] nameAndPayload = event.split(" ", 2);
      if (nameAndPayload[0].startsWith("billing.org.membership_")) {
        String id = nameAndPayload[1].replaceAll(".*\"event_id\":\"([^\"]+)\".*", "$1");
        last.put(id, nameAndPayload[0].equals("billing.org.membership_refused"));
      }
    }
    last.values().removeIf(refused -> !refused);
    return last;
  }

  /**
   * u1's removal at 11:00 arrives alone and is refused; u2's promotion to Owner at 10:00
   * arrives in a later flush: by event time acme had two Owners when u1 left, so the removal
   * applies from then on.
   */
  @Test
  void aRefusedRemovalAppliesOnceAnOwnerAddedEarlierByEventTimeArrives() throws Exception {
    deliver(
        created("e1", "2026-03-02T09:00:00Z", "acme", "u1", "USD", "pro"),
        member("e2", "2026-03-02T09:30:00Z", Type.MEMBER_ADDED, "acme", "u2", Role.MEMBER),
        member("e4", "2026-03-02T11:00:00Z", Type.MEMBER_REMOVED, "acme", "u1", null));
    assertEquals(Optional.of(MemberRole.OWNER), memberships.roleOf("acme", "u1"));

    deliver(
        member("e3", "2026-03-02T10:00:00Z", Type.MEMBER_ROLE_CHANGED, "acme", "u2", Role.OWNER));

    assertEquals(List.of(new Member("u2", MemberRole.OWNER)), memberships.membersOf("acme"));
    assertEquals(0L, value("SELECT count(*) FROM billing_org_events WHERE refused IS NOT NULL"));
    assertEquals(
        List.of("billing.org.membership_refused", "billing.org.membership_applied"),
        billing.context.published().stream().map(e -> e.substring(0, e.indexOf(' '))).toList());
  }

  private static Comparator<Object> byId() {
    return Comparator.comparing(e -> ((OrganizationEvent) e).id());
  }

  /** The row with its three start instants folded into one, checked equal. */
  private static List<Object> startingOnce(List<Object> row) {
    Object accountStart = row.get(6);
    assertEquals(accountStart, row.get(7), "the plan term starts with the account");
    assertEquals(accountStart, row.get(8), "its terms are the org.created's");
    List<Object> folded = new ArrayList<>(row.subList(0, 6));
    folded.add(((Timestamp) accountStart).toInstant());
    return folded;
  }

  private void deliver(OrganizationEvent... events) {
    for (OrganizationEvent event : events) {
      billing.billing.onOrganizationEvent(billing.context, event);
    }
    billing.flush();
  }

  private static OrganizationEvent created(
      String id, String at, String org, String owner, String currency, String plan) {
    String name = Character.toUpperCase(org.charAt(0)) + org.substring(1);
    return new OrganizationEvent(
        id, at(at), Type.CREATED, org, new Organization(name, owner, currency, plan), null);
  }

  private static OrganizationEvent member(
      String id, String at, Type type, String org, String user, Role role) {
    return new OrganizationEvent(id, at(at), type, org, null, new Membership(user, role));
  }

  private static OrganizationEvent deleted(String id, String at, String org) {
    return new OrganizationEvent(id, at(at), Type.DELETED, org, null, null);
  }
}

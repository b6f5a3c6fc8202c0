package io.streamspace.billing.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.account.OwnershipRule.Event;
import io.streamspace.billing.account.OwnershipRule.Refusal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The rule that keeps an organization's last Owner, worked by hand. Acme is created at 09:00 by
 * u1 (event e01) in every case; hours are those of 2 March 2026.
 */
class OwnershipRuleTest {

  private static final Event CREATED = event("e01", "09", "org.created", "u1", MemberRole.OWNER);

  @Test
  void removingTheLastOwnerIsRefused() {
    Event removal = event("e02", "10", "org.member_removed", "u1", null);

    assertEquals(Map.of("e02", Refusal.LAST_OWNER), refusals(CREATED, removal));
  }

  @Test
  void demotingTheLastOwnerIsRefused() {
    Event demotion = event("e02", "10", "org.member_role_changed", "u1", MemberRole.ADMIN);

    assertEquals(Map.of("e02", Refusal.LAST_OWNER), refusals(CREATED, demotion));
  }

  /** u2 is made Owner at 10:00, so u1's demotion at 11:00 leaves one Owner: allowed. */
  @Test
  void demotingAnOwnerWhileAnotherOwnerExistsApplies() {
    assertEquals(
        Map.of(),
        refusals(
            CREATED,
            event("e02", "10", "org.member_added", "u2", MemberRole.OWNER),
            event("e03", "11", "org.member_role_changed", "u1", MemberRole.ADMIN)));
  }

  /**
   * u1 and u2 are Owners from 10:00; both are demoted at 11:00. In id order e03 (u1) goes first
   * and leaves u2; e04 (u2) would leave none: refused, u2 stays Owner.
   */
  @Test
  void twoOwnersDemotedAtOneInstantKeepTheOneWhoseEventHasTheGreaterId() {
    assertEquals(
        Map.of("e04", Refusal.LAST_OWNER),
        refusals(
            CREATED,
            event("e02", "10", "org.member_added", "u2", MemberRole.OWNER),
            event("e03", "11", "org.member_role_changed", "u1", MemberRole.MEMBER),
            event("e04", "11", "org.member_removed", "u2", null)));
  }

  /**
   * u1's removal at 11:00 arrives first: alone, it is refused. Then u2's promotion to Owner at
   * 10:00 arrives: by event time the organization had two Owners when u1 left, so the removal
   * applies. The rule reads every event each time, in any order.
   */
  @Test
  void removingAnOwnerAfterANewOwnerAddedEarlierByEventTimeButArrivingLaterApplies() {
    Event removal = event("e03", "11", "org.member_removed", "u1", null);
    Event promotion = event("e02", "10", "org.member_role_changed", "u2", MemberRole.OWNER);

    assertEquals(Map.of("e03", Refusal.LAST_OWNER), refusals(CREATED, removal));
    assertEquals(Map.of(), refusals(removal, CREATED, promotion));
  }

  /**
   * A transfer sent as two events at one instant: u1's demotion (e02) sorts before u2's
   * promotion (e03), yet the instant ends with an Owner, so both apply; swapped ids too.
   */
  @Test
  void aPromotionAndTheOldOwnersDemotionAtOneInstantApplyWhicheverIdSortsFirst() {
    assertEquals(
        Map.of(),
        refusals(
            CREATED,
            event("e02", "10", "org.member_role_changed", "u1", MemberRole.ADMIN),
            event("e03", "10", "org.member_role_changed", "u2", MemberRole.OWNER)));
    assertEquals(
        Map.of(),
        refusals(
            CREATED,
            event("e03", "10", "org.member_role_changed", "u1", MemberRole.ADMIN),
            event("e02", "10", "org.member_role_changed", "u2", MemberRole.OWNER)));
  }

  /** The demotion at 10:00 comes an hour before the promotion: refused, u1 stays an Owner. */
  @Test
  void aDemotionBeforeThePromotionByEventTimeIsRefusedAndStaysRefused() {
    assertEquals(
        Map.of("e02", Refusal.LAST_OWNER),
        refusals(
            CREATED,
            event("e02", "10", "org.member_role_changed", "u1", MemberRole.ADMIN),
            event("e03", "11", "org.member_role_changed", "u2", MemberRole.OWNER)));
  }

  /**
   * A second org.created (10:00, naming u9) is a duplicate creation: refused, u9 is no Owner. The
   * earliest is the creation even when its id sorts later, and at one instant the smaller id.
   */
  @Test
  void aSecondOrgCreatedIsADuplicateCreationWhicheverArrivesFirst() {
    Event second = event("e00", "10", "org.created", "u9", MemberRole.OWNER);
    Event tie = event("e02", "09", "org.created", "u8", MemberRole.OWNER);

    assertEquals(Map.of("e00", Refusal.DUPLICATE_CREATION), refusals(second, CREATED));
    assertEquals(
        Map.of("e00", Refusal.DUPLICATE_CREATION, "e02", Refusal.DUPLICATE_CREATION),
        refusals(tie, second, CREATED));
  }

  /**
   * The duplicate creation makes nobody an Owner, so u1's removal at 11:00 still removes the
   * last Owner: refused.
   */
  @Test
  void aDuplicateCreationDoesNotCountAsAnOwnerForTheLastOwnerRule() {
    assertEquals(
        Map.of("e02", Refusal.DUPLICATE_CREATION, "e03", Refusal.LAST_OWNER),
        refusals(
            CREATED,
            event("e02", "10", "org.created", "u9", MemberRole.OWNER),
            event("e03", "11", "org.member_removed", "u1", null)));
  }

  /**
   * u1 gets two events at 10:00: made admin (e02) and removed (e03). Both would take the Owner
   * role from the last Owner: both refused, whichever of them would decide the role.
   */
  @Test
  void everyEventOfTheKeptOwnerAtThatInstantIsRefused() {
    assertEquals(
        Map.of("e02", Refusal.LAST_OWNER, "e03", Refusal.LAST_OWNER),
        refusals(
            CREATED,
            event("e02", "10", "org.member_role_changed", "u1", MemberRole.ADMIN),
            event("e03", "10", "org.member_removed", "u1", null)));
  }

  /**
   * The rule holds from the first Owner on, whatever made them one: u2, made Owner at 08:00 by
   * a membership sent before acme's creation, cannot leave at 08:30 either. Before any Owner
   * (u3, a member from 07:00 to 07:30) there is nobody to keep.
   */
  @Test
  void theRuleHoldsFromTheFirstOwnerOn() {
    assertEquals(
        Map.of("e06", Refusal.LAST_OWNER),
        refusals(
            event("e03", "07", "org.member_added", "u3", MemberRole.MEMBER),
            event("e04", "07:30", "org.member_removed", "u3", null),
            event("e05", "08", "org.member_added", "u2", MemberRole.OWNER),
            event("e06", "08:30", "org.member_removed", "u2", null),
            CREATED));
  }

  /** A refusal is for good: u1, kept at 10:00, is still an Owner beside u2 from 11:00. */
  @Test
  void anOwnerKeptByARefusalIsStillAnOwnerAfterAnotherIsAdded() {
    List<Event> events =
        List.of(
            CREATED,
            event("e02", "10", "org.member_removed", "u1", null),
            event("e03", "11", "org.member_added", "u2", MemberRole.OWNER),
            event("e04", "12", "org.member_removed", "u2", null));

    // u2 leaves at 12:00 while u1 is still an Owner: applies
    assertEquals(Map.of("e02", Refusal.LAST_OWNER), refusals(events.toArray(Event[]::new)));
  }

  @Test
  void anyOrderOfTheSameEventsGivesTheSameRefusals() {
    List<Event> events =
        new ArrayList<>(
            List.of(
                CREATED,
                event("e02", "10", "org.member_added", "u2", MemberRole.OWNER),
                event("e03", "11", "org.member_role_changed", "u1", MemberRole.MEMBER),
                event("e04", "11", "org.member_removed", "u2", null),
                event("e05", "12", "org.created", "u3", MemberRole.OWNER),
                event("e06", "13", "org.member_removed", "u2", null)));
    Map<String, Refusal> expected =
        Map.of(
            "e04", Refusal.LAST_OWNER,
            "e05", Refusal.DUPLICATE_CREATION,
            "e06", Refusal.LAST_OWNER);
    for (long seed = 1; seed <= 20; seed++) {
      Collections.shuffle(events, new Random(seed));
      assertEquals(expected, OwnershipRule.refusals(events), "order of seed " + seed);
    }
  }

  private static Map<String, Refusal> refusals(Event... events) {
    return OwnershipRule.refusals(List.of(events));
  }

  /** An event of acme at {@code hour} ("10" or "08:30") on 2 March 2026. */
  private static Event event(String id, String hour, String type, String user, MemberRole role) {
    String time = hour.contains(":") ? hour : hour + ":00";
    return new Event(id, type, user, role, Instant.parse("2026-03-02T" + time + ":00Z"));
  }
}

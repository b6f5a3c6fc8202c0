package io.streamspace.billing.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.plugin.api.session.AdmissionDecision;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Whether an organization may take one more member, on the default plans' members limits:
 * Hobby ({@code free}, 0.00 USD) hard 5, Pro (29.99) soft 5, Enterprise (99.99) soft 25.
 */
class SeatRulesTest {

  private static final Limit HOBBY = hard(5);
  private static final List<SeatRules.Offer> DEFAULT_PLANS =
      List.of(
          offer("free", "0", HOBBY),
          offer("pro", "29.99", new Limit(new BigDecimal("5"), LimitKind.SOFT)),
          offer("enterprise", "99.99", new Limit(new BigDecimal("25"), LimitKind.SOFT)));

  private static Limit hard(int members) {
    return new Limit(BigDecimal.valueOf(members), LimitKind.HARD);
  }

  private static SeatRules.Offer offer(String id, String price, Limit members) {
    return new SeatRules.Offer(plan(id), new BigDecimal(price), members);
  }

  /** The plan of that id by its name: Hobby for {@code free}, else its id capitalized (Pro). */
  private static NamedPlan plan(String id) {
    return new NamedPlan(id, id.equals("free") ? "Hobby" : named(id));
  }

  private static String named(String id) {
    return Character.toUpperCase(id.charAt(0)) + id.substring(1);
  }

  /** An organization on {@code free} with that many members and Owner's limit (null: none). */
  private static SeatUse team(int members, Integer ownersLimit) {
    return new SeatUse("free", null, null, members, false, ownersLimit);
  }

  private static AdmissionDecision onHobby(SeatUse use) {
    return SeatRules.decide("acme", use, plan("free"), HOBBY, () -> DEFAULT_PLANS);
  }

  @Test
  void aHobbyTeamOfFourTakesAFifth() {
    assertTrue(onHobby(team(4, null)).allowed(), "4 + 1 = 5, not past the hard 5");
  }

  @Test
  void aHobbyTeamOfFiveIsRefusedASixth_namingItsMembersItsLimitAndTheCheapestPlanAllowingIt() {
    AdmissionDecision sixth = onHobby(team(5, null));

    assertFalse(sixth.allowed());
    assertEquals("seat_limit", sixth.code());
    assertEquals(
        "Seat limit reached: acme has 5 members, the hard limit of the Hobby plan is 5."
            + " The Pro plan allows more.",
        sixth.reason());
    assertEquals("pro", sixth.upgrade(), "pro (soft 5) at 29.99 is cheaper than enterprise");
  }

  @Test
  void aUserWhoAlreadyIsAMemberTakesNoNewSeat_evenPastTheLimit() {
    SeatUse full = new SeatUse("free", null, null, 6, true, 3);

    assertTrue(onHobby(full).allowed());
  }

  @Test
  void aSoftMembersLimitNeverRefuses_theSeatsBeyondItAreBilled() {
    AdmissionDecision tenth =
        SeatRules.decide(
            "acme",
            new SeatUse("pro", null, null, 9, false, null),
            plan("pro"),
            DEFAULT_PLANS.get(1).members(),
            () -> DEFAULT_PLANS);

    assertTrue(tenth.allowed());
  }

  @Test
  void theOwnersSeatLimitBelowThePlansRefuses_withoutAnUpgrade() {
    AdmissionDecision fourth = onHobby(team(3, 3));

    assertFalse(fourth.allowed());
    assertEquals("seat_limit", fourth.code());
    assertEquals(
        "Seat limit reached: acme has 3 members, the seat limit its owner set is 3.",
        fourth.reason());
    assertNull(fourth.upgrade(), "no plan lifts the owner's own limit");
    assertTrue(onHobby(team(2, 3)).allowed(), "2 + 1 = 3, the owner's limit");
  }

  @Test
  void theOwnersSeatLimitAboveAHardPlanLimitNeverRaisesIt() {
    AdmissionDecision sixth = onHobby(team(5, 8));

    assertFalse(sixth.allowed());
    assertEquals(
        "Seat limit reached: acme has 5 members, the hard limit of the Hobby plan is 5."
            + " The Pro plan allows more.",
        sixth.reason());
    assertEquals("pro", sixth.upgrade(), "the owner's 8 would take a sixth: pro helps");
  }

  /** 6 members (one added past the limit anyway): the owner's 4 and the plan's 5 both refuse. */
  @Test
  void whenBothLimitsRefuseTheLowerIsNamed_andNoUpgradeIsOffered() {
    AdmissionDecision ownersLower = onHobby(team(6, 4));
    AdmissionDecision plansLower = onHobby(team(6, 6));

    assertEquals(
        "Seat limit reached: acme has 6 members, the seat limit its owner set is 4.",
        ownersLower.reason());
    assertEquals(
        "Seat limit reached: acme has 6 members, the hard limit of the Hobby plan is 5.",
        plansLower.reason());
    assertNull(ownersLower.upgrade());
    assertNull(plansLower.upgrade(), "the owner's 6 refuses a seventh on any plan");
  }

  @Test
  void theUpgradeIsTheCheapestPlanThatWouldTakeOneMore_notTheFirstListedNorTheCurrent() {
    List<SeatRules.Offer> offers =
        List.of(
            offer("enterprise", "99.99", new Limit(null, LimitKind.HARD)),
            offer("team", "49", hard(10)),
            offer("starter", "9", hard(5)),
            offer("free", "0", HOBBY));

    AdmissionDecision sixth =
        SeatRules.decide("acme", team(5, null), plan("free"), HOBBY, () -> offers);

    assertEquals("team", sixth.upgrade(), "starter's hard 5 takes no sixth; team at 49 < 99.99");
  }

  @Test
  void withoutAPlanThatWouldTakeOneMoreTheDenialNamesNone() {
    AdmissionDecision sixth =
        SeatRules.decide(
            "acme", team(5, null), plan("free"), HOBBY, () -> List.of(offer("free", "0", HOBBY)));

    assertEquals(
        "Seat limit reached: acme has 5 members, the hard limit of the Hobby plan is 5.",
        sixth.reason());
    assertNull(sixth.upgrade());
  }

  @Test
  void aPersonalOrganizationsOneMemberIsCounted() {
    AdmissionDecision second =
        SeatRules.decide(
            "alice",
            new SeatUse("free", null, null, 1, false, null),
            plan("free"),
            hard(1),
            () -> List.of(offer("free", "0", hard(1)), offer("pro", "29.99", hard(2))));

    assertEquals(
        "Seat limit reached: alice has 1 member, the hard limit of the Hobby plan is 1."
            + " The Pro plan allows more.",
        second.reason());
  }
}

package io.streamspace.billing.hold;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.admission.Admission;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.support.AnotherNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.billing.support.TestPluginContext;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import io.streamspace.plugin.api.session.SessionControl;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Holds on an account, as one node ({@code here}) places and lifts them, and another node on the
 * same database ({@code there}) sees them. John has two open sessions, s1 and s2.
 */
class AccountHoldsTest {

  private static final String T0 = "2026-03-10T12:00:00Z";
  private static final String UNPAID = "Invoice INV-7 is overdue: pay it to unlock the account.";
  private static final String OVER = "Over the storage limit since March 3: free space or upgrade.";

  private final BillingHarness billing = new BillingHarness(at(T0));
  private final TestPluginContext hereHost = new TestPluginContext(billing.clock);
  private final TestPluginContext thereHost = new TestPluginContext(billing.clock);
  private final AccountHolds here = holdsOn(hereHost);
  private final AccountHolds there = holdsOn(thereHost);

  private AccountHolds holdsOn(TestPluginContext host) {
    return holdsOn(host, host.sessions());
  }

  /** Holds publishing on {@code host} and telling {@code sessions} to suspend and resume. */
  private AccountHolds holdsOn(TestPluginContext host, SessionControl sessions) {
    return new AccountHolds(
        TestDatabase.dataSource(), new BillingEvents(host.events()), sessions, billing.clock);
  }

  /** A host that never answers a resume, nor a suspend when {@code suspendFails}. */
  private SessionControl unreachableHost(boolean suspendFails) {
    return new SessionControl() {
      @Override
      public void suspend(String sessionId, String reason) {
        if (suspendFails) {
          throw new IllegalStateException("the host did not answer");
        }
        hereHost.sessions().suspend(sessionId, reason);
      }

      @Override
      public void resume(String sessionId) {
        throw new IllegalStateException("the host did not answer");
      }
    };
  }

  AccountHoldsTest() {
    billing.created(T0, "s1", "john", size("1", "1", "0"));
    billing.created(T0, "s2", "john", size("1", "1", "0"));
    billing.flush();
  }

  @AfterEach
  void close() {
    billing.close();
  }

  @Test
  void placingAHoldSuspendsTheOpenSessionsAndAnnouncesItOnce() throws SQLException {
    Optional<Hold> placed = here.place("john", HoldReason.NON_PAYMENT, UNPAID);
    Optional<Hold> again = here.place("john", HoldReason.NON_PAYMENT, "again");
    Optional<Hold> onTheOtherNode = there.place("john", HoldReason.NON_PAYMENT, "there");

    assertTrue(placed.isPresent());
    assertEquals(at(T0), placed.get().placedAt());
    assertFalse(again.isPresent(), "already held for that reason");
    assertFalse(onTheOtherNode.isPresent());
    assertEquals(
        List.of("suspend s1: " + UNPAID, "suspend s2: " + UNPAID), hereHost.sessionControls());
    assertEquals(List.of(), thereHost.sessionControls());
    assertEquals(
        List.of(
            "billing.account.locked {\"user_id\":\"john\",\"org_id\":\"john\","
                + "\"reason\":\"non_payment\",\"detail\":\""
                + UNPAID
                + "\",\"placed_at\":\"2026-03-10T12:00:00Z\",\"lifted_at\":null,"
                + "\"lifted_by\":null,\"note\":null,\"sessions\":[\"s1\",\"s2\"]}"),
        hereHost.published());
    assertEquals(List.of(), thereHost.published());
  }

  @Test
  void sessionsResumeOnlyWhenTheLastHoldIsLifted() throws SQLException {
    here.place("john", HoldReason.NON_PAYMENT, UNPAID);
    here.place("john", HoldReason.OVER_LIMIT, OVER);
    billing.clock.set(at("2026-03-11T09:00:00Z"));

    Optional<Hold> overLifted = here.lift("john", HoldReason.OVER_LIMIT, "billing", null);
    List<String> afterFirstLift = hereHost.sessionControls();
    Optional<Hold> unlocked = here.lift("john", HoldReason.NON_PAYMENT, "ada", "paid by wire");
    Optional<Hold> liftedTwice = there.lift("john", HoldReason.NON_PAYMENT, "ada", "again");

    assertTrue(overLifted.isPresent());
    assertEquals(4, afterFirstLift.size(), "still locked: nothing resumed");
    assertEquals(
        List.of("resume s1", "resume s2"),
        hereHost.sessionControls().subList(4, hereHost.sessionControls().size()));
    assertEquals("ada", unlocked.get().liftedBy());
    assertEquals("paid by wire", unlocked.get().liftNote());
    assertEquals(at("2026-03-11T09:00:00Z"), unlocked.get().liftedAt());
    assertFalse(liftedTwice.isPresent());
    assertEquals(
        List.of(
            "billing.account.locked",
            "billing.account.suspended",
            "billing.account.resumed",
            "billing.account.unlocked"),
        hereHost.published().stream().map(e -> e.substring(0, e.indexOf(' '))).toList());
    assertEquals(List.of(), here.active("john"));
  }

  @Test
  void aLiftedHoldStaysInTheHistory_andTheSameReasonCanHoldTheAccountAgain() throws SQLException {
    here.place("john", HoldReason.OVER_LIMIT, OVER);
    here.lift("john", HoldReason.OVER_LIMIT, "billing", null);
    Optional<Hold> again = here.place("john", HoldReason.OVER_LIMIT, OVER);

    assertTrue(again.isPresent());
    assertEquals(
        2L,
        BillingHarness.value("SELECT count(*) FROM billing_account_holds WHERE user_id = 'john'"));
    assertEquals(List.of(again.get()), here.active("john"));
  }

  @Test
  void anotherNodeSeesAHoldAfterItsReload() throws SQLException {
    here.place("john", HoldReason.OVER_LIMIT, OVER);

    Optional<AccountHolds.HeldFor> before = there.heldFor("john");
    there.reload();

    assertFalse(before.isPresent());
    assertEquals(
        Optional.of(new AccountHolds.HeldFor(HoldReason.OVER_LIMIT, OVER)), there.heldFor("john"));
    here.lift("john", HoldReason.OVER_LIMIT, "billing", null);
    there.reload();
    assertFalse(there.heldFor("john").isPresent());
  }

  @Test
  void admissionRefusesAHeldAccount_namingTheHoldToActOnFirst() throws SQLException {
    BillingConfig config = BillingConfig.defaults();
    try (Admission admission =
        new Admission(
            TestDatabase.dataSource(),
            here,
            () -> config,
            billing.clock,
            AnotherNode.liveCosts(TestDatabase.dataSource(), () -> config, billing.clock))) {
      AdmissionRequest request = new AdmissionRequest("john", null, size("0.5", "1", "0"));
      AdmissionDecision free =
          admission.admit(new AdmissionRequest("ann", null, size("0.5", "1", "0")));
      here.place("john", HoldReason.OVER_LIMIT, OVER);
      AdmissionDecision overLimit = admission.admit(request);
      here.place("john", HoldReason.NON_PAYMENT, UNPAID);
      AdmissionDecision locked = admission.admit(request);

      assertTrue(free.allowed());
      assertEquals("account_suspended", overLimit.code());
      assertEquals(OVER, overLimit.reason());
      assertEquals("account_locked", locked.code());
      assertEquals(UNPAID, locked.reason());
    }
  }

  @Test
  void aSessionStartedOnAHeldAccountIsSuspendedAtOnce_andAgainByEnforce() throws SQLException {
    here.place("john", HoldReason.SPENDING_LIMIT, "Spending limit of $50.00 reached.");
    billing.created("2026-03-10T12:05:00Z", "s3", "john", size("1", "1", "0"));
    billing.flush();

    here.sessionStarted("john", "s3");
    here.sessionStarted("ann", "s9");
    int enforced = there.enforce();

    assertEquals(
        "suspend s3: Spending limit of $50.00 reached.", hereHost.sessionControls().get(2));
    assertEquals(3, hereHost.sessionControls().size(), "ann is not held");
    assertEquals(1, enforced);
    assertEquals(
        List.of(
            "suspend s1: Spending limit of $50.00 reached.",
            "suspend s2: Spending limit of $50.00 reached.",
            "suspend s3: Spending limit of $50.00 reached."),
        thereHost.sessionControls());
  }

  @Test
  void sessionsWhoseResumeFailedAfterTheLiftAreResumedByTheNextEnforce_once() throws SQLException {
    AccountHolds flaky = holdsOn(hereHost, unreachableHost(false));
    flaky.place("john", HoldReason.NON_PAYMENT, UNPAID);

    Optional<Hold> lifted = flaky.lift("john", HoldReason.NON_PAYMENT, "ada", "paid by wire");
    there.enforce();
    there.enforce();

    assertTrue(lifted.isPresent(), "the lift is made even though resuming failed");
    assertEquals(
        List.of("billing.account.locked", "billing.account.unlocked"),
        hereHost.published().stream().map(e -> e.substring(0, e.indexOf(' '))).toList());
    assertEquals(List.of("resume s1", "resume s2"), thereHost.sessionControls());
  }

  @Test
  void aHostFailingToSuspendASessionStartedOnAHeldAccountDoesNotFailItsEvent() throws SQLException {
    AccountHolds flaky = holdsOn(hereHost, unreachableHost(true));
    flaky.place("john", HoldReason.OVER_LIMIT, OVER);

    flaky.sessionStarted("john", "s3"); // returns: the session.created is a fact
    there.enforce();

    assertTrue(flaky.heldFor("john").isPresent());
    assertEquals(
        List.of("suspend s1: " + OVER, "suspend s2: " + OVER), thereHost.sessionControls());
  }

  @Test
  void sessionsOfAHoldLiftedJustBeforeACrashAreResumedByTheNextEnforce() throws SQLException {
    here.place("john", HoldReason.NON_PAYMENT, UNPAID);
    // the lift committed, the node died before it told the host to resume
    TestDatabase.execute(
        "UPDATE billing_account_holds SET lifted_at = placed_at, lifted_by = 'billing'");

    int held = there.enforce();
    there.enforce();

    assertEquals(0, held);
    assertEquals(List.of("resume s1", "resume s2"), thereHost.sessionControls());
  }

  @Test
  void enforceResumesNothingWhileAnotherHoldIsOn() throws SQLException {
    here.place("john", HoldReason.NON_PAYMENT, UNPAID);
    here.place("john", HoldReason.OVER_LIMIT, OVER);
    here.lift("john", HoldReason.NON_PAYMENT, "ada", "paid by wire");

    there.enforce();
    here.lift("john", HoldReason.OVER_LIMIT, "billing", null);
    there.enforce();

    assertEquals(
        List.of("suspend s1: " + OVER, "suspend s2: " + OVER),
        thereHost.sessionControls(),
        "suspended again for the hold still on, never resumed by enforce");
    assertEquals(
        List.of(
            "suspend s1: " + UNPAID,
            "suspend s2: " + UNPAID,
            "suspend s1: " + OVER,
            "suspend s2: " + OVER,
            "resume s1",
            "resume s2"),
        hereHost.sessionControls());
  }
}

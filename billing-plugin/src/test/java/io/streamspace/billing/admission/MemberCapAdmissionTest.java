package io.streamspace.billing.admission;

import static io.streamspace.billing.admission.AdmissionTest.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.caps.MemberCap;
import io.streamspace.billing.caps.MemberCapUse;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.support.AnotherNode;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import io.streamspace.testing.MutableClock;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Member caps counted from memory, on the pro plan (sessions unlimited, 8 cores, 16 GB, hard):
 * dan is capped at 1 session and 2 cores inside acme. Only his sessions under acme count.
 */
class MemberCapAdmissionTest {

  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

  private final MutableClock clock = new MutableClock(NOW);
  private final Admission admission =
      new Admission(
          AdmissionTest.emptyDatabase(),
          AdmissionTest.noHolds(null, clock),
          () -> AdmissionTest.config("{\"defaultPlan\": \"pro\"}"),
          clock,
          AnotherNode.liveCosts(
              TestDatabase.dataSource(),
              () -> AdmissionTest.config("{\"defaultPlan\": \"pro\"}"),
              clock));

  private void capDan() {
    admission.capSet(
        new MemberCap(
            "acme",
            "dan",
            Map.of(Meter.ACTIVE_SESSIONS, BigDecimal.ONE, Meter.CPU_CORES, new BigDecimal("2")),
            "carol",
            NOW));
  }

  private void open(String session, String user, String orgId, String cores) {
    admission.sessionSeen(
        new SessionEvent(
            UUID.randomUUID().toString(), NOW, session, user, size(cores, "1", "0"), orgId));
  }

  private AdmissionDecision asks(String user, String orgId, String cores) {
    return admission.admit(new AdmissionRequest(user, null, size(cores, "1", "0"), orgId));
  }

  @Test
  void aCappedMembersSecondSessionUnderTheTeamIsRefused_butNotHisOthersNorHisTeammates() {
    capDan();
    open("s1", "dan", "acme", "0.5");
    open("s2", "dan", null, "0.5"); // his personal organization's
    open("s3", "dan", "globex", "0.5"); // another team's

    AdmissionDecision second = asks("dan", "acme", "0.5");

    assertEquals("member_cap", second.code());
    assertEquals(
        "Active sessions cap reached: 1 sessions in use by dan under acme plus 1 for this session"
            + " would pass the cap of 1 sessions set for dan inside acme.",
        second.reason(),
        "s2 and s3 are not counted");
    assertTrue(asks("dan", null, "0.5").allowed(), "his own organization: no cap");
    assertTrue(asks("dan", "globex", "0.5").allowed(), "another team: no cap");
    assertTrue(asks("erin", "acme", "0.5").allowed(), "a teammate without a cap");
  }

  @Test
  void theSessionAskedAboutIsNotCountedTwice_andAnEndedOneFreesTheCap() {
    capDan();
    open("s1", "dan", "acme", "0.5");

    assertTrue(
        admission.admit(new AdmissionRequest("dan", "s1", size("0.5", "1", "0"), "acme")).allowed(),
        "asked again for s1: 0 others + 1 = 1");
    admission.sessionTerminated(
        new SessionEvent(UUID.randomUUID().toString(), NOW, "s1", "dan", null, "acme"));

    assertTrue(asks("dan", "acme", "0.5").allowed());
  }

  @Test
  void aCoreCapCountsTheSizesOfHisOpenSessions() {
    admission.capSet(
        new MemberCap("acme", "dan", Map.of(Meter.CPU_CORES, new BigDecimal("2")), "carol", NOW));
    open("s1", "dan", "acme", "1.5");

    // 1.5 + 0.5 = 2: at the cap; 1.5 + 1 = 2.5 past it
    assertTrue(asks("dan", "acme", "0.5").allowed());
    assertEquals("member_cap", asks("dan", "acme", "1").code());
  }

  @Test
  void theOrganizationsOwnLimitsAreCheckedFirst() {
    capDan();
    open("s1", "dan", "acme", "0.5");

    // 8.5 cores asked: past pro's hard 8 for acme, and past dan's 2
    assertEquals("cpu_cores_limit", asks("dan", "acme", "8.5").code());
  }

  @Test
  void aRemovedCapNoLongerRefuses() {
    capDan();
    open("s1", "dan", "acme", "0.5");

    admission.capRemoved("acme", "dan");

    assertTrue(asks("dan", "acme", "0.5").allowed());
  }

  @Test
  void theCapsUseIsWhatAdmissionCounts() {
    capDan();
    open("s1", "dan", "acme", "1.5");
    open("s2", "dan", null, "4");

    Optional<MemberCapUse> use = admission.capUse("acme", "dan");

    assertEquals(
        Optional.of(
            new MemberCapUse(
                "dan",
                List.of(
                    new MemberCapUse.Capped(Meter.ACTIVE_SESSIONS, BigDecimal.ONE, BigDecimal.ONE),
                    new MemberCapUse.Capped(
                        Meter.CPU_CORES, new BigDecimal("2"), new BigDecimal("1.5"))))),
        use);
    assertEquals(Optional.empty(), admission.capUse("acme", "erin"));
  }
}

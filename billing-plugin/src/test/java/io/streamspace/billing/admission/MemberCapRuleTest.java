package io.streamspace.billing.admission;

import static io.streamspace.billing.admission.AdmissionTest.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.catalog.Meter;
import io.streamspace.plugin.api.session.AdmissionDecision;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The member cap rule on hand-worked figures: dan, a member of acme, capped there. */
class MemberCapRuleTest {

  private static MemberUse dan(Map<Meter, BigDecimal> cap, String cores, String memory, int open) {
    return new MemberUse(cap, new BigDecimal(cores), new BigDecimal(memory), open);
  }

  private static AdmissionDecision asks(MemberUse use, String cores, String memory) {
    return MemberCapRule.decide(use, size(cores, memory, "0"), "dan", "acme");
  }

  @Test
  void aSessionThatWouldTakeTheMemberPastTheirSessionCapIsRefused_namingMeterUseAndCap() {
    // 1 open + 1 asked = 2 > cap 1
    AdmissionDecision second =
        asks(dan(Map.of(Meter.ACTIVE_SESSIONS, BigDecimal.ONE), "0.5", "1", 1), "0.5", "1");

    assertFalse(second.allowed());
    assertEquals("member_cap", second.code());
    assertEquals(
        "Active sessions cap reached: 1 sessions in use by dan under acme plus 1 for this session"
            + " would pass the cap of 1 sessions set for dan inside acme.",
        second.reason());
  }

  @Test
  void reachingTheCapExactlyIsAllowed_passingItIsNot() {
    Map<Meter, BigDecimal> fourCores = Map.of(Meter.CPU_CORES, new BigDecimal("4"));

    // 2.5 + 1.5 = 4, not past 4
    assertTrue(asks(dan(fourCores, "2.5", "3", 2), "1.5", "1").allowed());
    // 2.5 + 2 = 4.5 > 4
    AdmissionDecision past = asks(dan(fourCores, "2.5", "3", 2), "2", "1");
    assertEquals("member_cap", past.code());
    assertEquals(
        "CPU cap reached: 2.5 cores in use by dan under acme plus 2 for this session would pass"
            + " the cap of 4 cores set for dan inside acme.",
        past.reason());
  }

  @Test
  void aCapOfZeroRefusesAnySessionNeedingThatMeter_andUncappedMetersNeverRefuse() {
    // memory capped at 0 GB; sessions and cores uncapped: 40 sessions and 64 cores are fine
    MemberUse noMemory = dan(Map.of(Meter.MEMORY_GB, BigDecimal.ZERO), "64", "0", 40);

    assertTrue(asks(noMemory, "8", "0").allowed(), "0 + 0 GB is not past 0");
    AdmissionDecision refused = asks(noMemory, "1", "0.5");
    assertEquals(
        "Memory cap reached: 0 GB in use by dan under acme plus 0.5 for this session would pass"
            + " the cap of 0 GB set for dan inside acme.",
        refused.reason());
  }

  @Test
  void theFirstCappedMeterPassedIsNamed_sessionsBeforeCoresBeforeMemory() {
    Map<Meter, BigDecimal> all =
        Map.of(
            Meter.MEMORY_GB, new BigDecimal("2"),
            Meter.CPU_CORES, new BigDecimal("1"),
            Meter.ACTIVE_SESSIONS, new BigDecimal("1"));

    // each passed: 1 + 1 > 1 sessions, 1 + 1 > 1 core, 2 + 2 > 2 GB
    assertTrue(asks(dan(all, "1", "2", 1), "1", "2").reason().startsWith("Active sessions cap"));
    // sessions within (0 + 1 = 1): cores named
    assertTrue(asks(dan(all, "1", "2", 0), "1", "2").reason().startsWith("CPU cap"));
  }

  @Test
  void aMemberWithoutACapIsAllowed() {
    assertTrue(asks(null, "100", "100").allowed());
  }
}

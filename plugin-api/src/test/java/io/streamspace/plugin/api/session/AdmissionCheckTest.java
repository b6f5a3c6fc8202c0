package io.streamspace.plugin.api.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.plugin.api.event.OrganizationEvent.Role;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The 0.3 and 0.4 additions to admission keep an older plugin's answers as they were. */
class AdmissionCheckTest {

  /** A plugin written against 0.1: it decides sessions only. */
  private static final AdmissionCheck SESSIONS_ONLY =
      request -> AdmissionDecision.deny("quota_exceeded", "over");

  @Test
  void aPluginThatDecidesSessionsOnlyAllowsEveryMember() {
    AdmissionDecision decision =
        SESSIONS_ONLY.admitMember(new MemberAdmissionRequest("acme", "u9", Role.MEMBER));

    assertTrue(decision.allowed());
    assertNull(decision.code());
  }

  @Test
  void aDenialMadeAsBefore03NamesNoUpgrade_andOneMadeWithItDoes() {
    AdmissionDecision before = new AdmissionDecision(false, "seat_limit", "full");
    AdmissionDecision with = AdmissionDecision.deny("seat_limit", "full", "pro");

    assertNull(before.upgrade());
    assertNull(AdmissionDecision.deny("seat_limit", "full").upgrade());
    assertEquals("pro", with.upgrade());
    assertEquals("seat_limit", with.code());
  }

  @Test
  void aDenialMadeWithoutAPackNamesNone_andOneMadeWithItDoes() {
    AdmissionDecision withUpgrade = new AdmissionDecision(false, "storage_gb_limit", "full", "pro");
    AdmissionDecision withPack =
        AdmissionDecision.deny("storage_gb_limit", "full", "pro", "storage-10");

    assertNull(withUpgrade.pack());
    assertNull(AdmissionDecision.deny("seat_limit", "full", "pro").pack());
    assertEquals("storage-10", withPack.pack());
    assertEquals("pro", withPack.upgrade());
  }

  @Test
  void aDenialMadeAsBefore04SuggestsNoTopUp_andOneMadeWithItDoes() {
    TopUp start = new TopUp(new BigDecimal("0.03"), "USD", 15);
    AdmissionDecision denied =
        AdmissionDecision.deny("insufficient_balance", "short").withTopUp(List.of(start));

    assertEquals(List.of(), AdmissionDecision.deny("seat_limit", "full", "pro", null).topUp());
    assertEquals(List.of(), new AdmissionDecision(false, "x", "y", null, null, null).topUp());
    assertEquals(List.of(start), denied.topUp());
    assertEquals("insufficient_balance", denied.code());
    assertThrows(
        IllegalArgumentException.class, () -> new TopUp(BigDecimal.ZERO, "USD", 15), "positive");
  }

  @Test
  void aMemberAdmissionNamesItsOrganization_theUserAndRoleMayBeUnsaid() {
    MemberAdmissionRequest unsaid = new MemberAdmissionRequest("acme", null, null);

    assertEquals("acme", unsaid.orgId());
    assertThrows(NullPointerException.class, () -> new MemberAdmissionRequest(null, "u9", null));
  }
}

package io.streamspace.billing.packs;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.admission.Admission;
import io.streamspace.billing.support.AnotherNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An account's limits are its plan's plus its active packs'. John is on the free plan (2 active
 * sessions, hard; 2 GB storage, hard) with 2 sessions open since March 10 12:00 (alive while
 * their heartbeats go on); a 5-slot pack bought at 12:05 is valid 30 days, until April 9 12:05.
 */
class PackLimitsTest {

  private static final String BOUGHT = "2026-03-10T12:05:00Z";
  private static final String EXPIRES = "2026-04-09T12:05:00Z";

  private final BillingHarness billing =
      new BillingHarness(
          at("2026-03-10T12:00:00Z"), "{\"autoSuspendOnOverage\": true, \"gracePeriodDays\": 1}");

  @AfterEach
  void unload() {
    billing.close();
  }

  private void twoOfTwoSessions() {
    billing.userCreated("john", Map.of());
    billing.created("2026-03-10T12:00:00Z", "s1", "john", size("0.5", "1", "0"));
    billing.created("2026-03-10T12:00:00Z", "s2", "john", size("0.5", "1", "0"));
    billing.flush();
  }

  private void alive(String at) {
    billing.heartbeat(at, "s1", "john", size("0.5", "1", "0"));
    billing.heartbeat(at, "s2", "john", size("0.5", "1", "0"));
    billing.flush();
  }

  private AdmissionDecision aThird() {
    return billing.billing.admit(new AdmissionRequest("john", null, size("0.5", "1", "0")));
  }

  private Answer post(String path) {
    return billing.call(HttpMethod.POST, path, user("john"), "{}");
  }

  private String activeSessionsLimit() {
    return billing.call(HttpMethod.GET, "/quota", user("john")).body().at("/meters/2").toString();
  }

  @Test
  void aSlotPackAdmitsAThirdSessionAtOnce_itsExpiryRefusesItAgain_aRenewalRestoresIt() {
    twoOfTwoSessions();
    billing.clock.set(at(BOUGHT));
    AdmissionDecision before = aThird();
    long id = post("/packs/slots-5/purchase").body().get("id").asLong();
    AdmissionDecision bought = aThird();
    String quotaWithPack = activeSessionsLimit();
    alive("2026-04-09T12:04:00Z");
    billing.clock.set(at("2026-04-09T12:04:59Z"));
    AdmissionDecision aSecondBeforeExpiry = aThird();
    billing.clock.set(at(EXPIRES));
    AdmissionDecision expired = aThird();
    String quotaExpired = activeSessionsLimit();
    billing.clock.set(at("2026-04-09T12:06:00Z"));
    Answer renewed = post("/purchases/" + id + "/renew");
    AdmissionDecision afterRenewal = aThird();

    assertEquals("active_sessions_limit", before.code());
    assertTrue(bought.allowed(), "the purchase acts on this node at once, with no reload");
    assertTrue(quotaWithPack.contains("\"used\":2,\"limit\":7,"), quotaWithPack);
    assertTrue(aSecondBeforeExpiry.allowed());
    assertEquals("active_sessions_limit", expired.code(), "the expiry acts at its instant");
    assertTrue(quotaExpired.contains("\"used\":2,\"limit\":2,"), quotaExpired);
    assertEquals(200, renewed.status());
    assertTrue(afterRenewal.allowed());
  }

  @Test
  void anotherNodeSeesAPurchaseAtItsReload_andTheExpiryAtItsInstantFromMemory()
      throws SQLException {
    twoOfTwoSessions();
    AdmissionRequest third = new AdmissionRequest("john", null, size("0.5", "1", "0"));
    try (Admission there = AnotherNode.admission(billing.clock)) {
      billing.clock.set(at(BOUGHT));
      there.refresh();
      post("/packs/slots-5/purchase");
      AdmissionDecision beforeReload = there.admit(third);
      there.refresh();
      AdmissionDecision afterReload = there.admit(third);
      billing.clock.set(at(EXPIRES));
      AdmissionDecision expired = there.admit(third);

      assertEquals("active_sessions_limit", beforeReload.code());
      assertTrue(afterReload.allowed());
      assertEquals("active_sessions_limit", expired.code());
    }
  }

  @Test
  void aStoragePackTakesASuspendedAccountBackWithinItsLimits_andResumesIt() {
    billing.userCreated("john", Map.of());
    billing.created("2026-03-10T12:00:00Z", "s1", "john", size("1", "1", "5"));
    billing.runAt("check-quotas", "2026-03-10T12:05:00Z");
    billing.runAt("check-quotas", "2026-03-11T12:05:00Z");
    List<String> suspended = billing.context.sessionControls().stream().distinct().toList();

    billing.clock.set(at("2026-03-11T13:00:00Z"));
    Answer bought = post("/packs/storage-10/purchase");
    billing.runAt("check-quotas", "2026-03-11T13:05:00Z");
    String storage =
        billing.call(HttpMethod.GET, "/quota", user("john")).body().at("/meters/3").toString();

    assertEquals(1, suspended.size(), suspended.toString());
    assertEquals(201, bought.status());
    assertTrue(billing.context.sessionControls().contains("resume s1"));
    assertTrue(
        billing.context.published().stream()
            .anyMatch(e -> e.startsWith("billing.account.resumed")));
    assertTrue(storage.contains("\"used\":5,\"limit\":12,"), storage);
    assertTrue(storage.contains("\"state\":\"ok\""), storage);
  }

  @Test
  void aCancelledStoragePackStopsAddingAtOnce_onTheNodeThatCancelledIt() {
    billing.userCreated("john", Map.of());
    billing.created("2026-03-10T12:00:00Z", "s1", "john", size("0.5", "1", "5"));
    billing.flush();
    billing.clock.set(at(BOUGHT));
    AdmissionDecision over = aThird();
    long id = post("/packs/storage-10/purchase").body().get("id").asLong();
    AdmissionDecision raised = aThird();
    billing.clock.set(at("2026-03-10T12:06:00Z"));
    Answer cancelled = post("/purchases/" + id + "/cancel");
    AdmissionDecision afterCancel = aThird();

    assertEquals("storage_gb_limit", over.code());
    assertTrue(raised.allowed(), "5 GB within 2 + 10");
    assertEquals(200, cancelled.status());
    assertEquals("storage_gb_limit", afterCancel.code());
  }

  /** A refusal at a limit a pack raised says the packs are counted, and only then. */
  @Test
  void aRefusalAtALimitPacksRaisedSaysThePacksAreCounted() {
    billing.userCreated("john", Map.of());
    billing.flush();
    billing.clock.set(at(BOUGHT));
    assertEquals(201, post("/packs/slots-5/purchase").status());
    for (int i = 1; i <= 7; i++) {
      billing.created(BOUGHT, "s" + i, "john", size("0.1", "0.1", "0"));
    }
    AdmissionRequest eighth = new AdmissionRequest("john", null, size("0.1", "0.1", "0"));
    AdmissionDecision atTheRaisedLimit = billing.billing.admit(eighth);
    // a minute later: of levels reported at one instant the greater event id's holds, and the
    // sessions' ids are random
    billing.clock.set(at("2026-03-10T12:06:00Z"));
    billing.terminated("2026-03-10T12:06:00Z", "s7", "john", size("0.1", "0.1", "5"));
    AdmissionDecision overStorage = billing.billing.admit(eighth);

    assertEquals(
        "Active sessions limit reached: 7 sessions in use plus 1 for this session would pass the"
            + " hard limit of 7 sessions of the Hobby plan with its packs. The Pro plan would allow"
            + " it, as would the 5 job slots pack.",
        atTheRaisedLimit.reason());
    assertEquals(
        "Storage limit exceeded: 5 GB stored is over the hard limit of 2 GB of the Hobby plan."
            + " The Pro plan would allow it, as would the 10 GB storage pack.",
        overStorage.reason(),
        "the slot pack adds no storage");
  }
}

package io.streamspace.billing.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.config.ConfigParseResult;
import io.streamspace.billing.config.CronValidator;
import io.streamspace.billing.db.BillingMigrations;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.support.AnotherNode;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.billing.support.TestPluginContext;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import io.streamspace.testing.MutableClock;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The decision from memory, on the default plans (usage mode: the free plan allows 2 cores, 4 GB
 * of memory, 2 GB of storage and 2 active sessions, all hard).
 */
class AdmissionTest {

  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

  private final AtomicReference<BillingConfig> config = new AtomicReference<>(config("{}"));
  private final MutableClock clock = new MutableClock(NOW);
  private final DataSource database = emptyDatabase();
  private final Admission admission =
      new Admission(
          database,
          noHolds(null, clock),
          config::get,
          clock,
          AnotherNode.liveCosts(database, config::get, clock));

  /**
   * The database admission reads an account from before it first decides on it (the view holds
   * only the accounts in use): migrated and empty, so each account here is only what the events
   * handed to admission make it.
   */
  static DataSource emptyDatabase() {
    DataSource dataSource = TestDatabase.dataSource();
    BillingMigrations.migrate(dataSource);
    TestDatabase.clean();
    return dataSource;
  }

  /** Holds no test here places: their events and session controls go nowhere. */
  static AccountHolds noHolds(DataSource dataSource, MutableClock clock) {
    TestPluginContext host = new TestPluginContext(clock);
    return new AccountHolds(dataSource, new BillingEvents(host.events()), host.sessions(), clock);
  }

  static BillingConfig config(String json) {
    ConfigParseResult parsed = new BillingConfigParser(CronValidator.fiveFields()).parse(json);
    assertTrue(parsed.isValid(), parsed.problems().toString());
    return parsed.config();
  }

  static ResourceSize size(String cores, String memoryGb, String storageGb) {
    return new ResourceSize(
        new BigDecimal(cores), new BigDecimal(memoryGb), new BigDecimal(storageGb));
  }

  private static SessionEvent event(String session, ResourceSize size) {
    return event(session, size, NOW);
  }

  private static SessionEvent event(String session, ResourceSize size, Instant at) {
    return new SessionEvent(UUID.randomUUID().toString(), at, session, "alice", size);
  }

  private AdmissionDecision ask(String cores, String memoryGb) {
    return admission.admit(new AdmissionRequest("alice", null, size(cores, memoryGb, "0")));
  }

  private void open(String session, String cores, String memoryGb) {
    admission.sessionSeen(event(session, size(cores, memoryGb, "0")));
  }

  @Test
  void aThirdSessionOfTheFreePlanIsRefused_namingTheMeterUsedAndLimit() {
    open("s1", "0.5", "1");
    open("s2", "0.5", "1");

    AdmissionDecision third = ask("0.5", "1");

    assertEquals(false, third.allowed());
    assertEquals("active_sessions_limit", third.code());
    assertEquals(
        "Active sessions limit reached: 2 sessions in use plus 1 for this session would pass the"
            + " hard limit of 2 sessions of the Hobby plan. The Pro plan would allow it, as would"
            + " the 5 job slots pack.",
        third.reason());
    assertEquals("pro", third.upgrade(), "pro has no job slot limit");
    assertEquals("slots-5", third.pack(), "the cheapest pack adding slots");
  }

  @Test
  void aSessionIsAllowedAgainOnceOneEnds() {
    open("s1", "0.5", "1");
    open("s2", "0.5", "1");

    admission.sessionTerminated(event("s1", null));

    assertTrue(ask("0.5", "1").allowed());
  }

  @Test
  void coresPastTheHardLimitAreRefused_atTheLimitAllowed() {
    open("s1", "1.5", "1");

    AdmissionDecision over = ask("1", "1");
    assertEquals("cpu_cores_limit", over.code());
    assertEquals(
        "CPU limit reached: 1.5 cores in use plus 1 for this session would pass the hard limit of"
            + " 2 cores of the Hobby plan. The Pro plan would allow it.",
        over.reason());
    assertTrue(ask("0.5", "1").allowed());
  }

  @Test
  void memoryPastTheHardLimitIsRefused() {
    open("s1", "0.5", "3");

    AdmissionDecision over = ask("0.5", "1.5");

    assertEquals("memory_gb_limit", over.code());
    assertTrue(over.reason().contains("3 GB in use plus 1.5"), over.reason());
    assertTrue(ask("0.5", "1").allowed());
  }

  @Test
  void storageAlreadyOverTheHardLimitRefusesAnySession() {
    admission.sessionTerminated(event("s1", size("0", "0", "2.5")));

    AdmissionDecision refused = ask("0.5", "1");

    assertEquals("storage_gb_limit", refused.code());
    assertEquals(
        "Storage limit exceeded: 2.5 GB stored is over the hard limit of 2 GB of the Hobby plan."
            + " The Pro plan would allow it, as would the 10 GB storage pack.",
        refused.reason());
  }

  @Test
  void storageAtTheLimitAllows() {
    admission.sessionTerminated(event("s1", size("0", "0", "2")));

    assertTrue(ask("0.5", "1").allowed());
  }

  @Test
  void aSessionAskingForMoreStorageThanTheHardLimitIsRefused_namingTheDefaultPlanAndPack() {
    // nothing stored; 3 GB asked > free's 2 GB hard: pro (100 GB, 29.99 USD), storage-10 (2 + 10)
    AdmissionDecision refused =
        admission.admit(new AdmissionRequest("alice", null, size("0.5", "1", "3")));

    assertEquals("storage_gb_limit", refused.code());
    assertEquals("pro", refused.upgrade());
    assertEquals("storage-10", refused.pack());
    assertTrue(refused.reason().startsWith("Storage limit reached: this session asks for 3 GB"));
  }

  @Test
  void aSessionAskingForTheStorageLevelAlreadyHeldIsAllowed() {
    admission.sessionTerminated(event("s1", size("0", "0", "2")));

    assertTrue(
        admission.admit(new AdmissionRequest("alice", null, size("0.5", "1", "2"))).allowed(),
        "2 GB held, 2 GB asked: the level stays 2 GB, at the limit");
  }

  @Test
  void softLimitsAllow() {
    config.set(
        config(
            """
            {"billingMode": "hybrid", "subscriptionPlans": [{"id": "free", "name": "Free",
              "price": 0, "interval": "month", "cpu_limit": 2, "memory_limit": 4,
              "limits": {"active_sessions": {"limit": 2, "kind": "soft"}}}]}"""));
    open("s1", "2", "4");
    open("s2", "0", "0");

    assertTrue(ask("1", "1").allowed());
  }

  @Test
  void unlimitedMetersAllow() {
    config.set(config("{\"defaultPlan\": \"pro\"}")); // pro limits cores, not sessions
    for (int i = 0; i < 5; i++) {
      open("s" + i, "0.5", "1");
    }

    assertTrue(ask("0.5", "1").allowed());
  }

  @Test
  void aChangedLimitAppliesToTheNextDecision() {
    open("s1", "0.5", "1");
    open("s2", "0.5", "1");
    config.set(
        config(
            """
            {"subscriptionPlans": [{"id": "free", "name": "Free", "price": 0,
              "interval": "month", "limits": {"active_sessions": {"limit": 3}}}]}"""));

    assertTrue(ask("0.5", "1").allowed());
  }

  @Test
  void aSessionCreatedDespiteARefusalIsCounted() {
    open("s1", "0.5", "1");
    open("s2", "0.5", "1");
    assertEquals(false, ask("0.5", "1").allowed());

    open("s3", "0.5", "1"); // the platform started it anyway
    admission.sessionTerminated(event("s1", null));

    assertEquals("active_sessions_limit", ask("0.5", "1").code());
  }

  /** alice's session of team acme: its session.created names acme, its heartbeats nothing. */
  private static SessionEvent teamEvent(String session, String orgId) {
    return new SessionEvent(
        UUID.randomUUID().toString(), NOW, session, "alice", size("0.5", "1", "0"), orgId);
  }

  private AdmissionDecision askUnder(String orgId) {
    return admission.admit(new AdmissionRequest("alice", null, size("0.5", "1", "0"), orgId));
  }

  @Test
  void heartbeatsWithoutOrgIdOfTeamSessionsCountUnderTheTeam_notTheUsersPersonalOrganization() {
    admission.sessionCreated(teamEvent("s1", "acme"));
    admission.sessionCreated(teamEvent("s2", "acme"));
    admission.sessionSeen(teamEvent("s1", null));
    admission.sessionSeen(teamEvent("s2", null));

    // the free plan allows 2 sessions: acme has 2, alice's own none
    assertTrue(ask("0.5", "1").allowed(), "alice's personal organization runs nothing");
    assertEquals("active_sessions_limit", askUnder("acme").code());
  }

  @Test
  void aHeartbeatWithoutOrgIdBeforeItsSessionCreatedCountsUnderTheTeamOnceThatArrives() {
    admission.sessionSeen(teamEvent("s1", null));
    admission.sessionSeen(teamEvent("s2", null));
    assertEquals("active_sessions_limit", ask("0.5", "1").code(), "alice's, until known");

    admission.sessionCreated(teamEvent("s1", "acme"));
    admission.sessionCreated(teamEvent("s2", "acme"));
    admission.sessionTerminated(teamEvent("s1", null));

    assertTrue(ask("0.5", "1").allowed(), "moved to acme");
    assertTrue(askUnder("acme").allowed(), "s1 ended under acme: 1 of 2 in use");
    admission.sessionCreated(teamEvent("s3", "acme"));
    assertEquals("active_sessions_limit", askUnder("acme").code());
  }

  @Test
  void aHeartbeatDeliveredAfterTheEndDoesNotReopenTheSession() {
    open("s1", "0.5", "1");
    open("s2", "0.5", "1");
    admission.sessionTerminated(event("s1", null));

    admission.sessionSeen(event("s1", null));

    assertTrue(ask("0.5", "1").allowed());
  }

  @Test
  void aHeartbeatWithoutASizeKeepsTheSessionsSize() {
    open("s1", "1.5", "1");

    admission.sessionSeen(event("s1", null));

    assertEquals("cpu_cores_limit", ask("1", "1").code());
  }

  @Test
  void aSizeReportedEarlierButDeliveredLaterDoesNotReplaceTheLaterSize() {
    open("s1", "0.5", "1");
    admission.sessionSeen(event("s1", size("1.5", "1", "0"), NOW.plusSeconds(60)));

    admission.sessionSeen(event("s1", size("0.5", "1", "0"), NOW.plusSeconds(30)));

    assertEquals("cpu_cores_limit", ask("1", "1").code());
  }

  @Test
  void aStorageLevelReportedEarlierButDeliveredLaterDoesNotReplaceTheLaterLevel() {
    admission.sessionTerminated(event("s1", size("0", "0", "2.5"), NOW.plusSeconds(60)));

    admission.sessionSeen(event("s2", size("0", "0", "1"), NOW.plusSeconds(30)));

    assertEquals("storage_gb_limit", ask("0.5", "1").code());
  }

  /** At one instant s1 reports 2.5 GB (event e-2) and s2 1 GB (e-1): e-2's holds, over 2 GB. */
  @Test
  void twoStorageLevelsAtOneInstantKeepTheGreaterEventIdsInEitherOrder() {
    for (boolean s1First : List.of(true, false)) {
      Admission fresh =
          new Admission(
              database,
              noHolds(null, clock),
              config::get,
              clock,
              AnotherNode.liveCosts(database, config::get, clock));
      SessionEvent over = new SessionEvent("e-2", NOW, "s1", "alice", size("0", "0", "2.5"));
      SessionEvent under = new SessionEvent("e-1", NOW, "s2", "alice", size("0", "0", "1"));
      for (SessionEvent event : s1First ? List.of(over, under) : List.of(under, over)) {
        fresh.sessionTerminated(event);
      }

      AdmissionDecision decision =
          fresh.admit(new AdmissionRequest("alice", null, size("0.5", "1", "0")));

      assertEquals("storage_gb_limit", decision.code(), "s1 first: " + s1First);
    }
  }

  @Test
  void aSessionAskingAgainIsNotCountedTwice() {
    open("s1", "0.5", "1");
    open("s2", "0.5", "1");

    AdmissionDecision again =
        admission.admit(new AdmissionRequest("alice", "s2", size("0.5", "1", "0")));

    assertTrue(again.allowed());
  }

  @Test
  void aDisabledPluginAllowsEverything() {
    config.set(config("{\"enabled\": false}"));
    open("s1", "0.5", "1");
    open("s2", "0.5", "1");

    assertTrue(ask("0.5", "1").allowed());
  }

  @Test
  void anotherAccountsSessionsDoNotCount() {
    open("s1", "0.5", "1");
    open("s2", "0.5", "1");

    assertTrue(admission.admit(new AdmissionRequest("bob", null, size("0.5", "1", "0"))).allowed());
  }
}

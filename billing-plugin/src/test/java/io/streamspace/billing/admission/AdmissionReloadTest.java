package io.streamspace.billing.admission;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.support.AnotherNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.OrganizationEvent.Organization;
import io.streamspace.plugin.api.event.OrganizationEvent.Type;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import io.streamspace.testing.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The view reloaded from the database: what one node's plugin stored is counted by another
 * node's admission (here {@code other}, on the same database) after its next reload.
 */
class AdmissionReloadTest {

  private static final String T0 = "2026-03-10T12:00:00Z";

  private final BillingHarness billing = new BillingHarness(at(T0));
  private final BillingConfig defaults = AdmissionTest.config("{}");
  private final MutableClock otherClock = new MutableClock(at(T0));
  private final Admission other =
      new Admission(
          TestDatabase.dataSource(),
          AdmissionTest.noHolds(TestDatabase.dataSource(), otherClock),
          () -> defaults,
          otherClock,
          AnotherNode.liveCosts(TestDatabase.dataSource(), () -> defaults, otherClock));

  @AfterEach
  void close() {
    billing.close();
  }

  private AdmissionDecision otherAsks(String user) throws SQLException {
    other.refresh();
    return other.admit(new AdmissionRequest(user, null, size("0.5", "1", "0")));
  }

  @Test
  void theBillingPluginRefusesFromTheSessionEventsItIsHanded() {
    billing.created(T0, "s1", "alice", size("0.5", "1", "0"));
    billing.created(T0, "s2", "alice", size("0.5", "1", "0"));

    AdmissionDecision third =
        billing.billing.admit(new AdmissionRequest("alice", null, size("0.5", "1", "0")));

    assertEquals("active_sessions_limit", third.code());
  }

  @Test
  void sessionsAnotherNodeStoredAreCountedAfterAReload_andDropOutOnceEnded() throws Exception {
    billing.created(T0, "s1", "alice", size("0.5", "1", "0"));
    billing.created(T0, "s2", "alice", size("0.5", "1", "0"));
    billing.flush();

    assertEquals("active_sessions_limit", otherAsks("alice").code());

    billing.terminated("2026-03-10T12:05:00Z", "s1", "alice");
    billing.flush();

    assertTrue(otherAsks("alice").allowed());
  }

  @Test
  void storedSessionsCountAgainstTheOrganizationTheyRunUnder_notTheirMembersOwnAccounts()
      throws Exception {
    for (String[] member : new String[][] {{"s1", "u1"}, {"s2", "u2"}}) {
      billing.billing.onSessionCreated(
          billing.context,
          new SessionEvent(
              "e-" + member[0], at(T0), member[0], member[1], size("0.5", "1", "0"), "acme"));
    }
    billing.flush();
    other.refresh();

    // the free plan allows 2 active sessions: acme has u1's and u2's, u1 none of their own
    assertEquals(
        "active_sessions_limit",
        other.admit(new AdmissionRequest("u3", null, size("0.5", "1", "0"), "acme")).code());
    assertTrue(other.admit(new AdmissionRequest("u1", null, size("0.5", "1", "0"))).allowed());
  }

  @Test
  void theLastReportedSizeOfAStoredSessionIsCounted() throws Exception {
    billing.created(T0, "s1", "alice", size("0.5", "1", "0"));
    billing.heartbeat("2026-03-10T12:01:00Z", "s1", "alice", size("1.75", "1", "0"));
    billing.flush();

    assertEquals("cpu_cores_limit", otherAsks("alice").code());
  }

  @Test
  void theStoredStorageLevelIsCounted() throws Exception {
    billing.created(T0, "s1", "alice", size("0.5", "1", "2.5"));
    billing.terminated("2026-03-10T12:01:00Z", "s1", "alice");
    billing.flush();

    assertEquals("storage_gb_limit", otherAsks("alice").code());
  }

  @Test
  void theAccountsPlanIsItsSubscriptions() throws Exception {
    billing.userCreated("alice", Map.of("plan", "pro")); // pro: sessions unlimited
    for (int i = 0; i < 3; i++) {
      billing.created(T0, "s" + i, "alice", size("0.5", "1", "0"));
    }
    billing.flush();

    assertTrue(otherAsks("alice").allowed());
  }

  @Test
  void sessionsClosedAtTheirHeartbeatTimeoutDropOut() throws Exception {
    billing.created(T0, "s1", "alice", size("0.5", "1", "0"));
    billing.created(T0, "s2", "alice", size("0.5", "1", "0"));
    billing.calculateUsageAt("2026-03-10T13:00:00Z"); // the timeout is 10 minutes

    assertTrue(otherAsks("alice").allowed());
  }

  @Test
  void sessionsWhoseHeartbeatsStoppedForTheTimeoutDropOutBeforeCalculateUsageEndsThem()
      throws Exception {
    billing.created(T0, "s1", "alice", size("0.5", "1", "0"));
    billing.created(T0, "s2", "alice", size("0.5", "1", "0"));
    billing.heartbeat("2026-03-10T12:09:00Z", "s2", "alice", null);
    billing.flush();
    otherClock.set(at("2026-03-10T12:10:01Z")); // the timeout is 10 minutes: s1 timed out

    assertTrue(otherAsks("alice").allowed());
  }

  @Test
  void whatThisNodeSawWinsOverTheDatabaseUntilTheDatabaseHasHadTimeToStoreIt() throws Exception {
    other.sessionSeen(new SessionEvent("e1", at(T0), "s1", "alice", size("0.5", "1", "0")));
    other.sessionSeen(new SessionEvent("e2", at(T0), "s2", "alice", size("0.5", "1", "0")));

    assertEquals("active_sessions_limit", otherAsks("alice").code());

    otherClock.advance(AdmissionViewLoads.KEEP_SEEN_HERE.plus(Duration.ofSeconds(1)));

    assertTrue(otherAsks("alice").allowed()); // never stored: the database does not have them
  }

  private static UsageReport aiQueries(String id, String quantity) {
    return new UsageReport(id, at(T0), "alice", "ai_queries", new BigDecimal(quantity), null);
  }

  /** Free includes 100 AI queries (soft): 120 stored by one node refuse on another. */
  @Test
  void countersAndConfirmationsAnotherNodeStoredActAfterAReload() throws Exception {
    billing.userCreated("alice", Map.of());
    billing.billing.onUsageReported(billing.context, aiQueries("q1", "120"));
    billing.flush();

    assertEquals("overage_confirmation_required", otherAsks("alice").code());

    Answer confirmed =
        billing.call(
            HttpMethod.POST,
            "/overage/confirm",
            BillingHarness.user("alice"),
            "{\"meter\":\"ai_queries\"}");
    assertEquals(201, confirmed.status());

    assertTrue(otherAsks("alice").allowed());
  }

  /**
   * A report this node was handed is counted at once, and once only after a reload finds it
   * stored: 60 queries twice would pass the 100 included.
   */
  @Test
  void aReportHandedHereIsCountedOnce_beforeAndAfterTheReloadThatFindsItStored() throws Exception {
    billing.userCreated("alice", Map.of());
    billing.flush();
    other.refresh();
    UsageReport sixty = aiQueries("q1", "60");
    other.usageReported(sixty);
    other.usageReported(sixty); // redelivered
    billing.billing.onUsageReported(billing.context, sixty);
    billing.billing.onUsageReported(billing.context, aiQueries("q2", "30"));
    billing.flush();

    assertTrue(otherAsks("alice").allowed()); // 60 + 30 stored, q1 not counted again
    other.usageReported(aiQueries("q3", "10"));
    assertEquals(
        "overage_confirmation_required",
        other.admit(new AdmissionRequest("alice", null, size("0.5", "1", "0"))).code());
  }

  /**
   * Free includes 100 AI queries: 50 stored, then a report of 30 handed to a node and stored
   * after its reload began but before the reload's snapshot. The snapshot's counters hold it, so
   * it is not counted a second time from memory: 80, not 110.
   */
  @Test
  void aReportStoredAsTheReloadBeginsIsCountedOnce() throws Exception {
    billing.userCreated("alice", Map.of());
    billing.billing.onUsageReported(billing.context, aiQueries("q1", "50"));
    billing.flush();
    UsageReport thirty = aiQueries("q2", "30");
    AtomicReference<Admission> racing = new AtomicReference<>();
    DataSource database =
        onFirstConnection(
            TestDatabase.dataSource(),
            () -> {
              racing.get().usageReported(thirty); // handed over, then stored at once
              billing.billing.onUsageReported(billing.context, thirty);
              billing.flush();
            });
    racing.set(
        new Admission(
            database,
            AdmissionTest.noHolds(TestDatabase.dataSource(), otherClock),
            () -> defaults,
            otherClock,
            AnotherNode.liveCosts(database, () -> defaults, otherClock)));

    racing.get().refresh();

    assertTrue(
        racing.get().admit(new AdmissionRequest("alice", null, size("0.5", "1", "0"))).allowed());
  }

  /**
   * A report not stored yet (a write-behind backlog, the database down) counts for as long as
   * reloads do not find it stored, however long that takes, and is let go once its billing
   * period has ended (it counts in no later period).
   */
  @Test
  void aReportNotStoredYetCountsUntilItsPeriodEnds() throws Exception {
    other.usageReported(
        new UsageReport("q1", at(T0), "bob", "ai_queries", new BigDecimal("120"), null));
    otherClock.advance(AdmissionViewLoads.KEEP_SEEN_HERE.multipliedBy(100));

    assertEquals("overage_confirmation_required", otherAsks("bob").code());

    otherClock.set(at("2026-04-10T12:00:00Z")); // the next billing period

    assertTrue(otherAsks("bob").allowed());
    otherClock.advance(AdmissionViewLoads.KEEP_SEEN_HERE.plusSeconds(1)); // no check since: idle
    other.refresh();
    assertEquals(0, other.accounts()); // nothing left of bob in memory
  }

  @Test
  void anOrganizationClosedOnOneNodeIsRefusedAtOnceThereAndOnAnotherAfterItsReload()
      throws Exception {
    billing.billing.onOrganizationEvent(
        billing.context,
        new OrganizationEvent(
            "o1", at(T0), Type.CREATED, "acme", new Organization("Acme", "u1", "USD", null), null));
    billing.flush();
    AdmissionRequest underAcme = new AdmissionRequest("u1", null, size("0.5", "1", "0"), "acme");
    assertTrue(otherAsks(underAcme).allowed());

    // deleted a minute ago; the node handed it refuses before the queue has stored it
    billing.billing.onOrganizationEvent(
        billing.context,
        new OrganizationEvent("o2", at("2026-03-10T11:59:00Z"), Type.DELETED, "acme", null, null));
    assertEquals("organization_closed", billing.billing.admit(underAcme).code());
    assertTrue(other.admit(underAcme).allowed(), "the other node has not reloaded yet");
    billing.flush();

    assertEquals("organization_closed", otherAsks(underAcme).code());
    assertTrue(
        otherAsks(new AdmissionRequest("u1", null, size("0.5", "1", "0"))).allowed(),
        "u1's own organization is open");
  }

  /**
   * Settled is not ended: calculate-usage settles a session of an organization closed since
   * once it is rated up to the closing (nothing of it is left to bill), though it still runs and
   * sends heartbeats. A reload loads it all the same (its open sessions are those not ended and
   * not timed out, settled or not), so its heartbeats, which name no organization, count under
   * acme. Were the reload to read only the sessions not settled, they would count against u1's
   * own account: two there, and the free plan's limit of 2 active sessions would refuse u1.
   */
  @Test
  void anOpenSessionSettledAtItsOrganizationsClosingStillCountsUnderItAfterAReload()
      throws Exception {
    billing.billing.onOrganizationEvent(
        billing.context,
        new OrganizationEvent(
            "o1", at(T0), Type.CREATED, "acme", new Organization("Acme", "u1", "USD", null), null));
    for (String session : List.of("s1", "s2")) {
      billing.billing.onSessionCreated(
          billing.context,
          new SessionEvent("e-" + session, at(T0), session, "u1", size("0.5", "1", "0"), "acme"));
    }
    billing.billing.onOrganizationEvent(
        billing.context,
        new OrganizationEvent("o2", at("2026-03-10T12:01:00Z"), Type.DELETED, "acme", null, null));
    billing.heartbeat("2026-03-10T12:20:00Z", "s1", "u1", null);
    billing.heartbeat("2026-03-10T12:20:00Z", "s2", "u1", null);
    billing.calculateUsageAt("2026-03-10T12:25:00Z"); // heartbeats within the 10 minutes
    assertEquals(
        List.of(List.of("s1", "acme", true, true), List.of("s2", "acme", true, true)),
        BillingHarness.rows(
            """
            SELECT session_id, org_id, settled, ended_at IS NULL FROM billing_sessions
            ORDER BY session_id"""));

    otherClock.set(at("2026-03-10T12:25:00Z"));
    other.refresh();
    for (String session : List.of("s1", "s2")) {
      other.sessionSeen(
          new SessionEvent(
              "h-" + session, at("2026-03-10T12:25:00Z"), session, "u1", size("0.5", "1", "0")));
    }

    assertTrue(other.admit(new AdmissionRequest("u1", null, size("0.5", "1", "0"))).allowed());
  }

  private AdmissionDecision otherAsks(AdmissionRequest request) throws SQLException {
    other.refresh();
    return other.admit(request);
  }

  /** The data source, running {@code gap} once, as the first connection is asked for. */
  private static DataSource onFirstConnection(DataSource dataSource, Runnable gap) {
    AtomicReference<Runnable> once = new AtomicReference<>(gap);
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              Runnable pending = once.getAndSet(null);
              if (pending != null && method.getName().equals("getConnection")) {
                pending.run();
              }
              try {
                return method.invoke(dataSource, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}

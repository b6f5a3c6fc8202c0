package io.streamspace.billing.admission;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.support.AnotherNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.OrganizationEvent.Membership;
import io.streamspace.plugin.api.event.OrganizationEvent.Organization;
import io.streamspace.plugin.api.event.OrganizationEvent.Role;
import io.streamspace.plugin.api.event.OrganizationEvent.Type;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import io.streamspace.plugin.api.session.MemberAdmissionRequest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Accounts leave admission's view when nothing of theirs is open or pending, and are read again
 * from the database when a check next asks about them, with the same decisions as if they had
 * never left. Free (the default plan): 2 sessions, 2 cores, 4 GB, 2 GB storage hard, 100 AI
 * queries soft; Pro: sessions unlimited, 8 cores.
 */
class AdmissionEvictionTest {

  private static final String T0 = "2026-03-10T12:00:00Z";

  private final BillingHarness billing = new BillingHarness(at(T0));
  private final BillingConfig defaults = AdmissionTest.config("{}");

  @AfterEach
  void close() {
    billing.close();
  }

  /** A node on the plugin's database and clock, as another host node would be. */
  private Admission node(DataSource dataSource) {
    return new Admission(
        dataSource,
        AdmissionTest.noHolds(TestDatabase.dataSource(), billing.clock),
        () -> defaults,
        billing.clock,
        AnotherNode.liveCosts(dataSource, () -> defaults, billing.clock));
  }

  private static AdmissionRequest asks(String user, String cores, String orgId) {
    return new AdmissionRequest(user, null, size(cores, "1", "0"), orgId);
  }

  /** What a decision says, so two can be compared whole. */
  private static String said(AdmissionDecision decision) {
    return decision.allowed()
        + " "
        + decision.code()
        + " "
        + decision.reason()
        + " "
        + decision.upgrade()
        + " "
        + decision.pack();
  }

  /**
   * The same random events and checks through two nodes: one keeps every account and reloads at
   * every step, the other drops every account at every step (so each check reads its account
   * back from the database). Their answers are the same at every step, for 60 steps of sessions
   * opened, resized and ended, storage, AI query reports, and team members, from each seed.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  void decisionsAreTheSameWhetherAccountsLeaveTheViewAtEveryStepOrNever(long seed)
      throws Exception {
    {
      Admission steady = node(TestDatabase.dataSource());
      Admission evicting = node(TestDatabase.dataSource());
      List<Admission> nodes = List.of(steady, evicting);
      billing.userCreated("u1", Map.of("plan", "pro"));
      organization(
          nodes,
          new OrganizationEvent(
              "acme-created",
              billing.clock.instant(),
              Type.CREATED,
              "acme",
              new Organization("Acme", "u0", "USD", null),
              null));
      Random random = new Random(seed);
      List<String> open = new ArrayList<>();
      for (int step = 0; step < 60; step++) {
        billing.clock.advance(Duration.ofSeconds(random.nextInt(90)));
        randomEvent(random, step, open, nodes);
        billing.flush();
        steady.refresh();
        evicting.evictAll();
        for (String user : List.of("u0", "u1", "u2", "u3")) {
          for (String orgId : new String[] {null, "acme"}) {
            for (String cores : List.of("0.5", "3")) {
              AdmissionRequest request = asks(user, cores, orgId);
              assertEquals(
                  said(steady.admit(request)),
                  said(evicting.admit(request)),
                  "seed " + seed + " step " + step + ": " + request);
            }
          }
          MemberAdmissionRequest member = new MemberAdmissionRequest("acme", user, Role.MEMBER);
          assertEquals(
              said(steady.admitMember(member)),
              said(evicting.admitMember(member)),
              "seed " + seed + " step " + step + ": " + member);
        }
      }
      steady.close();
      evicting.close();
    }
  }

  /** One event, to the plugin (which stores it) and to both nodes (which count it at once). */
  private void randomEvent(Random random, int step, List<String> open, List<Admission> nodes) {
    String user = "u" + random.nextInt(4);
    String orgId = random.nextBoolean() ? "acme" : null;
    String id = "e" + step;
    int kind = random.nextInt(6);
    if (kind <= 1 || open.isEmpty()) {
      String session = "s" + step + "-" + user + "-" + orgId;
      SessionEvent created =
          new SessionEvent(id, billing.clock.instant(), session, user, randomSize(random), orgId);
      billing.billing.onSessionCreated(billing.context, created);
      nodes.forEach(n -> n.sessionCreated(created));
      open.add(session);
    } else if (kind == 2) {
      SessionEvent beat =
          sessionEvent(id, open.get(random.nextInt(open.size())), randomSize(random));
      billing.billing.onSessionHeartbeat(billing.context, beat);
      nodes.forEach(n -> n.sessionSeen(beat));
    } else if (kind == 3) {
      SessionEvent end = sessionEvent(id, open.remove(random.nextInt(open.size())), null);
      billing.billing.onSessionTerminated(billing.context, end);
      nodes.forEach(n -> n.sessionTerminated(end));
    } else if (kind == 4) {
      UsageReport report =
          new UsageReport(
              id,
              billing.clock.instant(),
              user,
              "ai_queries",
              new BigDecimal(random.nextInt(60)),
              orgId);
      billing.billing.onUsageReported(billing.context, report);
      nodes.forEach(n -> n.usageReported(report));
    } else {
      boolean add = random.nextBoolean();
      organization(
          nodes,
          new OrganizationEvent(
              id,
              billing.clock.instant(),
              add ? Type.MEMBER_ADDED : Type.MEMBER_REMOVED,
              "acme",
              null,
              new Membership(user, add ? Role.MEMBER : null)));
    }
  }

  /** A session's event: its user and organization are the ones its id was made of. */
  private SessionEvent sessionEvent(String id, String session, ResourceSize size) {
    String[] parts = session.split("-");
    String orgId = parts[2].equals("null") ? null : parts[2];
    return new SessionEvent(id, billing.clock.instant(), session, parts[1], size, orgId);
  }

  private static ResourceSize randomSize(Random random) {
    return size(
        String.valueOf(1 + random.nextInt(4) / 2.0),
        String.valueOf(1 + random.nextInt(3)),
        String.valueOf(random.nextInt(3)));
  }

  private void organization(List<Admission> nodes, OrganizationEvent event) {
    billing.billing.onOrganizationEvent(billing.context, event);
    nodes.forEach(n -> n.organizationEvent(event));
  }

  /**
   * Alice is on Pro (8 cores) with no session: a reload does not hold her, the first check reads
   * her plan back (3 cores allowed; the default plan, Free, allows 2), and she leaves again
   * once no check asked for a reload interval.
   */
  @Test
  void anIdleAccountIsNotHeld_andItsFirstCheckReadsItsPlanBack() throws Exception {
    billing.userCreated("alice", Map.of("plan", "pro"));
    billing.session("s1", "alice", T0, "2026-03-10T12:01:00Z", size("1", "1", "0"));
    billing.flush();
    Admission other = node(TestDatabase.dataSource());
    other.refresh();
    assertEquals(0, other.accounts());

    assertTrue(other.admit(asks("alice", "3", null)).allowed());
    assertEquals(1, other.accounts());

    billing.clock.advance(AdmissionViewLoads.KEEP_SEEN_HERE.plusSeconds(1));
    other.refresh();
    assertEquals(0, other.accounts());
    assertTrue(other.admit(asks("alice", "3", null)).allowed(), "read back again");
    assertEquals("cpu_cores_limit", other.admit(asks("bob", "3", null)).code(), "bob is on Free");
  }

  /** Bob's open session keeps him in the view across reloads; ended, he leaves at the next. */
  @Test
  void anAccountWithAnOpenSessionStaysInTheView_andLeavesOnceItEnds() throws Exception {
    billing.created(T0, "s1", "bob", size("1", "1", "0"));
    billing.flush();
    Admission other = node(TestDatabase.dataSource());
    other.refresh();
    assertEquals(1, other.accounts(), "read by the reload: it has an open session");
    billing.clock.advance(AdmissionViewLoads.KEEP_SEEN_HERE.plusSeconds(1));
    other.refresh();
    assertEquals(1, other.accounts());

    billing.terminated("2026-03-10T12:00:06Z", "s1", "bob");
    billing.flush();
    billing.clock.advance(AdmissionViewLoads.KEEP_SEEN_HERE.plusSeconds(1));
    other.refresh();
    assertEquals(0, other.accounts());
  }

  /**
   * A held account is answered from memory (a session another node stored is not seen before the
   * reload, within the documented staleness) and the reload brings that session in: the free
   * plan's 2 sessions are then reached.
   */
  @Test
  void aHeldAccountIsAnsweredFromMemory_andTheReloadBringsWhatAnotherNodeStored() throws Exception {
    billing.created(T0, "s1", "carol", size("0.5", "1", "0"));
    billing.flush();
    Admission other = node(TestDatabase.dataSource());
    assertTrue(other.admit(asks("carol", "0.5", null)).allowed()); // read: one session
    billing.created(T0, "s2", "carol", size("0.5", "1", "0"));
    billing.flush();

    assertTrue(other.admit(asks("carol", "0.5", null)).allowed(), "not reloaded yet");

    other.refresh();
    assertEquals("active_sessions_limit", other.admit(asks("carol", "0.5", null)).code());
  }

  /**
   * While dave's first check waits for the database, a check of erin (held) answers from memory:
   * one account's read holds up no other. Dave's check then answers from what it read.
   */
  @Test
  void aFirstCheckReadingTheDatabaseHoldsUpNoOtherAccountsCheck() throws Exception {
    billing.created(T0, "s1", "erin", size("0.5", "1", "0"));
    billing.created(T0, "s2", "erin", size("0.5", "1", "0"));
    billing.userCreated("dave", Map.of("plan", "pro"));
    billing.flush();
    CountDownLatch reading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean blocking = new AtomicBoolean();
    Admission other = node(blockingWhen(TestDatabase.dataSource(), blocking, reading, release));
    other.refresh(); // erin: open sessions, held
    blocking.set(true);

    CompletableFuture<AdmissionDecision> dave =
        CompletableFuture.supplyAsync(() -> other.admit(asks("dave", "3", null)));
    assertTrue(reading.await(30, TimeUnit.SECONDS), "dave's read began");
    assertEquals("active_sessions_limit", other.admit(asks("erin", "0.5", null)).code());
    assertFalse(dave.isDone(), "dave's read still waits");

    release.countDown();
    assertTrue(dave.get(30, TimeUnit.SECONDS).allowed(), "pro: 3 cores allowed");
  }

  /** The data source; while {@code blocking}, a connection is given only once released. */
  private static DataSource blockingWhen(
      DataSource dataSource,
      AtomicBoolean blocking,
      CountDownLatch reading,
      CountDownLatch release) {
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (blocking.get() && method.getName().equals("getConnection")) {
                reading.countDown();
                release.await();
              }
              try {
                return method.invoke(dataSource, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /** An overage confirmed through the route is read back with the account (it is stored). */
  @Test
  void aConfirmationIsReadBackWithTheAccount() throws Exception {
    billing.userCreated("frank", Map.of());
    billing.billing.onUsageReported(
        billing.context,
        new UsageReport(
            "q1", billing.clock.instant(), "frank", "ai_queries", new BigDecimal("120"), null));
    billing.flush();
    Admission other = node(TestDatabase.dataSource());
    assertEquals("overage_confirmation_required", other.admit(asks("frank", "0.5", null)).code());

    assertEquals(
        201,
        billing
            .call(
                HttpMethod.POST,
                "/overage/confirm",
                BillingHarness.user("frank"),
                "{\"meter\":\"ai_queries\"}")
            .status());
    other.evictAll();

    assertTrue(other.admit(asks("frank", "0.5", null)).allowed());
  }
}

package io.streamspace.billing.admission;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.config.CronValidator;
import io.streamspace.billing.jobs.CheckQuotasJob;
import io.streamspace.billing.support.AnotherNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Admission that reserves against the spending limit (action block) and members' caps, on real
 * PostgreSQL with two nodes (two admissions, each with a pool of its own, as in {@code
 * PrepaidAdmissionTest}). bob's personal organization is on Hobby (no fee, so this period's
 * estimate is 0.00); a session of 2 cores and 4 GB holds its first 15 minutes' cost, 0.04.
 */
class LimitAdmissionTest {

  private static final String T0 = "2026-03-10T12:00:00Z";
  private static final String CONFIG =
      """
      {"subscriptionPlans": [
         {"id": "free", "name": "Hobby", "price": 0, "interval": "month"}]}""";
  private static final ResourceSize TWO_CORES = size("2", "4", "0");
  private static final BillingConfig PARSED =
      new BillingConfigParser(CronValidator.fiveFields()).parse(CONFIG).config();

  private final BillingHarness billing = new BillingHarness(at(T0), CONFIG);
  private final HikariDataSource otherPool = anotherPool();
  private final Admission here =
      AnotherNode.admission(billing.clock, PARSED, TestDatabase.dataSource());
  private final Admission there = AnotherNode.admission(billing.clock, PARSED, otherPool);

  @AfterEach
  void unload() {
    here.close();
    there.close();
    otherPool.close();
    billing.close();
  }

  private static HikariDataSource anotherPool() {
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(((HikariDataSource) TestDatabase.dataSource()).getJdbcUrl());
    pool.setMaximumPoolSize(8);
    return new HikariDataSource(pool);
  }

  /** bob's organization with a block limit of {@code amount}, known to both nodes. */
  private void bobBlockedAt(String amount) throws Exception {
    billing.userCreated("bob", Map.of());
    billing.flush();
    BillingHarness.Answer set =
        billing.call(
            HttpMethod.PUT,
            "/spending-limit",
            user("bob"),
            "{\"amount\": %s, \"action\": \"block\"}".formatted(amount));
    assertEquals(200, set.status(), set.body().toString());
    here.refresh();
    there.refresh();
  }

  /** The rooms as {@code "room reserved"}, by room. */
  private static List<String> rooms() {
    return rows("SELECT room || ' ' || reserved FROM billing_limit_rooms ORDER BY room").stream()
        .map(r -> (String) r.get(0))
        .toList();
  }

  /** The reservations as {@code "session room released_by"}. */
  private static List<String> reservations() {
    return rows(
            """
            SELECT session_id || ' ' || room || ' ' || coalesce(released_by, 'open')
            FROM billing_limit_reservations ORDER BY session_id, room""")
        .stream()
        .map(r -> (String) r.get(0))
        .toList();
  }

  /**
   * 1,000 starts at once, alternating between the nodes, each of {@code user} under {@code org}
   * (null: the user's own); the highest reserved in any room, watched while they race, is kept
   * in {@code highest}; the answers by session id.
   */
  private Map<String, AdmissionDecision> race(
      List<String[]> starts, Map<String, BigDecimal> highest) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(16);
    AtomicBoolean racing = new AtomicBoolean(true);
    try {
      Future<?> watcher =
          threads.submit(
              () -> {
                while (racing.get()) {
                  for (List<Object> row : rows("SELECT room, reserved FROM billing_limit_rooms")) {
                    highest.merge((String) row.get(0), (BigDecimal) row.get(1), BigDecimal::max);
                  }
                }
              });
      List<Future<AdmissionDecision>> answers = new ArrayList<>();
      for (int i = 0; i < starts.size(); i++) {
        String[] start = starts.get(i);
        AdmissionRequest request = new AdmissionRequest(start[0], start[1], TWO_CORES, start[2]);
        Admission node = i % 2 == 0 ? here : there;
        answers.add(threads.submit(() -> node.admit(request)));
      }
      Map<String, AdmissionDecision> decided = new TreeMap<>();
      for (int i = 0; i < starts.size(); i++) {
        decided.put(starts.get(i)[1], answers.get(i).get());
      }
      racing.set(false);
      watcher.get();
      return decided;
    } finally {
      racing.set(false);
      threads.shutdownNow();
    }
  }

  @Test
  void aThousandConcurrentStartsOnTwoNodesAgainstABlockLimitForAHundredHolds_admitAHundred()
      throws Exception {
    bobBlockedAt("4.00"); // 100 holds of 0.04
    List<String[]> starts = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      starts.add(new String[] {"bob", "s" + i, null});
    }
    Map<String, BigDecimal> highest = new TreeMap<>();

    Map<String, AdmissionDecision> decided = race(starts, highest);

    List<String> admitted =
        decided.entrySet().stream()
            .filter(e -> e.getValue().allowed())
            .map(Map.Entry::getKey)
            .toList();
    assertEquals(100, admitted.size());
    decided.values().stream()
        .filter(d -> !d.allowed())
        .forEach(d -> assertEquals("spending_limit_reached", d.code(), d.reason()));
    assertEquals(List.of("spend 2026-03-01T00:00:00Z 4.00"), rooms());
    assertEquals(
        0,
        new BigDecimal("4.00").compareTo(highest.get("spend 2026-03-01T00:00:00Z")),
        "reserved never above the limit while they raced: " + highest);
    AdmissionDecision refused =
        decided.values().stream().filter(d -> !d.allowed()).findFirst().orElseThrow();
    assertEquals(
        "Spending limit reached: starting this session reserves $0.04, its cost for its first 15"
            + " minutes, against the spending limit of $4.00, of which this period's estimated"
            + " cost takes $0.00 and sessions started within their first 15 minutes reserve"
            + " $4.00: $0.00 is left, $0.04 short. Raise the spending limit to start it.",
        refused.reason());

    // asked again on the other node, an admitted session reserves nothing more
    String first = admitted.get(0);
    assertTrue(there.admit(new AdmissionRequest("bob", first, TWO_CORES)).allowed());
    assertTrue(here.admit(new AdmissionRequest("bob", first, TWO_CORES)).allowed());
    assertEquals(List.of("spend 2026-03-01T00:00:00Z 4.00"), rooms());
  }

  @Test
  void aThousandConcurrentStartsOnTwoNodesOfCappedMembers_admitExactlyTheirCaps() throws Exception {
    OrgFixtures.created("acme", "olivia", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "carol", "admin", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "dan", "member", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "erin", "member", "2026-03-01T00:00:00Z");
    OrgFixtures.session(
        billing, "acme", "s0", "olivia", "2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z", TWO_CORES);
    billing.flush();
    cap("dan", "{\"active_sessions\": 10}");
    cap("erin", "{\"cpu_cores\": 15}"); // 7 sessions of 2 cores: 14
    here.refresh();
    there.refresh();
    List<String[]> starts = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      starts.add(new String[] {i % 4 < 2 ? "dan" : "erin", "s" + i, "acme"});
    }
    Map<String, BigDecimal> highest = new TreeMap<>();

    Map<String, AdmissionDecision> decided = race(starts, highest);

    Map<String, Integer> admitted = new TreeMap<>();
    for (String[] start : starts) {
      AdmissionDecision answer = decided.get(start[1]);
      if (answer.allowed()) {
        admitted.merge(start[0], 1, Integer::sum);
      } else {
        assertEquals("member_cap", answer.code(), answer.reason());
      }
    }
    assertEquals(Map.of("dan", 10, "erin", 7), admitted);
    assertEquals(List.of("member dan active_sessions 10", "member erin cpu_cores 14"), rooms());
    assertEquals(
        Map.of(
            "member dan active_sessions", new BigDecimal("10"),
            "member erin cpu_cores", new BigDecimal("14")),
        highest,
        "never above a cap while they raced");
    assertEquals(
        "CPU cap reached: 14 cores reserved by the sessions of erin under acme plus 2 for this"
            + " session would pass the cap of 15 cores set for erin inside acme.",
        there.admit(new AdmissionRequest("erin", "late", TWO_CORES, "acme")).reason());
  }

  private void cap(String member, String limits) {
    BillingHarness.Answer set =
        billing.call(
            HttpMethod.PUT,
            "/member-caps",
            user("carol"),
            "{\"org_id\": \"acme\", \"user_id\": \"" + member + "\", \"limits\": " + limits + "}");
    assertEquals(200, set.status(), set.body().toString());
  }

  @Test
  void aReleaseGivesTheRoomBack_atTheEnd_whenNeverStarted_andOnceTheHoldHasPassed()
      throws Exception {
    bobBlockedAt("0.08"); // two holds
    assertTrue(here.admit(new AdmissionRequest("bob", "ends", TWO_CORES)).allowed());
    assertTrue(there.admit(new AdmissionRequest("bob", "runs", TWO_CORES)).allowed());
    assertEquals("spending_limit_reached", here.admit(req("third")).code());

    billing.created(T0, "ends", "bob", TWO_CORES);
    billing.created(T0, "runs", "bob", TWO_CORES);
    billing.terminated("2026-03-10T12:05:00Z", "ends", "bob");
    billing.flush();
    assertEquals(
        List.of(
            "ends spend 2026-03-01T00:00:00Z terminated", "runs spend 2026-03-01T00:00:00Z open"),
        reservations());
    assertTrue(there.admit(req("never")).allowed(), "the ended session's room is back");

    // 12:15: runs' first 15 minutes are in the estimate, its hold is released by check-quotas
    billing.runAt(CheckQuotasJob.NAME, "2026-03-10T12:15:00Z");
    assertEquals(
        List.of(
            "ends spend 2026-03-01T00:00:00Z terminated",
            "never spend 2026-03-01T00:00:00Z never_started",
            "runs spend 2026-03-01T00:00:00Z accrued"),
        reservations());
    assertEquals(List.of("spend 2026-03-01T00:00:00Z 0.00"), rooms());
  }

  /**
   * The review's scenario: a limit of 4.00, sessions of 0.14 an hour holding 0.04. 50 start at
   * 12:00 (2.00 reserved); at 12:55 they accrued cpu 4.58 (50 × 2 × 0.05 × 55/60) and memory 1.83
   * (50 × 4 × 0.01 × 55/60), 6.41, unrated yet, which the estimate counts: the 50 more are refused, and the holds that passed are released as the
   * first of them reserves, so the room does not count them again.
   */
  @Test
  void sessionsRunningPastTheirHoldCountInTheEstimateBeforeRating_soStartsCannotOvershoot()
      throws Exception {
    bobBlockedAt("4.00");
    for (int i = 0; i < 50; i++) {
      assertTrue(here.admit(req("a" + i)).allowed());
      billing.created(T0, "a" + i, "bob", TWO_CORES);
    }
    billing.flush();
    assertEquals(List.of("spend 2026-03-01T00:00:00Z 2.00"), rooms());

    for (int i = 0; i < 50; i++) {
      billing.heartbeat("2026-03-10T12:54:00Z", "a" + i, "bob", TWO_CORES); // still running
    }
    billing.flush();
    billing.clock.set(at("2026-03-10T12:55:00Z"));
    List<AdmissionDecision> later = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      later.add((i % 2 == 0 ? here : there).admit(req("b" + i)));
    }

    assertEquals(50, later.stream().filter(d -> !d.allowed()).count(), "none admitted");
    assertEquals(
        "Spending limit reached: starting this session reserves $0.04, its cost for its first 15"
            + " minutes, against the spending limit of $4.00, of which this period's estimated"
            + " cost takes $6.41 and sessions started within their first 15 minutes reserve"
            + " $0.00: $0.00 is left, $0.04 short. Raise the spending limit to start it.",
        later.get(0).reason());
    assertEquals(List.of("spend 2026-03-01T00:00:00Z 0.00"), rooms());
    assertEquals(
        50L,
        BillingHarness.value(
            "SELECT count(*) FROM billing_limit_reservations WHERE released_by = 'accrued'"));
  }

  private static AdmissionRequest req(String session) {
    return new AdmissionRequest("bob", session, TWO_CORES);
  }
}

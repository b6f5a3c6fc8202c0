package io.streamspace.billing.prepaid;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.streamspace.billing.admission.Admission;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.config.CronValidator;
import io.streamspace.billing.jobs.CheckQuotasJob;
import io.streamspace.billing.support.AnotherNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import io.streamspace.plugin.api.session.TopUp;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Admission that reserves, on real PostgreSQL: ann's organization is on the prepaid plan "Pay as
 * you go", bob's on Hobby. A session of 2 cores and 4 GB holds its first 15 minutes' cost,
 * (2 × 0.05 + 4 × 0.01) × 15/60 = 0.035, rounded up: 0.04 (an hour: 0.14).
 */
class PrepaidAdmissionTest {

  private static final String T0 = "2026-03-10T12:00:00Z";
  private static final String CONFIG =
      """
      {"subscriptionPlans": [
         {"id": "free", "name": "Hobby", "price": 0, "interval": "month"},
         {"id": "payg", "name": "Pay as you go", "price": 0, "interval": "month",
          "prepaid": true}]}""";
  private static final ResourceSize TWO_CORES = size("2", "4", "0");

  private final BillingHarness billing = new BillingHarness(at(T0), CONFIG);

  @AfterEach
  void unload() {
    billing.close();
  }

  private void accounts(String annBalance) {
    billing.userCreated("ann", Map.of("plan", "payg"));
    billing.userCreated("bob", Map.of());
    billing.flush();
    if (annBalance != null) {
      BillingHarness.Answer granted =
          billing.call(
              HttpMethod.POST,
              "/admin/balance",
              admin("root"),
              "{\"org_id\":\"ann\",\"amount\":%s,\"currency\":\"USD\",\"reason\":\"wire\"}"
                  .formatted(annBalance));
      assertEquals(201, granted.status(), granted.body().toString());
    }
  }

  private AdmissionDecision start(String user, String session) {
    return billing.billing.admit(new AdmissionRequest(user, session, TWO_CORES));
  }

  /** ann's balance row as {@code "balance reserved"}, in cents. */
  private static String annsBalance() {
    List<Object> row =
        rows("SELECT balance, reserved FROM billing_prepaid_balances WHERE org_id = 'ann'").get(0);
    return ((BigDecimal) row.get(0)).setScale(2) + " " + ((BigDecimal) row.get(1)).setScale(2);
  }

  /** The reservations as {@code "session amount released_by"}, by session. */
  private static List<String> reservations() {
    return rows(
            """
            SELECT session_id || ' ' || amount || ' ' || coalesce(released_by, 'open')
            FROM billing_prepaid_reservations ORDER BY session_id""")
        .stream()
        .map(r -> (String) r.get(0))
        .toList();
  }

  @Test
  void aPrepaidSessionReservesItsHold_andAskedAgainForTheSameSessionReservesNothingMore() {
    accounts("1.00");
    billing.userCreated("cat", Map.of("plan", "payg"));
    billing.flush();

    AdmissionDecision first = start("ann", "s1");
    AdmissionDecision retried = start("ann", "s1");
    AdmissionDecision another = start("cat", "s1"); // another organization naming ann's session

    assertTrue(first.allowed(), first.reason());
    assertTrue(retried.allowed(), retried.reason());
    assertEquals("session_id_in_use", another.code());
    assertEquals(
        "Session s1 is already admitted under another organization: a session id names one"
            + " session.",
        another.reason());
    assertEquals(List.of("s1 0.04 open"), reservations());
    assertEquals("1.00 0.04", annsBalance());
    assertEquals(
        "0.96",
        billing
            .call(HttpMethod.GET, "/balance?org_id=ann", admin("root"))
            .body()
            .get("available")
            .toString());
    assertEquals(1L, value("SELECT count(*) FROM billing_prepaid_entries"), "no money moved");
  }

  @Test
  void aSessionTheBalanceCannotHoldIsRefusedSayingWhatIsShort_andReservesNothing() {
    accounts("0.05");
    assertTrue(start("ann", "s1").allowed());

    AdmissionDecision refused = start("ann", "s2");

    assertEquals("insufficient_balance", refused.code());
    assertEquals(
        "Prepaid balance too low: sessions of the Pay as you go plan are paid from the prepaid"
            + " balance, and starting this one reserves $0.04, its cost for its first 15 minutes,"
            + " while $0.01 is available (of a balance of $0.05, $0.04 is reserved by running"
            + " sessions): $0.03 short. Top up $0.03 to start it, or $0.13 to run it for an hour.",
        refused.reason());
    assertEquals(
        List.of(
            new TopUp(new BigDecimal("0.03"), "USD", 15),
            new TopUp(new BigDecimal("0.13"), "USD", 60)),
        refused.topUp());
    assertEquals(List.of("s1 0.04 open"), reservations());
    assertEquals("0.05 0.04", annsBalance());
  }

  @Test
  void aPrepaidOrganizationWithoutABalanceIsShortByTheWholeHold_andASessionMustBeNamed() {
    accounts(null);

    AdmissionDecision refused = start("ann", "s1");
    AdmissionDecision unnamed = start("ann", null);

    assertEquals("insufficient_balance", refused.code());
    assertTrue(
        refused.reason().contains("while $0.00 is available: $0.04 short"), refused.reason());
    assertEquals(new BigDecimal("0.04"), refused.topUp().get(0).amount());
    assertEquals("session_id_required", unnamed.code());
    assertEquals(
        "Sessions of the Pay as you go plan are paid from the prepaid balance: starting one"
            + " reserves its cost for its first 15 minutes ($0.04) under its session_id, which"
            + " the request must name.",
        unnamed.reason());
    assertEquals(List.of(), reservations());
  }

  @Test
  void theHoldIsReleasedWhenTheSessionEnds_onceWhateverIsDeliveredAgain() {
    accounts("1.00");
    assertTrue(start("ann", "s1").allowed());
    assertTrue(start("ann", "s2").allowed());
    billing.created(T0, "s1", "ann", TWO_CORES);
    billing.created(T0, "s2", "ann", TWO_CORES);

    billing.terminated("2026-03-10T12:30:00Z", "s1", "ann");
    billing.flush();
    billing.terminated("2026-03-10T12:31:00Z", "s1", "ann"); // delivered again, later
    billing.flush();

    assertEquals(List.of("s1 0.04 terminated", "s2 0.04 open"), reservations());
    assertEquals("1.00 0.04", annsBalance());
    assertEquals(
        at("2026-03-10T12:30:00Z"),
        ((java.sql.Timestamp)
                value(
                    "SELECT released_at FROM billing_prepaid_reservations"
                        + " WHERE session_id = 's1'"))
            .toInstant());
  }

  @Test
  void aHoldWhoseSessionNeverStartedIsReleasedByCheckQuotasOnceHoldMinutesHavePassed() {
    accounts("1.00");
    assertTrue(start("ann", "started").allowed());
    assertTrue(start("ann", "never").allowed());
    billing.created(T0, "started", "ann", TWO_CORES);

    // the started one is extended meanwhile: 14:59 accrued + 15 minutes, 0.06997, rounded up
    billing.runAt(CheckQuotasJob.NAME, "2026-03-10T12:14:59Z");
    assertEquals(List.of("never 0.04 open", "started 0.07 open"), reservations());

    billing.runAt(CheckQuotasJob.NAME, "2026-03-10T12:15:00Z");
    assertEquals(List.of("never 0.04 never_started", "started 0.07 open"), reservations());
    assertEquals("1.00 0.07", annsBalance());
  }

  @Test
  void organizationsOnOtherPlansAreAdmittedFromMemory_withoutADatabaseRoundTrip() {
    accounts("1.00");
    AtomicInteger connections = new AtomicInteger();
    DataSource real = TestDatabase.dataSource();
    DataSource counted =
        (DataSource)
            Proxy.newProxyInstance(
                DataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("getConnection")) {
                    connections.incrementAndGet();
                  }
                  return method.invoke(real, args);
                });
    try (Admission node = AnotherNode.admission(billing.clock, config(), counted)) {
      node.admit(new AdmissionRequest("bob", "b0", TWO_CORES)); // the view reads bob once
      node.admit(new AdmissionRequest("ann", "a0", TWO_CORES)); // and ann once, and reserves
      connections.set(0);

      for (int i = 1; i <= 3; i++) {
        assertTrue(node.admit(new AdmissionRequest("bob", "b" + i, TWO_CORES)).allowed());
      }
      assertEquals(0, connections.get(), "Hobby is decided from memory");

      assertTrue(node.admit(new AdmissionRequest("ann", "a1", TWO_CORES)).allowed());
      assertEquals(1, connections.get(), "a prepaid start reserves, in one transaction");
    }
    assertEquals(List.of("a0 0.04 open", "a1 0.04 open"), reservations());
  }

  /**
   * ann also has a block spending limit: her session's hold is reserved against it, then the
   * prepaid step fails (the database refuses the balance's reservation: a trigger raises) and
   * admission fails with it; the limit's reservation is undone at once, so asked again once the
   * database answers, the session reserves 0.04 in each, not twice against the limit.
   */
  @Test
  void whenThePrepaidStepFailsTheLimitReservationIsUndone() throws Exception {
    accounts("1.00");
    BillingHarness.Answer set =
        billing.call(
            HttpMethod.PUT,
            "/spending-limit",
            BillingHarness.user("ann"),
            "{\"amount\": 4.00, \"action\": \"block\"}");
    assertEquals(200, set.status(), set.body().toString());
    try (Admission node =
        AnotherNode.admission(billing.clock, config(), TestDatabase.dataSource())) {
      node.refresh();
      RuntimeException failed;
      sql(
          """
          CREATE FUNCTION balance_down() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'the balance is down'; END $$;
          CREATE TRIGGER balance_down BEFORE INSERT ON billing_prepaid_reservations
          FOR EACH ROW EXECUTE FUNCTION balance_down()""");
      try {
        failed =
            assertThrows(
                RuntimeException.class,
                () -> node.admit(new AdmissionRequest("ann", "s1", TWO_CORES)));
      } finally {
        sql(
            "DROP TRIGGER balance_down ON billing_prepaid_reservations; DROP FUNCTION balance_down()");
      }
      List<Object> limitRows =
          rows("""
                  SELECT (SELECT count(*) FROM billing_limit_reservations),
                         (SELECT sum(reserved) FROM billing_limit_rooms)""")
              .get(0);

      AdmissionDecision retried = node.admit(new AdmissionRequest("ann", "s1", TWO_CORES));

      assertTrue(failed.getMessage().contains("reserv"), failed.getMessage());
      assertEquals(0L, limitRows.get(0), "the limit's reservation is gone");
      assertEquals(0, BigDecimal.ZERO.compareTo((BigDecimal) limitRows.get(1)));
      assertTrue(retried.allowed(), retried.reason());
      assertEquals(List.of("s1 0.04 open"), reservations());
      assertEquals(
          List.of(List.of("spend 2026-03-01T00:00:00Z", new BigDecimal("0.04"))),
          rows("SELECT room, reserved FROM billing_limit_rooms"));
    }
  }

  private static void sql(String statements) throws SQLException {
    try (Connection connection = TestDatabase.dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(statements);
    }
  }

  private static BillingConfig config() {
    return new BillingConfigParser(CronValidator.fiveFields()).parse(CONFIG).config();
  }

  /** Another node's pool on the same database, as another host would have. */
  private static HikariDataSource anotherPool() {
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(((HikariDataSource) TestDatabase.dataSource()).getJdbcUrl());
    pool.setMaximumPoolSize(8);
    return new HikariDataSource(pool);
  }

  @Test
  void aThousandConcurrentStartsOnTwoNodesAgainstABalanceForAHundred_startAHundredToTheCent()
      throws Exception {
    accounts("4.00"); // 100 holds of 0.04
    int starts = 1_000;
    List<Future<AdmissionDecision>> decisions = new ArrayList<>(starts);
    AtomicBoolean racing = new AtomicBoolean(true);
    List<String> overshoots = new ArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(16);
    try (HikariDataSource otherPool = anotherPool();
        Admission otherNode = AnotherNode.admission(billing.clock, config(), otherPool)) {
      Future<?> watcher =
          threads.submit(
              () -> {
                while (racing.get()) {
                  String[] figures = annsBalance().split(" ");
                  if (new BigDecimal(figures[1]).compareTo(new BigDecimal(figures[0])) > 0) {
                    overshoots.add(String.join(" ", figures));
                  }
                }
              });
      for (int i = 0; i < starts; i++) {
        AdmissionRequest request = new AdmissionRequest("ann", "s" + i, TWO_CORES);
        boolean here = i % 2 == 0; // half on each node, interleaved
        decisions.add(
            threads.submit(() -> here ? billing.billing.admit(request) : otherNode.admit(request)));
      }
      List<String> admitted = new ArrayList<>();
      List<String> refused = new ArrayList<>();
      for (int i = 0; i < starts; i++) {
        AdmissionDecision answer = decisions.get(i).get();
        if (answer.allowed()) {
          admitted.add("s" + i);
        } else {
          assertEquals("insufficient_balance", answer.code(), answer.reason());
          refused.add("s" + i);
        }
      }
      racing.set(false);
      watcher.get();

      assertEquals(100, admitted.size());
      assertEquals(900, refused.size());
      assertEquals("4.00 4.00", annsBalance(), "not a cent more reserved than the balance");
      assertEquals(List.of(), overshoots, "reserved never above the balance while they raced");
      assertEquals(
          admitted.stream().sorted().toList(),
          rows("SELECT session_id FROM billing_prepaid_reservations ORDER BY session_id").stream()
              .map(r -> (String) r.get(0))
              .toList());

      // asked again, on either node: an admitted session reserves nothing more
      String first = admitted.get(0);
      assertTrue(billing.billing.admit(new AdmissionRequest("ann", first, TWO_CORES)).allowed());
      assertTrue(otherNode.admit(new AdmissionRequest("ann", first, TWO_CORES)).allowed());
      assertEquals(
          "insufficient_balance",
          otherNode.admit(new AdmissionRequest("ann", refused.get(0), TWO_CORES)).code());
      assertEquals("4.00 4.00", annsBalance());
      assertEquals(100L, value("SELECT count(*) FROM billing_prepaid_reservations"));
    } finally {
      racing.set(false);
      threads.shutdownNow();
    }
  }
}

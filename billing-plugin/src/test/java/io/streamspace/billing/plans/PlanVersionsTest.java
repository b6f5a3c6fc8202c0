package io.streamspace.billing.plans;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.admission.Admission;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.config.CronValidator;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.support.AnotherNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.ConfigSaves;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobRun;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import io.streamspace.testing.MutableClock;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Plan versions and migrations (issue 55) through the plugin's hooks, routes and jobs, with
 * figures worked out by hand. Hybrid mode, USD, UTC, invoice day 1, an hour of grace; 0.05 a
 * core-hour. Pro is 30.00 a month including 8 cores (version 1); on March 15 at 12:00 the admin
 * raises it to 40.00 including 4 cores: version 2.
 *
 * <ul>
 *   <li>acme (owner olivia) and bolt (owner ben) are on Pro from March 1: version 1. acme runs 6
 *       cores and 2 GB from 10:00 to 12:00 on March 10: within version 1's 8 cores; on version 2,
 *       2 cores over for two hours, 4 core-hours × 0.05 = 0.20.
 *   <li>cora opens on Pro on March 15 at 12:00, after the raise: version 2, 40.00 for the 16.5
 *       days left of March's 31: 21.2903… → 21.29.
 * </ul>
 *
 * Every version includes 5 seats and 100 GB of bandwidth (soft: 10.00 a seat a month and 0.08 a
 * GB beyond) but one test's version 3, which includes 1 seat and 10 GB.
 */
class PlanVersionsTest {

  private static final String PLANS =
      """
      {"billingMode": "hybrid", "subscriptionPlans": [
        {"id": "free", "name": "Hobby", "price": 0, "interval": "month", "cpu_limit": 2,
         "memory_limit": 4, "storage_limit": 10},
        {"id": "pro", "name": "Pro", "price": %s, "interval": "month", "cpu_limit": %s,
         "memory_limit": 16, "storage_limit": 100,
         "limits": {"members": {"limit": %s}, "bandwidth_gb": {"limit": %s}}}]}""";

  private static final String V1 = PLANS.formatted("30.00", "8", "5", "100");
  private static final String V2 = PLANS.formatted("40.00", "4", "5", "100");
  // fewer seats and less bandwidth included, at V2's price and cores
  private static final String V3 = PLANS.formatted("40.00", "4", "1", "10");

  // V2's plans and Studio, 50.00 a month with a hard limit of cores: admission's test
  private static final String STUDIO =
      V2.substring(0, V2.lastIndexOf(']'))
          + """
          , {"id": "studio", "name": "Studio", "price": 50.00, "interval": "month",
             "limits": {"cpu_cores": {"limit": %s, "kind": "hard"}}}]}""";

  private static final String MIGRATIONS = "/admin/plans/pro/migrations";

  private BillingHarness billing;

  @BeforeEach
  void proRaisedOnMarch15() throws SQLException {
    billing = new BillingHarness(at("2026-03-01T00:00:00Z"), V1);
    OrgFixtures.opened(billing, "acme", "Acme", "olivia", "USD", "pro", "2026-03-01T00:00:00Z");
    OrgFixtures.opened(billing, "bolt", "Bolt", "ben", "USD", "pro", "2026-03-01T00:00:00Z");
    OrgFixtures.session(
        billing,
        "acme",
        "s1",
        "olivia",
        "2026-03-10T10:00:00Z",
        "2026-03-10T12:00:00Z",
        size("6", "2", "0"));
    billing.flush();
    saved("2026-03-15T12:00:00Z", V1, V2);
    OrgFixtures.opened(billing, "cora", "Cora", "carl", "USD", "pro", "2026-03-15T12:00:00Z");
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void aPriceRaiseMakesVersionTwo_theOrganizationsOnVersionOneKeepItsPrice_aNewOneTakesTheNew() {
    Answer versions = billing.call(HttpMethod.GET, "/admin/plans/pro/versions", admin("root"));

    assertEquals(200, versions.status(), versions.body().toString());
    assertEquals(
        List.of(
            "v1 USD 30.00 month cpu_cores 8 by null: 2 organizations, USD 2 60.00",
            "v2 USD 40.00 month cpu_cores 4 by root: 1 organizations, USD 1 40.00"),
        versionLines(versions.body()));
    assertEquals(2, versions.body().get("latest_version").asInt());
    assertEquals("raise Pro", versions.body().at("/versions/1/reason").asText());

    marchInvoiced();
    assertEquals(
        List.of("plan_fee Pro, 2026-03-01 – 2026-04-01 null null null 30 30.00"),
        lines(invoiceId("acme", "2026-03-01T00:00:00Z")),
        "acme stays on version 1, its 8 cores covering its 6: no overage");
    assertEquals(
        List.of("plan_fee Pro, 2026-03-15 – 2026-04-01 null null null 40 21.29"),
        lines(invoiceId("cora", "2026-03-01T00:00:00Z")));
    assertEquals(
        List.of(List.of("acme", 1), List.of("bolt", 1), List.of("cora", 2)),
        rows(
            "SELECT user_id, plan_version FROM billing_subscriptions WHERE ended_at IS NULL"
                + " ORDER BY user_id"));
  }

  @Test
  void fewerSeatsAndLessBandwidthMakeVersionThree_versionOnesOrganizationsKeepItsAllowances()
      throws SQLException {
    // acme (v1: 5 seats, 100 GB) has 3 members all March and uses 50 GB: all included
    OrgFixtures.added("acme", "amy", "member", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "abe", "member", "2026-03-01T00:00:00Z");
    saved("2026-03-20T00:00:00Z", V2, V3);
    // dana opens on v3 (1 seat, 10 GB) on March 20, with 2 members and the same 50 GB
    OrgFixtures.opened(billing, "dana", "Dana", "dan", "USD", "pro", "2026-03-20T00:00:00Z");
    OrgFixtures.added("dana", "deb", "member", "2026-03-20T00:00:00Z");
    bandwidth("acme", "2026-03-25T00:00:00Z");
    bandwidth("dana", "2026-03-25T00:00:00Z");

    marchInvoiced();
    assertEquals(
        List.of("plan_fee Pro, 2026-03-01 – 2026-04-01 null null null 30 30.00"),
        lines(invoiceId("acme", "2026-03-01T00:00:00Z")),
        "acme is on version 1: its 3 seats within 5, its 50 GB within 100");
    // dana: 40.00 × 12/31 = 15.4838… → 15.48; one seat beyond 1 for 12 days of 31, 10.00 ×
    // 0.387097 → 3.87; 40 GB beyond 10 at 0.08 = 3.20
    assertEquals(
        List.of(
            "plan_fee Pro, 2026-03-20 – 2026-04-01 null null null 40 15.48",
            "overage bandwidth_gb overage bandwidth_gb 40 GB 0.08 3.20",
            "overage members members 0.387097 seat-months 10.00 3.87"),
        lines(invoiceId("dana", "2026-03-01T00:00:00Z")));
    assertEquals(
        List.of(List.of("acme", 1), List.of("bolt", 1), List.of("cora", 2), List.of("dana", 3)),
        rows(
            "SELECT user_id, plan_version FROM billing_subscriptions WHERE ended_at IS NULL"
                + " ORDER BY user_id"));
  }

  @Test
  void aMigrationsPreviewIsWhatTheInvoiceChargesOnceMoved_toTheCent_toldOnceBefore()
      throws Exception {
    billing.calculateUsageAt("2026-03-20T12:00:00Z");
    String body =
        "{\"from_version\": 1, \"to_version\": 2, \"effective\": \"next_period\","
            + " \"notice_days\": 7, \"reason\": \"Pro costs more\"}";

    Answer preview =
        billing.call(HttpMethod.POST, MIGRATIONS + "?preview=true", admin("root"), body);

    assertEquals(200, preview.status(), preview.body().toString());
    assertEquals("2026-04-01T00:00:00Z", preview.body().get("effective_at").asText());
    assertEquals("2026-03-25T00:00:00Z", preview.body().get("notice_at").asText());
    assertEquals(0, preview.body().at("/last_closed_period/accounts").size(), "opened in March");
    assertEquals(
        List.of("acme 30.00 40.20 10.20", "bolt 30.00 40.00 10.00"),
        accounts(preview.body().get("current_period")),
        "cora, on version 2 already, is not moved");
    assertEquals(
        2, preview.body().at("/current_period/distribution/more").asInt(), "both pay more");
    assertEquals(0, rows("SELECT * FROM billing_plan_migrations").size(), "a preview stores none");
    assertTrue(scheduledChange("acme").isNull(), "nothing to show before the notice");

    Answer scheduled = billing.call(HttpMethod.POST, MIGRATIONS, admin("root"), body);
    assertEquals(201, scheduled.status(), scheduled.body().toString());
    long id = scheduled.body().get("id").asLong();

    run("2026-03-24T23:59:00Z");
    assertEquals(List.of(), notices(), "not before notice_at");
    run("2026-03-25T00:00:00Z");
    run("2026-03-25T00:01:00Z");
    assertEquals(
        List.of(notice("acme", id, "30.00"), notice("bolt", id, "30.00")),
        notices(),
        "each told once");
    JsonNode coming = scheduledChange("acme");
    assertEquals(2, coming.get("to_version").asInt());
    assertEquals("2026-04-01T00:00:00Z", coming.get("effective_at").asText());
    assertEquals("40.00", coming.get("price").decimalValue().toPlainString());

    run("2026-04-01T00:00:30Z");
    assertEquals(
        List.of(
            List.of("acme", 1, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
            List.of("acme", 2, "2026-04-01T00:00:00Z", "null")),
        terms("acme"),
        "moved at the effective instant, not when the job ran");
    assertTrue(scheduledChange("acme").isNull(), "nothing coming once moved");

    OrgFixtures.session(
        billing,
        "acme",
        "s2",
        "olivia",
        "2026-04-10T10:00:00Z",
        "2026-04-10T12:00:00Z",
        size("6", "2", "0"));
    billing.calculateUsageAt("2026-05-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");

    assertEquals(
        List.of(
            "plan_fee Pro, 2026-04-01 – 2026-05-01 null null null 40 40.00",
            "overage cpu overage cpu 4 core-hours 0.05 0.20"),
        lines(invoiceId("acme", "2026-04-01T00:00:00Z")),
        "the same two hours on version 2: 40.20, the preview's what_if_total");
    assertEquals(
        List.of(List.of("acme", "40.20"), List.of("bolt", "40.00")),
        rows(
            "SELECT user_id, subtotal::text FROM billing_invoices"
                + " WHERE period_start = '2026-04-01T00:00:00Z' AND user_id <> 'cora'"
                + " ORDER BY user_id"));
  }

  /**
   * The migration v1 → v2 on April 1 comes due while plan-migrations does not run (a day without
   * a run): ben moves bolt to Hobby on April 2 at 00:00, before the run that would move it. As
   * with a trial's end, the change starts from what the move makes: bolt on v2 from April 1,
   * 00:00 (40.00 for 1 day of April's 30: 1.3333… → 1.33, not v1's 1.00), then Hobby. The run
   * at 00:01 moves acme, and the migration is applied with both moved.
   */
  @Test
  void aPlanChangeAfterAMigrationsInstant_beforeItsRun_startsFromWhatTheMoveMade() {
    Answer scheduled =
        billing.call(
            HttpMethod.POST,
            MIGRATIONS,
            admin("root"),
            "{\"from_version\": 1, \"to_version\": 2, \"effective\": \"2026-04-01\","
                + " \"notice_days\": 7, \"reason\": \"Pro costs more\"}");
    assertEquals(201, scheduled.status(), scheduled.body().toString());
    run("2026-03-25T00:00:00Z");
    billing.clock.set(at("2026-04-02T00:00:00Z"));

    Answer moved =
        billing.call(
            HttpMethod.PUT,
            "/subscription",
            user("ben"),
            "{\"plan_id\": \"free\", \"org_id\": \"bolt\"}");

    assertEquals(200, moved.status(), moved.body().toString());
    assertEquals(
        List.of(
            List.of("bolt", 1, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
            List.of("bolt", 2, "2026-04-01T00:00:00Z", "2026-04-02T00:00:00Z"),
            List.of("bolt", 1, "2026-04-02T00:00:00Z", "null")),
        terms("bolt"));
    run("2026-04-02T00:01:00Z");
    assertEquals(
        List.of(
            List.of("acme", 1, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
            List.of("acme", 2, "2026-04-01T00:00:00Z", "null")),
        terms("acme"));
    assertEquals(
        List.of(List.of("applied", 2)), rows("SELECT status, moved FROM billing_plan_migrations"));
    billing.calculateUsageAt("2026-05-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");
    assertEquals(
        List.of(
            "plan_fee Pro, 2026-04-01 – 2026-04-02 null null null 40 1.33",
            "plan_fee Hobby, 2026-04-02 – 2026-05-01 null null null 0 0.00"),
        lines(invoiceId("bolt", "2026-04-01T00:00:00Z")));
  }

  /**
   * A node makes acme's and bolt's notices at 00:00 on March 25 and dies before it publishes them
   * (its publisher throws): their rows stay unpublished. The run at 00:01, within the two
   * minutes' lease, publishes nothing; the one at 00:02 publishes each once, from its row; the
   * one at 00:03 none again.
   */
  @Test
  void noticesANodeDiedBeforePublishing_arePublishedByALaterRun_once() {
    Answer scheduled =
        billing.call(
            HttpMethod.POST,
            MIGRATIONS,
            admin("root"),
            "{\"from_version\": 1, \"to_version\": 2, \"effective\": \"2026-04-01\","
                + " \"notice_days\": 7, \"reason\": \"Pro costs more\"}");
    long id = scheduled.body().get("id").asLong();
    billing.clock.set(at("2026-03-25T00:00:00Z"));
    MigrationRuns dying =
        new MigrationRuns(
            TestDatabase.dataSource(),
            null, // it only tells
            new BillingEvents(
                (name, payload) -> {
                  throw new IllegalStateException("the node dies before it publishes");
                }),
            BillingConfig::defaults,
            billing.clock);

    assertThrows(IllegalStateException.class, dying::tell);

    String unpublished =
        "SELECT org_id FROM billing_plan_migration_notices WHERE published_at IS NULL"
            + " ORDER BY org_id";
    assertEquals(List.of(List.of("acme"), List.of("bolt")), rows(unpublished));
    run("2026-03-25T00:01:00Z");
    assertEquals(List.of(), notices(), "its node's lease runs to 00:02");
    run("2026-03-25T00:02:00Z");
    run("2026-03-25T00:03:00Z");
    assertEquals(
        List.of(notice("acme", id, "30.00"), notice("bolt", id, "30.00")),
        notices(),
        "each published once, by the first run after the lease");
    assertEquals(List.of(), rows(unpublished));
  }

  @Test
  void twoNodesTellingAtOnceTellEachOrganizationOnce() throws Exception {
    Answer scheduled =
        billing.call(
            HttpMethod.POST,
            MIGRATIONS,
            admin("root"),
            "{\"from_version\": 1, \"to_version\": 2, \"effective\": \"2026-04-01\","
                + " \"notice_days\": 7, \"reason\": \"Pro costs more\"}");
    assertEquals(201, scheduled.status(), scheduled.body().toString());
    billing.clock.set(at("2026-03-25T00:00:00Z"));
    List<String> told = new CopyOnWriteArrayList<>();
    List<MigrationRuns> nodes = List.of(node(told), node(told));
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Integer>> runs = new ArrayList<>();
      for (MigrationRuns node : nodes) {
        runs.add(
            pool.submit(
                () -> {
                  start.await();
                  return node.tell();
                }));
      }
      start.countDown();
      assertEquals(2, runs.get(0).get() + runs.get(1).get());
    } finally {
      pool.shutdownNow();
    }

    assertEquals(List.of("acme", "bolt"), told.stream().sorted().toList());
    run("2026-03-25T00:01:00Z");
    assertEquals(List.of(), notices(), "a third node's run tells no one either");
  }

  @Test
  void aCancelledMigrationChangesNothing_whileOneAtAnInstantProratesTheInvoiceThere() {
    Answer scheduled =
        billing.call(
            HttpMethod.POST,
            MIGRATIONS,
            admin("root"),
            "{\"from_version\": 1, \"to_version\": 2, \"effective\": \"2026-03-25T00:00:00Z\","
                + " \"notice_days\": 2, \"reason\": \"Pro costs more\"}");
    long id = scheduled.body().get("id").asLong();
    run("2026-03-23T00:00:00Z"); // both told
    billing.clock.set(at("2026-03-24T12:00:00Z"));

    Answer cancelled =
        billing.call(
            HttpMethod.POST,
            MIGRATIONS + "/" + id + "/cancel",
            admin("root"),
            "{\"reason\": \"the raise waits for Q2\"}");

    assertEquals(200, cancelled.status(), cancelled.body().toString());
    assertEquals("cancelled", cancelled.body().get("status").asText());
    assertEquals(
        List.of("acme", "bolt"),
        billing.published(BillingEvents.PLAN_MIGRATION_CANCELLED).stream()
            .map(e -> BillingHarness.json(e).get("org_id").asText())
            .toList());
    run("2026-03-25T00:01:00Z");
    assertEquals(
        List.of(List.of("acme", 1, "2026-03-01T00:00:00Z", "null")), terms("acme"), "nobody moved");
    assertTrue(scheduledChange("acme").isNull());
    Answer late =
        billing.call(
            HttpMethod.POST,
            MIGRATIONS + "/" + id + "/cancel",
            admin("root"),
            "{\"reason\": \"again\"}");
    assertEquals(409, late.status());
    assertEquals(
        List.of(
            List.of("plan_migration.scheduled", "root", "Pro costs more"),
            List.of("plan_migration.cancelled", "root", "the raise waits for Q2")),
        rows(
            "SELECT kind, actor_id, reason FROM billing_audit_entries"
                + " WHERE kind LIKE 'plan_migration.%' ORDER BY occurred_at"));

    // the same migration at 2026-03-28 00:00: 27 days of March at 30.00, 4 at 40.00
    billing.clock.set(at("2026-03-26T00:00:00Z"));
    Answer again =
        billing.call(
            HttpMethod.POST,
            MIGRATIONS,
            admin("root"),
            "{\"from_version\": 1, \"to_version\": 2, \"effective\": \"2026-03-28T00:00:00Z\","
                + " \"notice_days\": 0, \"reason\": \"Pro costs more\"}");
    assertEquals(201, again.status(), again.body().toString());
    run("2026-03-28T00:00:00Z");
    marchInvoiced();
    assertEquals(
        List.of(
            "plan_fee Pro, 2026-03-01 – 2026-03-28 null null null 30 26.13",
            "plan_fee Pro, 2026-03-28 – 2026-04-01 null null null 40 5.16"),
        lines(invoiceId("bolt", "2026-03-01T00:00:00Z")),
        "30 × 27 ÷ 31 = 26.1290…, 40 × 4 ÷ 31 = 5.1612…");
  }

  /**
   * Admission and quotas hold an organization to the limits of the version it is on. Studio is
   * added on March 16 with a hard limit of 4 cores (its version 1), and eve opens on it; on March
   * 17 the admin saves it with 2 (version 2), and fay opens on it. Another node, once its view is
   * reloaded, admits eve's session of 4 cores (refusing 5, naming version 1's limit) and refuses
   * fay's of 3 at version 2's 2; {@code /quota} and {@code /admin/quotas} show each its own
   * limit. A migration v1 → v2 on April 1 moves eve: from the node's next reload, 4 cores are
   * refused her too. Then two saves with no reload between: 3 cores (version 3), gus opening on
   * it, then 1 core (version 4): the node reads version 3 when gus first asks, admitting his 3
   * cores and refusing 4, not taking it for the plan as the node configures it (2).
   */
  @Test
  void admissionAndQuotasHoldEachOrganizationToItsVersionsLimits_untilAMigrationMovesIt()
      throws SQLException {
    saved("2026-03-16T00:00:00Z", V2, STUDIO.formatted("4"));
    OrgFixtures.opened(billing, "eve", "Eve", "erin", "USD", "studio", "2026-03-16T00:00:00Z");
    saved("2026-03-17T00:00:00Z", STUDIO.formatted("4"), STUDIO.formatted("2"));
    OrgFixtures.opened(billing, "fay", "Fay", "finn", "USD", "studio", "2026-03-17T00:00:00Z");
    MutableClock nodeClock = new MutableClock(at("2026-03-17T00:00:00Z"));
    BillingConfig nodeConfig =
        new BillingConfigParser(CronValidator.fiveFields()).parse(STUDIO.formatted("2")).config();
    try (Admission node = AnotherNode.admission(nodeClock, nodeConfig, TestDatabase.dataSource())) {
      node.refresh();

      assertTrue(node.admit(asks("erin", "eve", "4")).allowed(), "eve is on version 1: 4 cores");
      AdmissionDecision five = node.admit(asks("erin", "eve", "5"));
      assertEquals("cpu_cores_limit", five.code());
      assertEquals(
          "CPU limit reached: 0 cores in use plus 5 for this session would pass the hard limit of"
              + " 4 cores of version 1 of the Studio plan. The Hobby plan would allow it.",
          five.reason(),
          "the version it is on named; Hobby's cores are soft (hybrid): it refuses none");
      AdmissionDecision three = node.admit(asks("finn", "fay", "3"));
      assertEquals("cpu_cores_limit", three.code());
      assertEquals(
          "CPU limit reached: 0 cores in use plus 3 for this session would pass the hard limit of"
              + " 2 cores of the Studio plan. The Hobby plan would allow it.",
          three.reason());
      assertEquals("4 hard", coreLimit("eve", "erin"));
      assertEquals("2 hard", coreLimit("fay", "finn"));
      eveRuns("e1", "4", "2026-03-17T00:00:00Z"); // the session admitted, at her limit
      assertEquals(
          List.of(List.of("eve", "4", "4", "100.00", "hard", "exceeded")),
          overCores(),
          "judged in SQL against version 1's 4 cores: not over version 2's 2");
      eveRuns("e1", null, "2026-03-17T00:30:00Z");

      Answer scheduled =
          billing.call(
              HttpMethod.POST,
              "/admin/plans/studio/migrations",
              admin("root"),
              "{\"from_version\": 1, \"to_version\": 2, \"effective\": \"2026-04-01\","
                  + " \"notice_days\": 0, \"reason\": \"Studio gives 2 cores\"}");
      assertEquals(201, scheduled.status(), scheduled.body().toString());
      run("2026-04-01T00:00:00Z");
      nodeClock.set(at("2026-04-01T00:01:00Z"));
      assertTrue(node.admit(asks("erin", "eve", "4")).allowed(), "until the node's next reload");
      node.refresh();

      AdmissionDecision moved = node.admit(asks("erin", "eve", "4"));
      assertEquals("cpu_cores_limit", moved.code());
      assertEquals(
          "CPU limit reached: 0 cores in use plus 4 for this session would pass the hard limit of"
              + " 2 cores of the Studio plan. The Hobby plan would allow it.",
          moved.reason());
      assertEquals("2 hard", coreLimit("eve", "erin"));

      saved("2026-04-01T00:02:00Z", STUDIO.formatted("2"), STUDIO.formatted("3"));
      OrgFixtures.opened(billing, "gus", "Gus", "gil", "USD", "studio", "2026-04-01T00:02:00Z");
      saved("2026-04-01T00:03:00Z", STUDIO.formatted("3"), STUDIO.formatted("1"));
      nodeClock.set(at("2026-04-01T00:04:00Z"));
      assertTrue(node.admit(asks("gil", "gus", "3")).allowed(), "version 3, read when asked");
      assertEquals(
          "CPU limit reached: 0 cores in use plus 4 for this session would pass the hard limit of"
              + " 3 cores of version 3 of the Studio plan. The Hobby plan would allow it.",
          node.admit(asks("gil", "gus", "4")).reason());
    }
  }

  @Test
  void aBadMigrationIsRefusedNamingTheField_andOnlyThePlatformAdminMayAsk() {
    Map<String, String> before = BillingHarness.tableContents();
    Map<String, String> refusals = new LinkedHashMap<>();
    refusals.put(
        "{\"to_version\": 2, \"effective\": \"next_period\", \"notice_days\": 7,"
            + " \"reason\": \"r\"}",
        "from_version");
    refusals.put(
        "{\"from_version\": 1, \"to_version\": 3, \"effective\": \"next_period\","
            + " \"notice_days\": 7, \"reason\": \"r\"}",
        "to_version");
    refusals.put(
        "{\"from_version\": 1, \"to_version\": 1, \"effective\": \"next_period\","
            + " \"notice_days\": 7, \"reason\": \"r\"}",
        "to_version");
    refusals.put(
        "{\"from_version\": 1, \"to_version\": 2, \"effective\": \"2026-03-01\","
            + " \"notice_days\": 7, \"reason\": \"r\"}",
        "effective");
    refusals.put(
        "{\"from_version\": 1, \"to_version\": 2, \"effective\": \"next_period\","
            + " \"notice_days\": 30, \"reason\": \"r\"}",
        "notice_days");
    refusals.put(
        "{\"from_version\": 1, \"to_version\": 2, \"effective\": \"next_period\","
            + " \"notice_days\": 7}",
        "reason");
    refusals.put(
        "{\"from_version\": 1, \"to_version\": 2, \"effective\": \"next_period\","
            + " \"notice_days\": 7, \"reason\": \"r\", \"price\": 50}",
        "price");
    List<String> fields = new ArrayList<>();
    for (Map.Entry<String, String> refusal : refusals.entrySet()) {
      Answer answer = billing.call(HttpMethod.POST, MIGRATIONS, admin("root"), refusal.getKey());
      assertEquals(400, answer.status(), answer.body().toString());
      fields.add(answer.errorField());
    }

    assertEquals(List.copyOf(refusals.values()), fields);
    assertEquals(
        "a notice of 30 days before 2026-04-01T00:00:00Z is due at 2026-03-02T00:00:00Z, before"
            + " now: give at most 16 days, or a later effective",
        billing
            .call(
                HttpMethod.POST,
                MIGRATIONS,
                admin("root"),
                "{\"from_version\": 1, \"to_version\": 2, \"effective\": \"next_period\","
                    + " \"notice_days\": 30, \"reason\": \"r\"}")
            .errorMessage());
    assertEquals(
        403, billing.call(HttpMethod.GET, "/admin/plans/pro/versions", user("olivia")).status());
    assertEquals(
        403,
        billing
            .call(
                HttpMethod.POST,
                MIGRATIONS,
                user("olivia"),
                "{\"from_version\": 1, \"to_version\": 2, \"effective\": \"next_period\","
                    + " \"notice_days\": 7, \"reason\": \"r\"}")
            .status());
    assertEquals(
        404, billing.call(HttpMethod.GET, "/admin/plans/gold/versions", admin("root")).status());
    assertEquals(
        "preview",
        billing
            .call(
                HttpMethod.POST,
                MIGRATIONS + "?preview=maybe",
                admin("root"),
                "{\"from_version\": 1, \"to_version\": 2, \"effective\": \"next_period\","
                    + " \"notice_days\": 7}")
            .errorField());
    assertEquals(before, BillingHarness.tableContents(), "nothing stored or changed");

    String valid =
        "{\"from_version\": 1, \"to_version\": 2, \"effective\": \"next_period\","
            + " \"notice_days\": 7, \"reason\": \"r\"}";
    long first =
        billing.call(HttpMethod.POST, MIGRATIONS, admin("root"), valid).body().get("id").asLong();
    Answer second = billing.call(HttpMethod.POST, MIGRATIONS, admin("root"), valid);
    assertEquals(409, second.status());
    assertEquals("migration_scheduled", second.body().at("/error/code").asText());
    assertEquals(first, second.body().at("/error/migration_id").asLong());
  }

  // ---- helpers ----

  /** A session of {@code cores} cores and 1 GB that {@code user} asks to start under the org. */
  private static AdmissionRequest asks(String user, String org, String cores) {
    return new AdmissionRequest(user, null, size(cores, "1", "0"), org);
  }

  /** eve's session {@code id} starts with {@code cores} cores at {@code at}; null: it ends. */
  private void eveRuns(String id, String cores, String at) {
    SessionEvent event =
        new SessionEvent(
            id + "-" + at, at(at), id, "erin", cores == null ? null : size(cores, "1", "0"), "eve");
    if (cores == null) {
      billing.billing.onSessionTerminated(billing.context, event);
    } else {
      billing.billing.onSessionCreated(billing.context, event);
    }
    billing.flush();
  }

  /** {@code GET /admin/quotas?meter=cpu_cores}'s rows: org, used, limit, percent, kind, state. */
  private List<List<String>> overCores() {
    Answer over = billing.call(HttpMethod.GET, "/admin/quotas?meter=cpu_cores", admin("root"));
    assertEquals(200, over.status(), over.body().toString());
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode row : over.body().get("quotas")) {
      rows.add(
          List.of(
              row.get("user_id").asText(),
              row.get("used").decimalValue().toPlainString(),
              row.get("limit").decimalValue().toPlainString(),
              row.get("percent").decimalValue().toPlainString(),
              row.get("kind").asText(),
              row.get("state").asText()));
    }
    return rows;
  }

  /** The organization's {@code cpu_cores} limit and kind, as its owner reads {@code /quota}. */
  private String coreLimit(String org, String owner) {
    Answer quota = billing.call(HttpMethod.GET, "/quota?org_id=" + org, user(owner));
    assertEquals(200, quota.status(), quota.body().toString());
    for (JsonNode meter : quota.body().get("meters")) {
      if (meter.get("meter").asText().equals("cpu_cores")) {
        return meter.get("limit").decimalValue().toPlainString() + " " + meter.get("kind").asText();
      }
    }
    throw new AssertionError("no cpu_cores in " + quota.body());
  }

  /** The admin saves {@code after} over {@code before} at {@code at}; it takes effect. */
  private void saved(String at, String before, String after) throws SQLException {
    ConfigSaves.saved(billing, at(at), "raise Pro", before, after);
  }

  /** The organization reports 50 GB of bandwidth at {@code at}. */
  private void bandwidth(String org, String at) {
    billing.billing.onUsageReported(
        billing.context,
        new UsageReport(
            "bw-" + org, at(at), org, "bandwidth_gb", new java.math.BigDecimal("50"), null));
  }

  private void marchInvoiced() {
    billing.calculateUsageAt("2026-04-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
  }

  private void run(String now) {
    JobRun run = billing.runAt("plan-migrations", now);
    assertEquals(JobOutcome.SUCCEEDED, run.outcome(), run.message());
  }

  /** A node of its own on the test database, telling into {@code told}. */
  private MigrationRuns node(List<String> told) {
    return new MigrationRuns(
        TestDatabase.dataSource(),
        null, // it only tells
        new BillingEvents(
            (name, payload) -> told.add(BillingHarness.json(payload).get("org_id").asText())),
        BillingConfig::defaults, // Pro by name, as the version names it
        billing.clock);
  }

  /** Each notice published, as {@code "org migration current->new effective"}. */
  private List<String> notices() {
    return billing.published(BillingEvents.PLAN_MIGRATION_SCHEDULED).stream()
        .map(BillingHarness::json)
        .map(
            n ->
                n.get("org_id").asText()
                    + " "
                    + n.get("migration_id").asLong()
                    + " v"
                    + n.get("from_version").asInt()
                    + " "
                    + n.get("current_price").decimalValue().toPlainString()
                    + " -> v"
                    + n.get("to_version").asInt()
                    + " "
                    + n.get("new_price").decimalValue().toPlainString()
                    + " "
                    + n.get("currency").asText()
                    + " from "
                    + n.get("effective_at").asText())
        .toList();
  }

  private static String notice(String org, long id, String current) {
    return org + " " + id + " v1 " + current + " -> v2 40.00 USD from 2026-04-01T00:00:00Z";
  }

  /** The Owner's subscription answer's {@code scheduled_change}. */
  private JsonNode scheduledChange(String org) {
    String owner = org.equals("acme") ? "olivia" : "ben";
    Answer answer = billing.call(HttpMethod.GET, "/subscription?org_id=" + org, user(owner));
    assertEquals(200, answer.status(), answer.body().toString());
    return answer.body().get("scheduled_change");
  }

  private static List<List<Object>> terms(String org) {
    return rows(
            """
            SELECT user_id, plan_version, started_at, ended_at FROM billing_subscriptions
            WHERE user_id = ? ORDER BY started_at""",
            org)
        .stream()
        .map(
            r ->
                List.<Object>of(
                    r.get(0),
                    r.get(1),
                    ((Timestamp) r.get(2)).toInstant().toString(),
                    r.get(3) == null ? "null" : ((Timestamp) r.get(3)).toInstant().toString()))
        .toList();
  }

  /** Each version as {@code "vN prices interval cpu by: organizations, mrr per currency"}. */
  private static List<String> versionLines(JsonNode answer) {
    List<String> lines = new ArrayList<>();
    for (JsonNode v : answer.get("versions")) {
      StringBuilder line = new StringBuilder("v" + v.get("version").asInt());
      for (JsonNode price : v.get("prices")) {
        line.append(' ')
            .append(price.get("currency").asText())
            .append(' ')
            .append(price.get("price").decimalValue().toPlainString());
      }
      line.append(' ').append(v.get("interval").asText());
      for (JsonNode limit : v.get("limits")) {
        if (limit.get("meter").asText().equals("cpu_cores")) {
          line.append(" cpu_cores ").append(limit.get("limit").decimalValue().toPlainString());
        }
      }
      line.append(" by ").append(v.get("created_by").asText("null"));
      line.append(": ").append(v.get("organizations").asLong()).append(" organizations");
      for (JsonNode mrr : v.get("mrr")) {
        line.append(", ")
            .append(mrr.get("currency").asText())
            .append(' ')
            .append(mrr.get("organizations").asLong())
            .append(' ')
            .append(mrr.get("mrr").decimalValue().toPlainString());
      }
      lines.add(line.toString());
    }
    return lines;
  }

  /** A what-if period's organizations as {@code "org invoiced what-if delta"}. */
  private static List<String> accounts(JsonNode period) {
    List<String> accounts = new ArrayList<>();
    for (JsonNode a : period.get("accounts")) {
      accounts.add(
          a.get("org_id").asText()
              + " "
              + a.get("invoiced_total").decimalValue().toPlainString()
              + " "
              + a.get("what_if_total").decimalValue().toPlainString()
              + " "
              + a.get("delta").decimalValue().toPlainString());
    }
    return accounts;
  }
}

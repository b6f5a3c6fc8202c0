package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.FINALIZE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.plugin.api.jobs.JobOutcome.SUCCEEDED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.jobs.RollUpUsageJob;
import io.streamspace.billing.rating.RatingRuns;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.common.db.Transactions;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invoices claimed through the daily rollup are, to the cent, the invoices claimed from the
 * records. From a seed, one script is played twice on an empty database: once with the
 * roll-up-usage job run between its steps (so that the claims read the rollup's whole days, a
 * tail of records rated after its watermark, and records for the rest), once without it (the
 * rollup never built: the claims read the records only, as before the rollup). The script: in
 * New York's billing zone (DST begins on March 8), a team organization whose sessions are run
 * by three members (and one session whose row is not there) and three personal accounts, one
 * with a credit; random cpu, memory, storage and GPU records (a held meter the config lists, at
 * its price) of late February to early May in nine rating runs, many of them late (rated after
 * their period's invoice); March invoiced after a roll-up and a run more; one March invoice
 * voided and issued again by an admin; an admin's invoice ending mid-day, whose account's next
 * invoice then starts mid-day; April invoiced; then another March invoice voided and issued
 * again, after its account's April invoice. Every invoice of the one play is the other's: its
 * period, status, number and totals, every line (gpu lines asserted present), and the team's
 * amounts per member. Two fixed seeds and a new one each run ({@code -Drollup.seed=N} replays
 * seed N).
 */
class ClaimsThroughRollupEquivalenceTest {

  private static final String CONFIG =
      """
      {"billingTimeZone": "America/New_York",
       "meters": [{"id": "cpu_cores"}, {"id": "memory_gb"}, {"id": "active_sessions"},
                  {"id": "storage_gb"}, {"id": "bandwidth_gb"}, {"id": "transcoding_minutes"},
                  {"id": "ai_queries"},
                  {"id": "gpu", "name": "GPU", "unit": "gpu", "kind": "held",
                   "prices": {"USD": 0.90, "VND": 22000}}]}""";
  private static final List<String> ACCOUNTS = List.of("acme", "bob", "cleo", "dora");

  private BillingHarness billing;
  private Random random;

  @AfterEach
  void unload() {
    if (billing != null) {
      billing.close();
    }
  }

  static LongStream seeds() {
    String replay = System.getProperty("rollup.seed");
    return replay != null
        ? LongStream.of(Long.parseLong(replay))
        : LongStream.of(27, 36, new Random().nextLong());
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void invoicesThroughTheRollupAreTheInvoicesFromTheRecords(long seed) throws Exception {
    List<String> throughRollup = play(seed, true);
    assertEquals(List.of(), billing.billing.validateConfig(CONFIG), "the config's problems");
    assertTrue(
        (Long) value("SELECT count(*) FROM billing_usage_daily") > 0, "the rollup was built");
    billing.close();
    List<String> fromRecords = play(seed, false);
    assertEquals(
        0L,
        value("SELECT count(*) FROM billing_usage_rollup WHERE time_zone IS NOT NULL"),
        "the other play never built the rollup");

    assertEquals(fromRecords, throughRollup, "replay with -Drollup.seed=" + seed);
    assertTrue(
        throughRollup.stream().filter(l -> l.startsWith("invoice ")).count() >= 10,
        "March and April of each account, two voided and issued again: " + throughRollup);
    assertTrue(throughRollup.stream().anyMatch(l -> l.startsWith("member ")), "by member");
    assertTrue(throughRollup.stream().anyMatch(l -> l.contains("|credit|")), "a credit");
    assertTrue(
        throughRollup.stream()
            .anyMatch(l -> l.startsWith("line ") && l.split("\\|")[6].equals("gpu")),
        "GPUs held compared: " + throughRollup);
  }

  /** The script, with or without roll-ups; answers every invoice, line and member amount. */
  private List<String> play(long seed, boolean rollUps) throws Exception {
    random = new Random(seed);
    billing = new BillingHarness(at("2026-02-20T12:00:00Z"), CONFIG);
    OrgFixtures.opened(billing, "acme", "Acme", "ann", "USD", "free", "2026-02-20T12:00:00Z");
    OrgFixtures.added("acme", "ben", "member", "2026-02-20T12:00:00Z");
    OrgFixtures.added("acme", "cat", "member", "2026-02-20T12:00:00Z");
    for (String member : List.of("ann", "ben", "cat")) {
      session("acme-" + member, member, "acme");
    }
    for (String personal : List.of("bob", "cleo", "dora")) {
      billing.userCreated(personal, Map.of());
    }
    billing.flush();
    value(
        """
        INSERT INTO billing_credits (user_id, amount, remaining, currency, reason, granted_by,
                                     granted_at)
        VALUES ('bob', 3.50, 3.50, 'USD', 'welcome', 'root', '2026-03-02T00:00:00Z')
        RETURNING 1""");

    rate(40, "2026-02-26T00:00:00Z", "2026-04-01T04:00:00Z");
    rate(40, "2026-02-26T00:00:00Z", "2026-04-01T04:00:00Z");
    rollUp(rollUps, "2026-03-31T12:00:00Z");
    rate(40, "2026-02-26T00:00:00Z", "2026-04-01T04:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T04:10:00Z"); // March's drafts, in the grace
    rate(30, "2026-03-01T00:00:00Z", "2026-04-03T00:00:00Z");
    rollUp(rollUps, "2026-04-01T04:20:00Z");
    rate(30, "2026-03-01T00:00:00Z", "2026-04-03T00:00:00Z"); // after the watermark: the tail
    billing.runAt(FINALIZE_INVOICES, "2026-04-01T06:00:00Z");

    rate(40, "2026-03-20T00:00:00Z", "2026-04-20T00:00:00Z"); // late records of March
    rollUp(rollUps, "2026-04-10T00:00:00Z");
    // bob's March voided (its records released to a fresh run) and issued again
    asAdmin(
        HttpMethod.PATCH,
        "/admin/invoices/" + value(MARCH_OF, "bob"),
        "{\"status\": \"void\", \"note\": \"issued again\"}",
        200);
    asAdmin(
        HttpMethod.POST,
        "/admin/invoices",
        "{\"user_id\": \"bob\", \"period_start\": \"2026-03-01\", \"period_end\": \"2026-04-01\", \"reason\": \"test\"}",
        201);
    rate(40, "2026-03-25T00:00:00Z", "2026-05-03T00:00:00Z");
    rate(6, "2026-04-12T04:00:00Z", "2026-04-12T15:30:00Z", List.of("dora")); // its last hours
    rollUp(rollUps, "2026-04-12T16:00:00Z");
    // dora's invoice to mid-day, by an admin: her next invoice starts there
    asAdmin(
        HttpMethod.POST,
        "/admin/invoices",
        "{\"user_id\": \"dora\", \"period_start\": \"2026-04-01\","
            + " \"period_end\": \"2026-04-12T15:30:00Z\", \"reason\": \"test\"}",
        201);
    rate(40, "2026-03-25T00:00:00Z", "2026-05-03T00:00:00Z");
    rollUp(rollUps, "2026-04-30T12:00:00Z");
    rate(30, "2026-04-01T00:00:00Z", "2026-05-03T00:00:00Z"); // the tail again
    billing.runAt(GENERATE_INVOICES, "2026-05-01T06:00:00Z"); // April's, after the grace
    rollUp(rollUps, "2026-05-01T06:30:00Z");
    // cleo's March voided after her April invoice billed March's late records, and issued again:
    // it bills what March had, not those (April's claim, later, ends after its days)
    asAdmin(
        HttpMethod.PATCH,
        "/admin/invoices/" + value(MARCH_OF, "cleo"),
        "{\"status\": \"void\", \"note\": \"issued again\"}",
        200);
    asAdmin(
        HttpMethod.POST,
        "/admin/invoices",
        "{\"user_id\": \"cleo\", \"period_start\": \"2026-03-01\", \"period_end\": \"2026-04-01\", \"reason\": \"test\"}",
        201);
    return invoices();
  }

  private static final String MARCH_OF =
      """
      SELECT id FROM billing_invoices
      WHERE user_id = ? AND period_start = '2026-03-01T05:00:00Z' AND status <> 'void'""";

  private void asAdmin(HttpMethod method, String path, String body, int status) {
    Answer answer = billing.call(method, path, admin("root"), body);
    assertEquals(status, answer.status(), answer.body().toString());
  }

  /** The roll-up job at {@code now} (the other play's clock moves there too). */
  private void rollUp(boolean rollUps, String now) {
    billing.clock.set(at(now));
    if (rollUps) {
      assertEquals(SUCCEEDED, billing.runAt(RollUpUsageJob.NAME, now).outcome());
    }
  }

  /**
   * Every invoice (period, status, number, totals), then its lines, then its amounts per member,
   * by account and period: the ids differ between the plays, nothing else may.
   */
  private static List<String> invoices() {
    return Stream.of(
            rows(
                """
                SELECT 'invoice ' || user_id || '|' || period_start || '|' || period_end || '|'
                       || status || '|' || coalesce(invoice_number, '') || '|' || subtotal
                       || '|' || credits_applied || '|' || total
                FROM billing_invoices ORDER BY user_id, period_start, status"""),
            rows(
                """
                SELECT 'line ' || i.user_id || '|' || i.period_start || '|' || i.status || '|'
                       || l.line_no || '|' || l.kind || '|' || l.description || '|'
                       || coalesce(l.resource_type, '') || '|' || coalesce(l.quantity::text, '')
                       || '|' || coalesce(l.unit_price::text, '') || '|' || l.amount || '|'
                       || l.period_start || '|' || l.period_end
                FROM billing_invoice_lines l JOIN billing_invoices i ON i.id = l.invoice_id
                ORDER BY i.user_id, i.period_start, i.status, l.line_no"""),
            rows(
                """
                SELECT 'member ' || i.user_id || '|' || i.period_start || '|' || m.line_no || '|'
                       || coalesce(m.user_id, '-') || '|' || coalesce(m.quantity::text, '')
                       || '|' || m.amount
                FROM billing_invoice_member_amounts m
                JOIN billing_invoices i ON i.id = m.invoice_id
                ORDER BY i.user_id, i.period_start, m.line_no, m.user_id NULLS FIRST"""))
        .flatMap(List::stream)
        .map(r -> (String) r.get(0))
        .collect(Collectors.toList());
  }

  private static void session(String session, String member, String account) {
    value(
        """
        INSERT INTO billing_sessions (session_id, user_id, org_id, org_fixed, started_at,
                                      last_heartbeat)
        VALUES (?, ?, ?, true, '2026-02-20T12:00:00Z', '2026-02-20T12:00:00Z') RETURNING 1""",
        session,
        member,
        account);
  }

  /**
   * One rating run of {@code count} random records starting at half hours of {@code [from,
   * to)}: storage (no session), or cpu, memory or GPUs of one of the account's sessions (acme's:
   * one of its members', or a session whose row is not there), at one of three prices (GPUs at
   * the meter's 0.90).
   */
  private void rate(int count, String from, String to) throws Exception {
    rate(count, from, to, ACCOUNTS);
  }

  /** {@link #rate(int, String, String)} of the accounts given. */
  private void rate(int count, String from, String to, List<String> accounts) throws Exception {
    Instant start = at(from);
    long halfHours = Duration.between(start, at(to)).toMinutes() / 30;
    Transactions.inTransaction(
        TestDatabase.dataSource(),
        connection -> {
          long run = RatingRuns.begin(connection);
          try (PreparedStatement insert =
              connection.prepareStatement(
                  """
                  INSERT INTO billing_usage_records (user_id, session_id, resource_type,
                      slice_start, slice_end, unit_seconds, unit, unit_price, currency,
                      created_at, rating_run)
                  VALUES (?, ?, ?, ?, ?, ?, CASE ? WHEN 'cpu' THEN 'core-hours'
                          WHEN 'memory' THEN 'gb-hours' WHEN 'storage' THEN 'gb-months'
                          ELSE ? || '-hours' END, ?, 'USD', ?, ?)
                  ON CONFLICT DO NOTHING""")) {
            for (int i = 0; i < count; i++) {
              String account = accounts.get(random.nextInt(accounts.size()));
              int kind = random.nextInt(5);
              String session =
                  kind == 0
                      ? ""
                      : account.equals("acme")
                          ? kind == 1
                              ? "acme-gone"
                              : "acme-" + List.of("ann", "ben", "cat").get(random.nextInt(3))
                          : account + "-s";
              String resource =
                  session.isEmpty()
                      ? "storage"
                      : List.of("cpu", "memory", "gpu").get(random.nextInt(3));
              Instant slice = start.plus(Duration.ofMinutes(30 * random.nextLong(halfHours)));
              insert.setString(1, account);
              insert.setString(2, session);
              insert.setString(3, resource);
              insert.setTimestamp(4, Timestamp.from(slice));
              insert.setTimestamp(5, Timestamp.from(slice.plus(Duration.ofMinutes(30))));
              insert.setBigDecimal(6, BigDecimal.valueOf(1 + random.nextInt(50_000_000), 3));
              insert.setString(7, resource);
              insert.setString(8, resource);
              insert.setBigDecimal(
                  9,
                  resource.equals("gpu")
                      ? new BigDecimal("0.90")
                      : new BigDecimal(List.of("0.0437", "0.05", "0.10").get(random.nextInt(3))));
              insert.setTimestamp(10, Timestamp.from(slice.plus(Duration.ofHours(1))));
              insert.setLong(11, run);
              insert.executeUpdate();
            }
          }
          return null;
        });
  }
}

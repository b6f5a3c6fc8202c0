package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.support.HostClient;
import io.streamspace.testing.Await;
import io.streamspace.testing.TestDatabases;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar host-sample.jar} killed with SIGKILL while generate-invoices finalizes
 * thousands of drafts (docs/operator-guide.md, "Killing a node"; issue 27: "generate-invoices
 * survives SIGKILL mid-run and a re-run"), then another node started on the same PostgreSQL,
 * which takes the dead node's run over (Quartz's recovery) and finishes it.
 *
 * <p>Unlike {@code KilledNodeIT}'s invoicing phase, which holds finalization by locking account
 * rows and so depends on finalizing one invoice at a time, the kill here is triggered by the
 * database alone: the test polls the count of numbered invoices and kills the node as soon as
 * some are committed and some are still drafts. Whatever finalization commits at a time (one
 * invoice, or a chunk of hundreds), what was committed before the kill must stay as it was, and
 * the re-run must finalize the rest: one invoice per account and period, each with its usage and
 * credit once, numbers 1 to N without gap or duplicate.
 */
class GenerateInvoicesKilledIT {

  private static final String ADMIN_TOKEN = "invoices-killed-admin-token-0123456789abcdef";
  private static final String PLUGIN = "billing";

  /** Enough drafts that finalization, one at a time or in chunks of hundreds, takes a while. */
  private static final int ACCOUNTS = 2_000;

  private static final int BATCH = 500;

  /**
   * Each account's one session: 1 core and 2 GB for one hour, 1 × 0.05 + 2 × 0.01 = 0.07 USD;
   * its credit of 0.05 (granted by SQL, as the admin credit route stores it) leaves 0.02 to pay.
   */
  private static final BigDecimal SUBTOTAL = new BigDecimal("0.07");

  private static final BigDecimal CREDIT = new BigDecimal("0.05");
  private static final BigDecimal TOTAL = new BigDecimal("0.02");

  /**
   * A run on a killed node starts again on another within this: Quartz declares a node dead 7.5
   * s after it missed its check-in (KilledNodeIT measures it within 25 s).
   */
  private static final Duration TAKEOVER = Duration.ofSeconds(60);

  /** Ample for the rest of the drafts on a busy machine. */
  private static final Duration RERUN = Duration.ofMinutes(10);

  @TempDir Path work;

  private final String dbUrl = TestDatabases.freshDatabaseUrl();
  private final OperatorDatabase db = new OperatorDatabase(dbUrl);

  /** The period just ended: invoice day 1, UTC; each session ran in its last hours. */
  private final Instant periodEnd =
      ZonedDateTime.now(ZoneOffset.UTC).withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).toInstant();

  private final Instant periodStart = periodEnd.atZone(ZoneOffset.UTC).minusMonths(1).toInstant();
  private final Instant sessionStart = periodEnd.minus(4, ChronoUnit.HOURS);
  private final List<HostProcess> hosts = new ArrayList<>();

  @AfterEach
  void stopHosts() throws Exception {
    for (HostProcess host : hosts) {
      host.close();
    }
  }

  @Test
  void aNodeKilledBetweenCommittedFinalizationsLeavesThemAsTheyWereAndTheRerunFinishesGapless()
      throws Exception {
    HostProcess first = start("first");
    BillingApi api = new BillingApi(first.port, ADMIN_TOKEN);
    api.http
        .call(
            "PATCH",
            "/api/admin/plugins/" + PLUGIN + "/config",
            ADMIN_TOKEN,
            "{\"invoiceGraceMinutes\": 0}",
            HostClient.CONFIG_REASON)
        .expect(200);
    String platform = api.token("platform-1", "platform");
    List<Map<String, Object>> batch = new ArrayList<>();
    for (int i = 0; i < ACCOUNTS; i++) {
      String user = "user-" + i;
      batch.add(Events.sessionCreated("s-" + i, user, sessionStart, "1", "2", "0"));
      batch.add(Events.sessionTerminated("s-" + i, user, sessionStart.plus(1, ChronoUnit.HOURS)));
      if (batch.size() == 2 * BATCH) {
        api.postEvents(platform, batch);
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      api.postEvents(platform, batch);
    }
    api.awaitCaughtUp(PLUGIN);
    api.runJob("calculate-usage");
    assertEquals(2L * ACCOUNTS, db.count("SELECT count(*) FROM billing_usage_records"));
    // the daily usage rollup holds them (as the job every minute would): the claims read its days
    api.runJob("roll-up-usage");
    assertEquals(
        2L * ACCOUNTS, db.count("SELECT coalesce(sum(records), 0) FROM billing_usage_daily"));
    db.update(
        """
        INSERT INTO billing_credits (user_id, amount, remaining, currency, reason, granted_by,
                                     granted_at)
        SELECT user_id, ?, ?, currency, 'kill test credit', 'test', ? FROM billing_accounts""",
        CREDIT,
        CREDIT,
        Timestamp.from(periodStart));

    CompletableFuture.runAsync(
        () ->
            api.http.post(
                "/api/plugins/" + PLUGIN + "/jobs/generate-invoices",
                ADMIN_TOKEN,
                BillingApi.RUN_REASON));
    Await.await(
        Duration.ofMinutes(5),
        Duration.ofMillis(10),
        "some invoices finalized",
        () ->
            db.count("SELECT count(*) FROM billing_invoices WHERE invoice_number IS NOT NULL") > 0);
    first.killForcibly();
    Instant killedAt = Instant.now();
    // its connections end (a COMMIT it had sent may still land until then)
    Await.await(
        Duration.ofSeconds(30),
        Duration.ofMillis(20),
        "the dead node's connections closed",
        () ->
            db.count(
                    """
                    SELECT count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid()""")
                == 0);

    // what the dead node committed: some invoices finalized, the others still drafts
    Map<String, String> numberedBeforeTheKill = numbersByAccount();
    long drafts = db.count("SELECT count(*) FROM billing_invoices WHERE status = 'draft'");
    System.out.printf(
        "generate-invoices: killed with %d of %d invoices finalized, %d drafts%n",
        numberedBeforeTheKill.size(), ACCOUNTS, drafts);
    assertTrue(
        drafts > 0 && !numberedBeforeTheKill.isEmpty(),
        "killed mid-run: %d finalized, %d drafts".formatted(numberedBeforeTheKill.size(), drafts));
    assertEquals(ACCOUNTS, numberedBeforeTheKill.size() + drafts, "one draft opened per account");

    HostProcess second = start("second");
    String secondNode = "%-" + second.process.pid() + "-%";
    Await.await(
        TAKEOVER,
        Duration.ofMillis(100),
        "the dead node's generate-invoices run taken over by the new node",
        () ->
            db.count(
                        """
                    SELECT count(*) FROM qrtz_fired_triggers
                    WHERE job_name = 'generate-invoices' AND state = 'EXECUTING'
                      AND instance_name LIKE ?""",
                        secondNode)
                    + db.count(
                        """
                        SELECT count(*) FROM host_job_runs
                        WHERE job_name = 'generate-invoices' AND started_at > ?""",
                        Timestamp.from(killedAt))
                > 0);
    Await.await(
        RERUN,
        Duration.ofMillis(200),
        "the run taken over to succeed",
        () ->
            db.count(
                    """
                    SELECT count(*) FROM host_job_runs
                    WHERE job_name = 'generate-invoices' AND started_at > ?
                      AND outcome = 'SUCCEEDED' AND node LIKE ?""",
                    Timestamp.from(killedAt),
                    secondNode)
                > 0);

    assertOneGaplessInvoicePerAccount();
    Map<String, String> numbered = numbersByAccount();
    for (var before : numberedBeforeTheKill.entrySet()) {
      assertEquals(
          before.getValue(),
          numbered.get(before.getKey()),
          "an invoice finalized before the kill keeps its number");
    }
    // run once more: nothing left to do
    BillingApi survivor = new BillingApi(second.port, ADMIN_TOKEN);
    assertEquals(0, survivor.runJob("generate-invoices").get("rows_touched").asLong());
    assertOneGaplessInvoicePerAccount();
  }

  /**
   * One invoice per account for the period, sent, 0.07 billed, 0.05 credited, 0.02 due; its three
   * lines (cpu, memory, credit) once; each credit applied once and used up; numbers 1 to N.
   */
  private void assertOneGaplessInvoicePerAccount() throws SQLException {
    assertEquals(
        List.of(
            (long) ACCOUNTS, (long) ACCOUNTS, (long) ACCOUNTS, (long) ACCOUNTS, (long) ACCOUNTS),
        db.longs(
            """
            SELECT count(*), count(DISTINCT user_id),
                   count(*) FILTER (WHERE status = 'sent'),
                   count(*) FILTER (WHERE subtotal = ? AND credits_applied = ? AND total = ?),
                   count(*) FILTER (WHERE period_start = ? AND period_end = ?)
            FROM billing_invoices""",
            SUBTOTAL,
            CREDIT,
            TOTAL,
            Timestamp.from(periodStart),
            Timestamp.from(periodEnd)));
    assertEquals(3L * ACCOUNTS, db.count("SELECT count(*) FROM billing_invoice_lines"));
    assertEquals(
        List.of((long) ACCOUNTS, (long) ACCOUNTS),
        db.longs(
            """
            SELECT count(*), count(DISTINCT a.credit_id)
            FROM billing_credit_applications a WHERE a.reversed_at IS NULL"""));
    assertEquals(0, db.count("SELECT count(*) FROM billing_credits WHERE remaining <> 0"));
    // numbers 1..N of the year, each once: the smallest is 1, the largest N, N distinct
    assertEquals(
        List.of(1L, (long) ACCOUNTS, (long) ACCOUNTS),
        db.longs(
            """
            SELECT min(split_part(invoice_number, '-', 3)::bigint),
                   max(split_part(invoice_number, '-', 3)::bigint),
                   count(DISTINCT invoice_number)
            FROM billing_invoices"""));
  }

  private Map<String, String> numbersByAccount() throws SQLException {
    Map<String, String> numbers = new TreeMap<>();
    try (Connection connection = db.connect();
        ResultSet rows =
            connection
                .createStatement()
                .executeQuery(
                    "SELECT user_id, invoice_number FROM billing_invoices"
                        + " WHERE invoice_number IS NOT NULL")) {
      while (rows.next()) {
        numbers.put(rows.getString(1), rows.getString(2));
      }
    }
    return numbers;
  }

  private HostProcess start(String name) throws Exception {
    HostProcess host = HostProcess.startNode(work, name, ADMIN_TOKEN, dbUrl);
    hosts.add(host);
    return host;
  }
}

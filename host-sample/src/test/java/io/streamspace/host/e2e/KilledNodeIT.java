package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.KilledNodes.ADMIN_TOKEN;
import static io.streamspace.host.e2e.KilledNodes.PLUGIN;
import static io.streamspace.host.e2e.KilledNodes.poll;
import static io.streamspace.host.e2e.KilledNodes.postWhileKilling;
import static io.streamspace.host.e2e.SessionBatches.assertBilledOnce;
import static io.streamspace.host.e2e.SessionBatches.batches;
import static io.streamspace.host.e2e.SessionBatches.costOf;
import static io.streamspace.host.e2e.SessionBatches.eventIds;
import static io.streamspace.host.e2e.SessionBatches.sessionsByUser;
import static io.streamspace.host.e2e.SessionBatches.sessionsOf;
import static io.streamspace.host.e2e.SessionBatches.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.e2e.KilledNodes.Node;
import io.streamspace.host.e2e.KilledNodes.Takeover;
import io.streamspace.host.e2e.SessionBatches.Batch;
import io.streamspace.host.support.HostClient;
import io.streamspace.testing.TestDatabases;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code java -jar host-sample.jar} nodes on one PostgreSQL, one of them killed with SIGKILL
 * in the middle of intake, of calculate-usage, of generate-invoices and of a usage correction
 * (docs/operator-guide.md, "Killing a node"; generate-invoices killed in the middle of a chunk of
 * drafts, the correction in its credit note's step): the other finishes, every event answered 202
 * is journaled once and billed once, usage is what the events make by hand, each account has one
 * invoice for the period, numbered without gap or duplicate, and the correction is applied once,
 * with one credit note of the figure worked by hand (docs/correcting-usage-and-invoices.md, "A
 * node killed during a correction"). One scenario in four phases, each on what the one before
 * left, so that the nodes start five times rather than a dozen.
 */
class KilledNodeIT {

  private static final int USERS = 6;
  private static final int BATCHES_PER_CLIENT = 30;
  private static final int SESSIONS_PER_BATCH = 20;

  private static final String CORRECTIONS = "/api/plugins/" + PLUGIN + "/admin/corrections";
  private static final String USAGE_CORRECTED = "billing.usage.corrected";
  private static final String CREDIT_NOTE_ISSUED = "billing.credit_note.issued";

  /** Node a is killed once it has answered this many of its client's batches. */
  private static final int KILL_AFTER = 10;

  /** docs/operator-guide.md, "Two nodes, or more": a dead node's lease taken over in 12 s. */
  private static final Duration JOURNAL_TAKEOVER = Duration.ofSeconds(12);

  @TempDir Path work;

  private KilledNodes nodes;
  private OperatorDatabase db;

  /** The sessions start 4 hours before the current billing period (invoice day 1, UTC). */
  private final Instant periodEnd =
      ZonedDateTime.now(ZoneOffset.UTC).withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).toInstant();

  private final Instant sessionStart = periodEnd.minus(4, ChronoUnit.HOURS);

  @BeforeEach
  void database() {
    nodes = new KilledNodes(work, TestDatabases.freshDatabaseUrl(), List.of());
    db = nodes.db;
  }

  @AfterEach
  void stopNodes() throws Exception {
    nodes.close();
  }

  @Test
  void aNodeKilledInIntakeRatingInvoicingOrACorrectionLeavesEveryEventBilledAndCorrectedOnce()
      throws Exception {
    Node a = nodes.start("a");
    // drafts are finalized as soon as the period has ended; set before b starts, which reads it
    a.api()
        .http
        .call(
            "PATCH",
            "/api/admin/plugins/" + PLUGIN + "/config",
            ADMIN_TOKEN,
            "{\"invoiceGraceMinutes\": 0}",
            HostClient.CONFIG_REASON)
        .expect(200);
    Node b = nodes.start("b");

    Map<String, Integer> sessionsByUser = intakeWhileANodeIsKilled(a, b);

    Takeover rating =
        nodes.runWhileItsNodeIsKilled("calculate-usage", nodes.start("a"), b, nodes::holdRating);
    assertBilledOnce(rating.survivor().api(), sessionStart, sessionsByUser);
    assertEquals(
        2 * sessionsOf(sessionsByUser),
        db.count("SELECT count(*) FROM billing_usage_records"),
        "one cpu and one memory record per session, none twice");
    BillingApi survivor = rating.survivor().api();
    assertEquals(0, survivor.runJob("calculate-usage").get("rows_touched").asLong());

    Node restarted = nodes.start(rating.killed().name());
    Takeover invoicing =
        nodes.runWhileItsNodeIsKilled(
            "generate-invoices", restarted, rating.survivor(), this::holdFinalizing);
    assertOneGaplessInvoicePerAccount(sessionsByUser);
    survivor = invoicing.survivor().api();
    assertEquals(0, survivor.runJob("generate-invoices").get("rows_touched").asLong());
    assertOneGaplessInvoicePerAccount(sessionsByUser);

    long correcting = System.nanoTime();
    correctionWhileItsNodeIsKilled(
        nodes.start(invoicing.killed().name()), invoicing.survivor(), sessionsByUser);
    System.out.printf(
        "correction phase (a node started again, killed, the correction finished): %d ms%n",
        Duration.ofNanos(System.nanoTime() - correcting).toMillis());
  }

  /**
   * A client posts batches to a and to b at once; a is killed after answering {@link
   * #KILL_AFTER}, and the client sends what a left unanswered, and the rest, to b, as a platform
   * would. Every batch ends up answered 202.
   *
   * @return the sessions posted (all acknowledged) by user
   */
  private Map<String, Integer> intakeWhileANodeIsKilled(Node a, Node b) throws Exception {
    List<Batch> all =
        postWhileKilling(
            a,
            b,
            batches("a", BATCHES_PER_CLIENT, SESSIONS_PER_BATCH, USERS, sessionStart),
            batches("b", BATCHES_PER_CLIENT, SESSIONS_PER_BATCH, USERS, sessionStart),
            KILL_AFTER,
            killed -> {
              // a consumed the journal (it started first): its lease runs out 10 s after its last
              // renewal, and b, standing by, looks every second
              poll(
                  "b consuming the journal in a's place",
                  JOURNAL_TAKEOVER,
                  () ->
                      b.isNamed(
                          db.text(
                              "SELECT holder FROM host_journal_cursors WHERE plugin_id = ?",
                              PLUGIN)));
              System.out.printf(
                  "journal: b took a's lease %d ms after the kill%n",
                  Duration.ofNanos(System.nanoTime() - killed).toMillis());
            });
    List<String> ids = eventIds(all);
    Map<String, Integer> sessionsByUser = sessionsByUser(all);
    // every event answered 202 (all of them, in the end) is journaled, none twice
    assertEquals(
        ids.size(), db.count("SELECT count(*) FROM host_journal WHERE event_id = ANY (?)", ids));
    assertEquals(ids.size(), db.count("SELECT count(DISTINCT event_id) FROM host_journal"));
    assertEquals(ids.size(), db.count("SELECT count(*) FROM host_journal"));
    // one row per event: the journal's unique ids are its record of them (no id table written)
    assertEquals(0, db.count("SELECT count(*) FROM host_event_ids"));

    // a's journal lease runs out (10 s) and b consumes what a had not
    b.api().awaitCaughtUp(PLUGIN);
    String holder = db.text("SELECT holder FROM host_journal_cursors WHERE plugin_id = ?", PLUGIN);
    assertTrue(b.isNamed(holder), "b consumes the journal now: " + holder);
    assertEquals(sessionsOf(sessionsByUser), db.count("SELECT count(*) FROM billing_sessions"));
    return sessionsByUser;
  }

  /**
   * Every account's row locked: generate-invoices opens all drafts (one statement), then
   * finalizes them in chunks; the 6 drafts are one chunk, which locks them and waits for their
   * accounts. The node is killed there, with the chunk's drafts locked in its open transaction
   * and nothing of it committed, so the run on the other node finds them drafts again and
   * finalizes every one, numbered from 1.
   */
  private List<Connection> holdFinalizing(String job, Node asked) throws Exception {
    List<Connection> held = new ArrayList<>();
    for (int user = 0; user < USERS; user++) {
      held.add(
          db.lock(
              "SELECT 1 FROM billing_accounts WHERE user_id = ? FOR NO KEY UPDATE", user(user)));
    }
    KilledNodes.runAsync(asked, job);
    poll(
        "the drafts",
        Duration.ofSeconds(30),
        () -> db.count("SELECT count(*) FROM billing_invoices") == USERS);
    nodes.db.awaitBlockedBy(held);
    assertEquals(
        0,
        db.count("SELECT count(*) FROM billing_invoices WHERE invoice_number IS NOT NULL"),
        "the chunk waits for its accounts, nothing numbered yet");
    return held;
  }

  /**
   * An admin's usage correction that takes session a-0-0 (1 core and 2 GB for an hour) off its
   * user's finalized invoice: 0.05 of cpu and 0.02 of memory less ({@link SessionBatches}), a
   * credit note of {@link SessionBatches#SESSION_COST}, 0.07. It is posted to {@code a} under an
   * Idempotency-Key while the test holds the invoice's row: a applies it (a transaction of its
   * own, committed), then waits for the row in the step that issues the credit note, and is
   * killed there. The same POST to b is told the key is in progress (the host does not know
   * whether a's request took effect), and the calculate-usage run on b finishes the correction:
   * recorded and applied once, one note numbered from 1, told once. The POST again changes
   * nothing.
   */
  private void correctionWhileItsNodeIsKilled(Node a, Node b, Map<String, Integer> sessionsByUser)
      throws Exception {
    String user = user(0);
    BillingApi api = b.api();
    // the platform's endpoint (never reached): every event it takes becomes one delivery row
    api.http
        .post(
            "/api/admin/webhooks",
            ADMIN_TOKEN,
            HostClient.json(
                Map.of(
                    "url",
                    "https://platform.invalid/billing",
                    "event_types",
                    List.of(USAGE_CORRECTED, CREDIT_NOTE_ISSUED))))
        .expect(201);
    long invoice = db.count("SELECT id FROM billing_invoices WHERE user_id = ?", user);
    String correction =
        HostClient.json(
            Map.of(
                "reason",
                "a-0-0 was reported twice: it held nothing",
                "items",
                List.of(
                    Map.of(
                        "amend",
                        Map.of(
                            "session_id",
                            "a-0-0",
                            "from",
                            sessionStart.toString(),
                            "to",
                            sessionStart.plus(1, ChronoUnit.HOURS).toString(),
                            "cpu_cores",
                            0,
                            "memory_gb",
                            0)))));
    Map<String, String> key = Map.of("Idempotency-Key", "a-0-0-held-nothing");

    // NO KEY: the correction's rows that refer to the invoice (its key share) are written, and
    // the credit note's step, which locks the invoice FOR UPDATE, waits
    Connection held =
        db.lock("SELECT 1 FROM billing_invoices WHERE id = ? FOR NO KEY UPDATE", invoice);
    try {
      CompletableFuture<HostClient.Response> posted =
          CompletableFuture.supplyAsync(
              () -> a.api().http.call("POST", CORRECTIONS, ADMIN_TOKEN, correction, key));
      poll(
          "the correction applied (committed)",
          Duration.ofSeconds(30),
          () -> {
            assertFalse(posted.isDone(), () -> "answered, not held: " + posted.join());
            return db.count("SELECT count(*) FROM billing_corrections WHERE step = 'applied'") == 1;
          });
      nodes.db.awaitBlockedBy(List.of(held));
      assertEquals(
          0,
          db.count("SELECT count(*) FROM billing_credit_notes"),
          "its credit note waits for the invoice's row");
      a.host().killForcibly();
    } finally {
      // a's open transaction gets the row, then ends without a commit
      held.rollback();
      held.close();
    }

    HostClient.Response retried = api.http.call("POST", CORRECTIONS, ADMIN_TOKEN, correction, key);
    assertEquals(409, retried.status(), retried.toString());
    assertEquals("idempotency_key_in_progress", retried.body().at("/error/code").asText());
    long started = System.nanoTime();
    String finished = api.runJob("calculate-usage").get("message").asText();
    System.out.printf(
        "correction: finished by calculate-usage on %s in %d ms%n",
        b.name(), Duration.ofNanos(System.nanoTime() - started).toMillis());
    assertTrue(finished.endsWith("; 1 usage correction(s) left part way finished"), finished);
    assertCorrectedOnce(invoice, costOf(sessionsByUser.get(user)));

    retried = api.http.call("POST", CORRECTIONS, ADMIN_TOKEN, correction, key);
    assertEquals(409, retried.status(), retried.toString());
    assertTrue(
        api.runJob("calculate-usage").get("message").asText().indexOf("correction") < 0,
        "nothing left part way");
    assertCorrectedOnce(invoice, costOf(sessionsByUser.get(user)));
  }

  /**
   * One correction, recorded, applied and announced; one credit note of 0.07, CN-…-000001, on
   * {@code invoice} of {@code total}, which is due 0.07 less; each audited and told once.
   */
  private void assertCorrectedOnce(long invoice, String total) {
    assertEquals(
        "1 announced", db.text("SELECT count(*) || ' ' || max(step) FROM billing_corrections"));
    String year = db.text("SELECT invoice_number FROM billing_invoices WHERE id = ?", invoice);
    assertEquals(
        "CN-"
            + year.substring("INV-".length(), "INV-2026".length())
            + "-000001 "
            + invoice
            + " 0.07",
        db.text(
            """
            SELECT string_agg(credit_note_number || ' ' || invoice_id || ' ' || amount, ', ')
            FROM billing_credit_notes"""));
    assertEquals(
        total + " 0.07 " + new BigDecimal(total).subtract(SessionBatches.SESSION_COST),
        db.text(
            "SELECT total || ' ' || credited || ' ' || (total - credited_due) FROM billing_invoices"
                + " WHERE id = ?",
            invoice));
    assertEquals(
        "credit_note.issued 1, usage.corrected 1",
        db.text(
            """
            SELECT string_agg(kind || ' ' || n, ', ' ORDER BY kind) FROM (
              SELECT kind, count(*) AS n FROM billing_audit_entries
              WHERE kind IN ('usage.corrected', 'credit_note.issued') GROUP BY kind) k"""));
    poll(
        "the events told",
        Duration.ofSeconds(10),
        () -> db.count("SELECT count(*) FROM host_webhook_deliveries") >= 2);
    assertEquals(
        CREDIT_NOTE_ISSUED + " 1, " + USAGE_CORRECTED + " 1",
        db.text(
            """
            SELECT string_agg(event_type || ' ' || n, ', ' ORDER BY event_type) FROM (
              SELECT event_type, count(*) AS n FROM host_webhook_deliveries
              GROUP BY event_type) d"""));
  }

  private void assertOneGaplessInvoicePerAccount(Map<String, Integer> sessionsByUser)
      throws SQLException {
    List<String> numbers = new ArrayList<>();
    try (Connection connection = db.connect();
        ResultSet rows =
            connection
                .createStatement()
                .executeQuery(
                    """
                    SELECT user_id, period_start, status, invoice_number, total
                    FROM billing_invoices ORDER BY invoice_number""")) {
      Map<String, Integer> perUser = new TreeMap<>();
      while (rows.next()) {
        String user = rows.getString(1);
        perUser.merge(user, 1, Integer::sum);
        assertEquals(
            periodEnd.atZone(ZoneOffset.UTC).minusMonths(1).toInstant(),
            rows.getTimestamp(2).toInstant(),
            user);
        assertEquals("sent", rows.getString(3), user);
        numbers.add(rows.getString(4));
        assertEquals(costOf(sessionsByUser.get(user)), rows.getBigDecimal(5).toPlainString(), user);
      }
      assertEquals(sessionsByUser.keySet(), perUser.keySet());
      assertTrue(perUser.values().stream().allMatch(n -> n == 1), "one each: " + perUser);
    }
    List<String> expected = new ArrayList<>();
    String year = numbers.get(0).substring(0, "INV-2026-".length());
    for (int n = 1; n <= USERS; n++) {
      expected.add(year + "%06d".formatted(n));
    }
    assertEquals(expected, numbers, "numbered 1 to " + USERS + ", no gap, none twice");
  }
}

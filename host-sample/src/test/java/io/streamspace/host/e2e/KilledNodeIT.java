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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.e2e.KilledNodes.Node;
import io.streamspace.host.e2e.KilledNodes.Takeover;
import io.streamspace.host.e2e.SessionBatches.Batch;
import io.streamspace.host.support.HostClient;
import io.streamspace.testing.TestDatabases;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code java -jar host-sample.jar} nodes on one PostgreSQL, one of them killed with SIGKILL
 * in the middle of intake, of calculate-usage and of generate-invoices (docs/operator-guide.md,
 * "Killing a node"; generate-invoices killed in the middle of a chunk of drafts): the other
 * finishes, every event answered 202 is journaled once and billed once, usage is what the
 * events make by hand, and each account has one invoice for the period, numbered
 * without gap or duplicate. One scenario in three phases, each on what the one before left, so
 * that the nodes start four times rather than a dozen.
 */
class KilledNodeIT {

  private static final int USERS = 6;
  private static final int BATCHES_PER_CLIENT = 30;
  private static final int SESSIONS_PER_BATCH = 20;

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
  void aNodeKilledInIntakeInCalculateUsageAndInGenerateInvoicesLeavesEveryEventBilledOnce()
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

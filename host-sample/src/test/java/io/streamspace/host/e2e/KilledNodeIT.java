package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static io.streamspace.host.e2e.UsageLines.line;
import static io.streamspace.host.e2e.UsageLines.quantity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.testing.Await;
import io.streamspace.testing.TestDatabases;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
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

  private static final String ADMIN_TOKEN = "killed-node-admin-token-0123456789abcdef";
  private static final String PLUGIN = "billing";
  private static final int USERS = 6;
  private static final int BATCHES_PER_CLIENT = 30;
  private static final int SESSIONS_PER_BATCH = 20;

  /** Node a is killed once it has answered this many of its client's batches. */
  private static final int KILL_AFTER = 10;

  /** Each session: 1 core and 2 GB for one hour, 1 × 0.05 + 2 × 0.01 USD. */
  private static final BigDecimal SESSION_COST = new BigDecimal("0.07");

  /**
   * A job run on a killed node starts again on another within this: Quartz declares a node dead
   * 7.5 s after it missed its check-in (every 5 s), and the others check every 5 s.
   */
  private static final Duration JOB_TAKEOVER = Duration.ofSeconds(25);

  /** docs/operator-guide.md, "Two nodes, or more": a dead node's lease taken over in 12 s. */
  private static final Duration JOURNAL_TAKEOVER = Duration.ofSeconds(12);

  @TempDir Path work;

  private final String dbUrl = TestDatabases.freshDatabaseUrl();
  private final OperatorDatabase db = new OperatorDatabase(dbUrl);

  /** The sessions start 4 hours before the current billing period (invoice day 1, UTC). */
  private final Instant periodEnd =
      ZonedDateTime.now(ZoneOffset.UTC).withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).toInstant();

  private final Instant sessionStart = periodEnd.minus(4, ChronoUnit.HOURS);
  private final List<Node> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() throws Exception {
    for (Node node : nodes) {
      node.host().close();
    }
  }

  @Test
  void aNodeKilledInIntakeInCalculateUsageAndInGenerateInvoicesLeavesEveryEventBilledOnce()
      throws Exception {
    Node a = start("a");
    // drafts are finalized as soon as the period has ended; set before b starts, which reads it
    a.api()
        .http
        .call(
            "PATCH",
            "/api/admin/plugins/" + PLUGIN + "/config",
            ADMIN_TOKEN,
            "{\"invoiceGraceMinutes\": 0}")
        .expect(200);
    Node b = start("b");

    Map<String, Integer> sessionsByUser = intakeWhileANodeIsKilled(a, b);

    Takeover rating = runWhileItsNodeIsKilled("calculate-usage", start("a"), b, this::holdRating);
    assertUsage(rating.survivor(), sessionsByUser);
    assertEquals(
        2 * sessionsOf(sessionsByUser),
        db.count("SELECT count(*) FROM billing_usage_records"),
        "one cpu and one memory record per session, none twice");
    BillingApi survivor = rating.survivor().api();
    assertEquals(0, survivor.runJob("calculate-usage").get("rows_touched").asLong());

    Node restarted = start(rating.killed().name());
    Takeover invoicing =
        runWhileItsNodeIsKilled(
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
    String platform = a.api().token("platform-1", "platform");
    Client toA = new Client(platform, a, b, batches("a"));
    Client toB = new Client(platform, b, null, batches("b"));
    CompletableFuture<Void> posting =
        CompletableFuture.allOf(CompletableFuture.runAsync(toA), CompletableFuture.runAsync(toB));
    poll(
        "node a to answer " + KILL_AFTER + " batches",
        Duration.ofMinutes(1),
        () -> {
          assertFalse(posting.isCompletedExceptionally(), "posting failed early");
          return toA.answeredByFirst.get() >= KILL_AFTER;
        });
    a.host().killForcibly();
    long killed = System.nanoTime();
    // a consumed the journal (it started first): its lease runs out 10 s after its last renewal,
    // and b, standing by, looks every second
    poll(
        "b consuming the journal in a's place",
        JOURNAL_TAKEOVER,
        () ->
            b.isNamed(
                db.text("SELECT holder FROM host_journal_cursors WHERE plugin_id = ?", PLUGIN)));
    System.out.printf(
        "journal: b took a's lease %d ms after the kill%n",
        Duration.ofNanos(System.nanoTime() - killed).toMillis());
    posting.get(2, TimeUnit.MINUTES);
    System.out.printf(
        "intake: a answered %d batches before SIGKILL, left %d unanswered (%d of them journaled"
            + " already: all duplicates on b); b answered %d%n",
        toA.answeredByFirst.get(),
        toA.redelivered.get(),
        toA.redeliveredDuplicates.get(),
        toA.batches.size() - toA.answeredByFirst.get() + toB.batches.size());
    assertTrue(toA.redelivered.get() >= 1, "the batch after the kill went to b");

    List<String> ids = new ArrayList<>();
    Map<String, Integer> sessionsByUser = new TreeMap<>();
    for (Batch batch : concat(toA.batches, toB.batches)) {
      ids.addAll(batch.eventIds());
      batch.users().forEach(user -> sessionsByUser.merge(user, 1, Integer::sum));
    }
    // every event answered 202 (all of them, in the end) is journaled, none twice
    assertEquals(
        ids.size(), db.count("SELECT count(*) FROM host_journal WHERE event_id = ANY (?)", ids));
    assertEquals(ids.size(), db.count("SELECT count(DISTINCT event_id) FROM host_journal"));
    assertEquals(ids.size(), db.count("SELECT count(*) FROM host_journal"));
    assertEquals(
        ids.size(), db.count("SELECT count(*) FROM host_event_ids WHERE event_id = ANY (?)", ids));

    // a's journal lease runs out (10 s) and b consumes what a had not
    b.api().awaitCaughtUp(PLUGIN);
    String holder = db.text("SELECT holder FROM host_journal_cursors WHERE plugin_id = ?", PLUGIN);
    assertTrue(b.isNamed(holder), "b consumes the journal now: " + holder);
    assertEquals(sessionsOf(sessionsByUser), db.count("SELECT count(*) FROM billing_sessions"));
    return sessionsByUser;
  }

  /**
   * Holds a job in the middle of its run on whichever node fires it (a manual run asked of
   * {@code asked}), kills that node with SIGKILL, lets go, and waits for the other node to run
   * it again (Quartz's recovery of a dead node's jobs).
   *
   * @return the node killed and the one that took over
   */
  private Takeover runWhileItsNodeIsKilled(String job, Node asked, Node other, Holder holder)
      throws Exception {
    List<Connection> held = holder.holdInTheMiddle(job, asked);
    Node victim;
    Instant killedAt;
    String requestId;
    try {
      String[] running =
          db.row(
              """
              SELECT instance_name, trigger_name FROM qrtz_fired_triggers
              WHERE job_group = ? AND job_name = ? AND state = 'EXECUTING'""",
              PLUGIN,
              job);
      victim = asked.isNamed(running[0]) ? asked : other;
      assertTrue(victim.isNamed(running[0]), running[0] + " is one of the nodes");
      requestId = running[1].startsWith("run-") ? running[1].substring(4) : null;
      victim.host().killForcibly();
      killedAt = Instant.now();
    } finally {
      // the dead node's open transaction gets its locks, then ends without a commit
      for (Connection connection : held) {
        connection.rollback();
        connection.close();
      }
    }
    Node survivor = victim == asked ? other : asked;
    poll(
        job + " run again on " + survivor.name(),
        JOB_TAKEOVER.plusSeconds(30),
        () ->
            db.count(
                    "SELECT count(*) FROM host_job_runs WHERE job_name = ? AND started_at > ?",
                    job,
                    killedAt)
                > 0);
    String[] rerun =
        db.row(
            """
            SELECT node, outcome, request_id, (extract(epoch FROM started_at) * 1000)::bigint
            FROM host_job_runs WHERE job_name = ? AND started_at > ?
            ORDER BY started_at LIMIT 1""",
            job,
            killedAt);
    assertTrue(survivor.isNamed(rerun[0]), "run again by the survivor: " + String.join(" ", rerun));
    assertEquals("SUCCEEDED", rerun[1]);
    assertEquals(requestId, rerun[2], "the run the dead node had begun");
    Duration takeover = Duration.between(killedAt, Instant.ofEpochMilli(Long.parseLong(rerun[3])));
    System.out.printf("%s: run again on the surviving node %s after the SIGKILL%n", job, takeover);
    assertTrue(takeover.compareTo(JOB_TAKEOVER) < 0, job + " taken over after " + takeover);
    return new Takeover(victim, survivor);
  }

  private record Takeover(Node killed, Node survivor) {}

  /** How a phase holds its job in the middle: the locks it holds, in open transactions. */
  private interface Holder {
    List<Connection> holdInTheMiddle(String job, Node asked) throws Exception;
  }

  /**
   * One session's row locked: calculate-usage, one transaction, waits inside its rating
   * statement, its usage records inserted but not committed.
   */
  private List<Connection> holdRating(String job, Node asked) throws Exception {
    Connection lock =
        db.lock(
            "SELECT 1 FROM billing_sessions WHERE session_id = (SELECT min(session_id) FROM"
                + " billing_sessions) FOR UPDATE");
    runAsync(asked, job);
    awaitBlockedBy(List.of(lock));
    return List.of(lock);
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
    runAsync(asked, job);
    poll(
        "the drafts",
        Duration.ofSeconds(30),
        () -> db.count("SELECT count(*) FROM billing_invoices") == USERS);
    awaitBlockedBy(held);
    assertEquals(
        0,
        db.count("SELECT count(*) FROM billing_invoices WHERE invoice_number IS NOT NULL"),
        "the chunk waits for its accounts, nothing numbered yet");
    return held;
  }

  private void assertUsage(Node node, Map<String, Integer> sessionsByUser) {
    LocalDate day = LocalDate.ofInstant(sessionStart, ZoneOffset.UTC);
    for (var user : sessionsByUser.entrySet()) {
      JsonNode usage =
          node.api()
              .usage(
                  node.api().token(user.getKey(), "user"),
                  "?from=" + day + "&to=" + day.plusDays(1))
              .expect(200);
      int sessions = user.getValue();
      assertEquals(costOf(sessions), amount(usage, "total_cost"), usage.toString());
      assertEquals(hours(sessions), quantity(line(usage, "cpu")));
      assertEquals(hours(2L * sessions), quantity(line(usage, "memory")));
    }
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

  // ---- the client

  /**
   * Posts its batches to {@code first}; once first fails to answer, that batch and the rest to
   * {@code fallback} (none: the failure is the test's).
   */
  private static final class Client implements Runnable {
    final String token;
    final Node first;
    final Node fallback;
    final List<Batch> batches;
    final AtomicInteger answeredByFirst = new AtomicInteger();
    final AtomicInteger redelivered = new AtomicInteger();
    final AtomicInteger redeliveredDuplicates = new AtomicInteger();

    Client(String token, Node first, Node fallback, List<Batch> batches) {
      this.token = token;
      this.first = first;
      this.fallback = fallback;
      this.batches = batches;
    }

    @Override
    public void run() {
      boolean firstGone = false;
      for (Batch batch : batches) {
        if (!firstGone) {
          try {
            assertAllTaken(batch, first.api().postEvents(token, batch.events()));
            answeredByFirst.incrementAndGet();
            continue;
          } catch (IllegalStateException unanswered) {
            if (fallback == null) {
              throw unanswered;
            }
            firstGone = true; // the connection broke or was refused: the node is gone
            redelivered.incrementAndGet();
          }
        }
        JsonNode answer = fallback.api().postEvents(token, batch.events());
        assertAllTaken(batch, answer);
        if (answer.get("duplicates").asInt() == batch.events().size()) {
          redeliveredDuplicates.incrementAndGet();
        }
      }
    }

    private static void assertAllTaken(Batch batch, JsonNode answer) {
      assertEquals(0, answer.get("conflicts").size(), answer.toString());
      assertEquals(
          batch.events().size(),
          answer.get("accepted").asInt() + answer.get("duplicates").asInt(),
          answer.toString());
    }
  }

  /** A batch of sessions of 1 core and 2 GB, each created and terminated an hour later. */
  private record Batch(List<Map<String, Object>> events, List<String> users) {
    List<String> eventIds() {
      return events.stream().map(event -> (String) event.get("id")).toList();
    }
  }

  private List<Batch> batches(String client) {
    List<Batch> batches = new ArrayList<>();
    for (int b = 0; b < BATCHES_PER_CLIENT; b++) {
      List<Map<String, Object>> events = new ArrayList<>();
      List<String> users = new ArrayList<>();
      for (int s = 0; s < SESSIONS_PER_BATCH; s++) {
        String session = client + "-" + b + "-" + s;
        String user = user(s % USERS); // users 0 and 1 have 4 sessions a batch, the others 3
        users.add(user);
        events.add(Events.sessionCreated(session, user, sessionStart, "1", "2", "0"));
        events.add(Events.sessionTerminated(session, user, sessionStart.plus(1, ChronoUnit.HOURS)));
      }
      batches.add(new Batch(events, users));
    }
    return batches;
  }

  private static String user(int index) {
    return "user-" + index;
  }

  /** A quantity as {@link UsageLines#quantity} reads it. */
  private static BigDecimal hours(long hours) {
    return BigDecimal.valueOf(hours).stripTrailingZeros();
  }

  private static String costOf(int sessions) {
    return SESSION_COST.multiply(BigDecimal.valueOf(sessions)).toPlainString();
  }

  private static int sessionsOf(Map<String, Integer> sessionsByUser) {
    return sessionsByUser.values().stream().mapToInt(Integer::intValue).sum();
  }

  private static <T> List<T> concat(List<T> first, List<T> second) {
    List<T> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  // ---- the nodes

  /** One host process, named for the test (a, b) and known to the cluster by its pid. */
  private record Node(String name, HostProcess host) {
    BillingApi api() {
      return new BillingApi(host.port, ADMIN_TOKEN);
    }

    /** Whether a cluster node name (host-pid-random: leases, Quartz, job runs) is this one's. */
    boolean isNamed(String nodeName) {
      return nodeName != null && nodeName.contains("-" + host.process.pid() + "-");
    }
  }

  /** Starts (or starts again) node {@code name} on the shared database, with its own folder. */
  private Node start(String name) throws Exception {
    Node node = new Node(name, HostProcess.startNode(work, name, ADMIN_TOKEN, dbUrl));
    nodes.add(node);
    return node;
  }

  /** Asks {@code node} to run a job now; the answer does not matter (the node may die first). */
  private static void runAsync(Node node, String job) {
    CompletableFuture.runAsync(
        () -> node.api().http.post("/api/plugins/" + PLUGIN + "/jobs/" + job, ADMIN_TOKEN, null));
  }

  // ---- the database, as an operator sees it

  /** Waits until another session waits for a lock that one of {@code held} holds. */
  private void awaitBlockedBy(List<Connection> held) throws SQLException {
    List<Integer> pids = new ArrayList<>();
    for (Connection connection : held) {
      pids.add(
          OperatorDatabase.query(
              connection,
              "SELECT pg_backend_pid()",
              new Object[0],
              rows -> {
                rows.next();
                return rows.getInt(1);
              }));
    }
    String holders = pids.toString().replace('[', '{').replace(']', '}');
    poll(
        "a statement waiting for the test's locks",
        Duration.ofSeconds(30),
        () ->
            db.count(
                    "SELECT count(*) FROM pg_stat_activity WHERE pg_blocking_pids(pid) && ?::int[]",
                    holders)
                > 0);
  }

  /** Polls {@code condition} every 20 ms until it holds; fails after {@code timeout}. */
  private static void poll(String what, Duration timeout, BooleanSupplier condition) {
    Await.await(timeout, Duration.ofMillis(20), what, condition::getAsBoolean);
  }
}

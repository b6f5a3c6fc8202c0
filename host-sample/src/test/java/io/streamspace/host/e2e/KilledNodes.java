package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.e2e.SessionBatches.Batch;
import io.streamspace.testing.Await;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * {@code java -jar host-sample.jar} nodes on one PostgreSQL, killed with SIGKILL by the tests
 * that show nothing is lost or doubled when a node dies ({@link KilledNodeIT} on the PostgreSQL
 * journal, {@link KafkaKilledNodeIT} on Kafka): the nodes, a client that sends to another node
 * what a dead one left unanswered, and a job held in the middle of its run on the node then
 * killed.
 */
final class KilledNodes implements AutoCloseable {

  static final String ADMIN_TOKEN = "killed-node-admin-token-0123456789abcdef";
  static final String PLUGIN = "billing";

  /**
   * A job run on a killed node starts again on another within this: Quartz declares a node dead
   * 7.5 s after it missed its check-in (every 5 s), and the others check every 5 s.
   */
  static final Duration JOB_TAKEOVER = Duration.ofSeconds(25);

  final OperatorDatabase db;
  private final Path work;
  private final String dbUrl;
  private final List<String> nodeArgs;
  private final List<Node> nodes = new ArrayList<>();

  /**
   * Nodes with their folders under {@code work}, on the database {@code dbUrl}, each started with
   * {@code nodeArgs} besides the database's.
   */
  KilledNodes(Path work, String dbUrl, List<String> nodeArgs) {
    this.work = work;
    this.dbUrl = dbUrl;
    this.nodeArgs = List.copyOf(nodeArgs);
    this.db = new OperatorDatabase(dbUrl);
  }

  /** One host process, named for the test (a, b) and known to the cluster by its pid. */
  record Node(String name, HostProcess host) {
    BillingApi api() {
      return new BillingApi(host.port, ADMIN_TOKEN);
    }

    /**
     * Whether a cluster node name (host-pid-random: leases, Quartz, job runs, Kafka consumers) is
     * this one's.
     */
    boolean isNamed(String nodeName) {
      return nodeName != null && nodeName.contains("-" + host.process.pid() + "-");
    }
  }

  /** Starts (or starts again) node {@code name} on the shared database, with its own folder. */
  Node start(String name) throws Exception {
    Node node = new Node(name, HostProcess.startNode(work, name, ADMIN_TOKEN, dbUrl, nodeArgs));
    nodes.add(node);
    return node;
  }

  /** Stops every node started (SIGTERM; a killed one is gone already). */
  @Override
  public void close() throws Exception {
    for (Node node : nodes) {
      node.host().close();
    }
  }

  // ---- the client

  /**
   * A client posts {@code toA} to a and another {@code toB} to b, at once; a is SIGKILLed once it
   * has answered {@code killAfter} batches, and the first client sends what a left unanswered, and
   * the rest, to b, as a platform would. {@code afterKill}, given the kill's {@link
   * System#nanoTime()}, waits for b to take over while the posting goes on. Every batch ends up
   * answered 202.
   *
   * @return the batches posted, all acknowledged
   */
  static List<Batch> postWhileKilling(
      Node a, Node b, List<Batch> toA, List<Batch> toB, int killAfter, LongConsumer afterKill)
      throws Exception {
    String platform = a.api().token("platform-1", "platform");
    Client first = new Client(platform, a, b, toA);
    Client second = new Client(platform, b, null, toB);
    CompletableFuture<Void> posting =
        CompletableFuture.allOf(
            CompletableFuture.runAsync(first), CompletableFuture.runAsync(second));
    poll(
        "node a to answer " + killAfter + " batches",
        Duration.ofMinutes(1),
        () -> {
          assertFalse(posting.isCompletedExceptionally(), "posting failed early");
          return first.answeredByFirst.get() >= killAfter;
        });
    a.host().killForcibly();
    afterKill.accept(System.nanoTime());
    posting.get(2, TimeUnit.MINUTES);
    System.out.printf(
        "intake: a answered %d batches before SIGKILL, left %d unanswered (%d of them journaled"
            + " already: all duplicates on b); b answered %d%n",
        first.answeredByFirst.get(),
        first.redelivered.get(),
        first.redeliveredDuplicates.get(),
        toA.size() - first.answeredByFirst.get() + toB.size());
    assertTrue(first.redelivered.get() >= 1, "the batch after the kill went to b");
    List<Batch> all = new ArrayList<>(toA);
    all.addAll(toB);
    return all;
  }

  /**
   * Posts its batches to {@code first}; once first fails to answer, that batch and the rest to
   * {@code fallback} (none: the failure is the test's).
   */
  static final class Client implements Runnable {
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

  // ---- a job killed in the middle

  /**
   * The node killed in the middle of a job, the one that ran the job again, and when the kill was
   * ({@link System#nanoTime()}).
   */
  record Takeover(Node killed, Node survivor, long killedAtNanos) {}

  /** How a phase holds its job in the middle: the locks it holds, in open transactions. */
  interface Holder {
    List<Connection> holdInTheMiddle(String job, Node asked) throws Exception;
  }

  /**
   * Holds a job in the middle of its run on whichever node fires it (a manual run asked of
   * {@code asked}), kills that node with SIGKILL, lets go, and waits for the other node to run
   * it again (Quartz's recovery of a dead node's jobs).
   *
   * @return the node killed and the one that took over
   */
  Takeover runWhileItsNodeIsKilled(String job, Node asked, Node other, Holder holder)
      throws Exception {
    return runWhileItsNodeIsKilled(job, asked, other, holder, killed -> {});
  }

  /**
   * As above, telling {@code afterKill} which node was killed, which is left and when, right
   * after the kill (before the job is run again), so that a test can time what else the survivor
   * takes over.
   */
  Takeover runWhileItsNodeIsKilled(
      String job, Node asked, Node other, Holder holder, Consumer<Takeover> afterKill)
      throws Exception {
    List<Connection> held = holder.holdInTheMiddle(job, asked);
    Node victim;
    Instant killedAt;
    long killedAtNanos;
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
      killedAtNanos = System.nanoTime();
      afterKill.accept(new Takeover(victim, victim == asked ? other : asked, killedAtNanos));
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
    return new Takeover(victim, survivor, killedAtNanos);
  }

  /**
   * One session's row locked: calculate-usage, one transaction, waits inside its rating
   * statement, its usage records inserted but not committed.
   */
  List<Connection> holdRating(String job, Node asked) throws Exception {
    Connection lock =
        db.lock(
            "SELECT 1 FROM billing_sessions WHERE session_id = (SELECT min(session_id) FROM"
                + " billing_sessions) FOR UPDATE");
    runAsync(asked, job);
    db.awaitBlockedBy(List.of(lock));
    return List.of(lock);
  }

  /** Asks {@code node} to run a job now; the answer does not matter (the node may die first). */
  static void runAsync(Node node, String job) {
    CompletableFuture.runAsync(
        () ->
            node.api()
                .http
                .post(
                    "/api/plugins/" + PLUGIN + "/jobs/" + job, ADMIN_TOKEN, BillingApi.RUN_REASON));
  }

  /** Polls {@code condition} every 20 ms until it holds; fails after {@code timeout}. */
  static void poll(String what, Duration timeout, BooleanSupplier condition) {
    Await.await(timeout, Duration.ofMillis(20), what, condition::getAsBoolean);
  }
}

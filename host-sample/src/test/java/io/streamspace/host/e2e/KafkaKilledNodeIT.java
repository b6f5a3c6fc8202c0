package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.KilledNodes.PLUGIN;
import static io.streamspace.host.e2e.KilledNodes.poll;
import static io.streamspace.host.e2e.KilledNodes.postWhileKilling;
import static io.streamspace.host.e2e.SessionBatches.assertBilledOnce;
import static io.streamspace.host.e2e.SessionBatches.batches;
import static io.streamspace.host.e2e.SessionBatches.eventIds;
import static io.streamspace.host.e2e.SessionBatches.sessionsByUser;
import static io.streamspace.host.e2e.SessionBatches.sessionsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.e2e.KilledNodes.Node;
import io.streamspace.host.e2e.KilledNodes.Takeover;
import io.streamspace.host.e2e.SessionBatches.Batch;
import io.streamspace.host.journal.kafka.KafkaConsumers;
import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.host.kafka.KafkaBrokers;
import io.streamspace.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KilledNodeIT} on the Kafka journal (issue 29, "Faults"): two {@code java -jar
 * host-sample.jar --journal kafka} nodes on one PostgreSQL and the broker this JVM's tests share,
 * one of them killed with SIGKILL in the middle of intake, then (started again) in the middle of
 * calculate-usage. The other takes the dead one's partitions over, in the billing plugin's
 * consumer group, within {@link #PARTITION_TAKEOVER} of the kill (measured from the lag of
 * {@code /api/admin/plugins}, which names the node consuming each partition); every event
 * answered 202 is journaled once and billed once, usage is what the events make by hand.
 */
class KafkaKilledNodeIT {

  private static final int USERS = 6;
  private static final int BATCHES_PER_CLIENT = 30;
  private static final int SESSIONS_PER_BATCH = 20;

  /** Node a is killed once it has answered this many of its client's batches. */
  private static final int KILL_AFTER = 10;

  /**
   * A dead node's partitions are another's within this of the kill: the group drops it after
   * {@link KafkaConsumers#SESSION_TIMEOUT} (10 s) without a heartbeat, then rebalances (the
   * survivor rejoins at its next poll); the lag's owners are read at most once a second. The
   * margin is for a 2-core machine busy with the other node's start and the client.
   */
  private static final Duration PARTITION_TAKEOVER =
      KafkaConsumers.SESSION_TIMEOUT.plus(Duration.ofSeconds(20));

  @TempDir Path work;

  private KilledNodes nodes;
  private OperatorDatabase db;
  private String topic;

  /** Yesterday, 08:00 UTC: the sessions (an hour each) are rated as soon as they are consumed. */
  private final Instant sessionStart =
      Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofHours(16));

  @BeforeEach
  void nodesOnTheSharedBroker() {
    KafkaSettings kafka = KafkaBrokers.shared().journal("killed-node");
    topic = kafka.topic();
    nodes =
        new KilledNodes(
            work,
            TestDatabases.freshDatabaseUrl(),
            List.of(
                "--journal",
                "kafka",
                "--kafka-bootstrap",
                kafka.bootstrapServers(),
                "--kafka-topic",
                kafka.topic(),
                "--kafka-partitions",
                Integer.toString(kafka.partitions()),
                "--kafka-replication-factor",
                "1"));
    db = nodes.db;
  }

  @AfterEach
  void stopNodes() throws Exception {
    nodes.close();
  }

  @Test
  void aNodeKilledInIntakeAndInCalculateUsage_hasItsPartitionsTakenOver_andEveryEventBilledOnce()
      throws Exception {
    Node a = nodes.start("a");
    Node b = nodes.start("b");
    awaitOwners(b, "a and b each consuming partitions", owners -> owners(owners, a, b));

    List<Batch> posted = intakeWhileANodeIsKilled(a, b);
    List<String> ids = eventIds(posted);
    Map<String, Integer> sessionsByUser = sessionsByUser(posted);
    b.api().awaitCaughtUp(PLUGIN);
    // the journal's index is a consumer too: a's partitions of it are b's now
    poll(
        "the journal's index holding every event",
        Duration.ofSeconds(30),
        () -> db.count("SELECT count(*) FROM host_journal") >= ids.size());
    assertEquals(sessionsOf(sessionsByUser), db.count("SELECT count(*) FROM billing_sessions"));

    Node restarted = nodes.start("a");
    awaitOwners(b, "the restarted a and b each consuming", owners -> owners(owners, restarted, b));
    // the partitions are timed from the kill, while the job waits for Quartz to run it again
    AtomicReference<CompletableFuture<Void>> partitionsTaken = new AtomicReference<>();
    Takeover rating =
        nodes.runWhileItsNodeIsKilled(
            "calculate-usage",
            restarted,
            b,
            nodes::holdRating,
            killed ->
                partitionsTaken.set(
                    CompletableFuture.runAsync(
                        () ->
                            awaitTakeover(
                                killed.killed(), killed.survivor(), killed.killedAtNanos()))));
    partitionsTaken.get().get(PARTITION_TAKEOVER.toSeconds() + 60, TimeUnit.SECONDS);
    BillingApi survivor = rating.survivor().api();
    assertBilledOnce(survivor, sessionStart, sessionsByUser);
    assertEquals(0, survivor.runJob("calculate-usage").get("rows_touched").asLong());

    long accepted = ids.size();
    long journaled =
        db.count("SELECT count(DISTINCT event_id) FROM host_journal WHERE event_id = ANY (?)", ids);
    long journalRows = db.count("SELECT count(*) FROM host_journal");
    long sessions = sessionsOf(sessionsByUser);
    long billed =
        db.count(
            "SELECT count(DISTINCT session_id) FROM billing_usage_records"
                + " WHERE resource_type = 'cpu'");
    long billedRecords =
        db.count("SELECT count(*) FROM billing_usage_records WHERE resource_type = 'cpu'");
    long lost = (accepted - journaled) + (sessions - billed);
    long doubled = (journalRows - journaled) + (billedRecords - billed);
    long inTopic = KafkaBrokers.shared().records(topic);
    System.out.printf(
        "Kafka journal, a node SIGKILLed in intake and in calculate-usage: accepted %d events,"
            + " journaled %d (%d records in the topic), billed %d sessions of %d, lost %d,"
            + " doubled %d%n",
        accepted, journaled, inTopic, billed, sessions, lost, doubled);
    assertEquals(0, lost, "lost");
    assertEquals(0, doubled, "doubled");
    // a batch the brokers took from a, which died before answering, is in the topic twice once b
    // took it again; the index and the bill keep it once
    assertTrue(inTopic >= accepted, inTopic + " records in the topic, " + accepted + " accepted");
    // each journaled once, by the record the index took it from (its first copy)
    assertEquals(
        accepted,
        db.count(
            "SELECT count(*) FROM host_journal WHERE event_id = ANY (?)"
                + " AND kafka_offset IS NOT NULL",
            ids));
    assertEquals(2 * sessions, db.count("SELECT count(*) FROM billing_usage_records"));
  }

  /**
   * A client posts batches to a and to b at once; a is killed after answering {@link
   * #KILL_AFTER}, and the client sends what a left unanswered, and the rest, to b, as a platform
   * would; b takes a's partitions over. Every batch ends up answered 202.
   *
   * @return the batches posted, all acknowledged
   */
  private List<Batch> intakeWhileANodeIsKilled(Node a, Node b) throws Exception {
    return postWhileKilling(
        a,
        b,
        batches("a", BATCHES_PER_CLIENT, SESSIONS_PER_BATCH, USERS, sessionStart),
        batches("b", BATCHES_PER_CLIENT, SESSIONS_PER_BATCH, USERS, sessionStart),
        KILL_AFTER,
        killed -> awaitTakeover(a, b, killed));
  }

  /**
   * Waits, from the kill of {@code killed} ({@code killedAtNanos}, {@link System#nanoTime()}), until {@code survivor} consumes every partition for
   * the billing plugin, prints how long that took and asserts it is within {@link
   * #PARTITION_TAKEOVER}.
   */
  private static void awaitTakeover(Node killed, Node survivor, long killedAtNanos) {
    awaitOwners(
        survivor,
        survivor.name() + " consuming every partition in " + killed.name() + "'s place",
        owners -> !owners.isEmpty() && owners.stream().allMatch(survivor::isNamed));
    Duration took = Duration.ofNanos(System.nanoTime() - killedAtNanos);
    System.out.printf(
        "Kafka journal: %s consumed every partition %d ms after %s's SIGKILL (session timeout"
            + " %d s)%n",
        survivor.name(),
        took.toMillis(),
        killed.name(),
        KafkaConsumers.SESSION_TIMEOUT.toSeconds());
    assertTrue(
        took.compareTo(PARTITION_TAKEOVER) < 0,
        "partitions taken over after " + took + ", not within " + PARTITION_TAKEOVER);
  }

  /** Whether both nodes consume some partition, and every partition has a consumer. */
  private static boolean owners(List<String> owners, Node one, Node other) {
    return !owners.isEmpty()
        && owners.stream().allMatch(owner -> one.isNamed(owner) || other.isNamed(owner))
        && owners.stream().anyMatch(one::isNamed)
        && owners.stream().anyMatch(other::isNamed);
  }

  /**
   * Polls {@code /api/admin/plugins} on {@code asked} until the nodes it names as the billing
   * plugin's consumer of each partition (null for a partition no one consumes) satisfy {@code
   * condition}.
   */
  private static void awaitOwners(Node asked, String what, Predicate<List<String>> condition) {
    poll(what, PARTITION_TAKEOVER.plusSeconds(30), () -> condition.test(owners(asked)));
  }

  private static List<String> owners(Node asked) {
    JsonNode plugins =
        asked.api().http.get("/api/admin/plugins", KilledNodes.ADMIN_TOKEN).expect(200);
    for (JsonNode plugin : plugins.get("plugins")) {
      if (plugin.get("id").asText().equals(PLUGIN)) {
        List<String> owners = new ArrayList<>();
        for (JsonNode partition : plugin.at("/lag/partitions")) {
          owners.add(partition.path("consumer").asText(null));
        }
        return owners;
      }
    }
    throw new AssertionError("no " + PLUGIN + " plugin: " + plugins);
  }
}

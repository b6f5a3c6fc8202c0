package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.testing.Await;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;

/**
 * A Kafka broker killed during intake (issue 29, "Faults"): the host journals on three brokers of
 * its own, the topic replicated on all three with {@code min.insync.replicas} 2, while two
 * platforms post batches over HTTP; the leader of the partition their accounts write to most is
 * stopped as a
 * crashed process stops (no controlled shutdown) and started again later. Every event answered
 * 202 is in the topic, journaled once in the index and billed once; intake goes on with one
 * broker down.
 */
class KafkaBrokerKilledE2ETest extends OwnKafkaBrokersTestBase {

  private static final BigDecimal CORE_HOUR = new BigDecimal("0.05");

  /** Batches each platform has accepted before the broker is killed, and while it is down. */
  private static final int BATCHES_PER_PHASE = 5;

  @Override
  int brokerCount() {
    return 3;
  }

  @Override
  String topicName() {
    return "broker-killed";
  }

  @Test
  void aBrokerKilledDuringIntake_losesNothing_andEveryAcceptedEventIsJournaledAndBilledOnce()
      throws Exception {
    List<RetryingPlatform> platforms = new ArrayList<>();
    for (String user : List.of(newUser("broker-killed-a"), newUser("broker-killed-b"))) {
      platforms.add(RetryingPlatform.start(api.http, platformToken, user, at("08:00")));
    }
    awaitEachAccepts(platforms, BATCHES_PER_PHASE);

    int leader = leaderOfTheBusiestPartition();
    long killedAt = System.nanoTime();
    brokers.stopBroker(leader);
    // the controller fences it once its session expires and elects leaders among the others:
    // the batches counted next are journaled with the broker gone, not before it is noticed
    Await.await(
        Duration.ofSeconds(30),
        Duration.ofMillis(50),
        "new leaders for the partitions broker " + leader + " led",
        () -> leaders().stream().noneMatch(id -> id == leader));
    awaitEachAccepts(platforms, BATCHES_PER_PHASE);
    long downFor = System.nanoTime() - killedAt;
    brokers.startBroker(leader);
    brokers.awaitInSync(journal.topic());
    awaitEachAccepts(platforms, BATCHES_PER_PHASE);
    for (RetryingPlatform platform : platforms) {
      platform.close();
    }

    api.awaitCaughtUp("billing");
    awaitJournaled(platforms.stream().mapToInt(p -> p.acknowledgedEvents().size()).sum());
    api.runJob("calculate-usage");
    int accepted = 0;
    long refused = 0;
    int journaled = 0;
    int billed = 0;
    int lost = 0;
    int doubled = 0;
    try (Connection db = DriverManager.getConnection(dbUrl)) {
      for (RetryingPlatform platform : platforms) {
        RetryingPlatform.Tally tally = platform.tally(db);
        accepted += tally.accepted();
        refused += tally.refused();
        journaled += tally.journaled();
        billed += tally.billed();
        lost += tally.lost();
        doubled += tally.doubled();
      }
    }
    // A leader elected back (the restarted broker, preferred again) answers the high watermark
    // it last knew until its followers fetch from it again, which a busy machine delays: the
    // records are counted once the watermarks cover what was accepted (or after 30 s, when the
    // assertion below says how many there were).
    int acknowledged = accepted;
    try {
      Await.await(
          Duration.ofSeconds(30),
          Duration.ofMillis(100),
          "the topic's high watermarks past the accepted events",
          () -> brokers.records(journal.topic()) >= acknowledged);
    } catch (AssertionError notYet) {
      // counted and reported below
    }
    long inTopic = brokers.records(journal.topic());
    System.out.printf(
        "A Kafka broker (node %d, leader of the busiest partition) killed for %d ms of intake:"
            + " accepted %d events, refused %d posts (503), journaled %d, %d records in the"
            + " topic, billed %d sessions, lost %d, doubled %d%n",
        leader,
        TimeUnit.NANOSECONDS.toMillis(downFor),
        accepted,
        refused,
        journaled,
        inTopic,
        billed,
        lost,
        doubled);
    assertEquals(0, lost, "lost");
    assertEquals(0, doubled, "doubled");
    assertEquals(accepted, journaled, "every accepted event journaled");
    // a refused batch may have reached the brokers before its claim was rolled back (its retry
    // sends it again): the topic may hold an event twice, the index and the bill never
    assertTrue(inTopic >= accepted, inTopic + " records in the topic, " + accepted + " accepted");
    assertEquals(
        accepted,
        Integer.parseInt(text("SELECT count(DISTINCT event_id) FROM host_journal")),
        "the index holds the accepted events, once each");
    assertEquals(accepted, Integer.parseInt(text("SELECT count(*) FROM host_journal")));
    for (RetryingPlatform platform : platforms) {
      platform.assertBilledOnce(api, CORE_HOUR);
    }
  }

  private static void awaitEachAccepts(List<RetryingPlatform> platforms, int more)
      throws InterruptedException {
    Map<RetryingPlatform, Integer> before =
        platforms.stream()
            .collect(Collectors.toMap(Function.identity(), RetryingPlatform::acceptedBatches));
    for (RetryingPlatform platform : platforms) {
      platform.awaitAcceptedBatches(before.get(platform) + more);
    }
  }

  /**
   * The leader of the partition that holds the most of the journal's records so far: the
   * platforms' accounts write there, so the broker stopped is one their next batches need.
   */
  private int leaderOfTheBusiestPartition() throws Exception {
    List<Integer> leaders = leaders();
    try (Admin admin = brokers.admin()) {
      Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
      for (int p = 0; p < leaders.size(); p++) {
        ends.put(new TopicPartition(journal.topic(), p), OffsetSpec.latest());
      }
      TopicPartition busiest =
          admin.listOffsets(ends).all().get(30, TimeUnit.SECONDS).entrySet().stream()
              .max(Comparator.comparingLong(end -> end.getValue().offset()))
              .orElseThrow()
              .getKey();
      return leaders.get(busiest.partition());
    }
  }

  /** The leader of each of the journal's partitions, in partition order (-1 for none). */
  private List<Integer> leaders() {
    try (Admin admin = brokers.admin()) {
      TopicDescription topic =
          admin
              .describeTopics(List.of(journal.topic()))
              .allTopicNames()
              .get(30, TimeUnit.SECONDS)
              .get(journal.topic());
      return topic.partitions().stream()
          .sorted(Comparator.comparingInt(TopicPartitionInfo::partition))
          .map(TopicPartitionInfo::leader)
          .map(node -> node == null ? -1 : node.id())
          .toList();
    } catch (Exception e) {
      throw new IllegalStateException("the journal's partitions were not described", e);
    }
  }
}

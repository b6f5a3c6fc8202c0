package io.streamspace.host.journal.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.host.plugins.JournalLag;
import io.streamspace.testing.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The Kafka journal's consumers as nodes come and go, on the broker this JVM's test classes share:
 * two nodes share a plugin's partitions and one takes them all over when the other stops; a
 * silent node's partitions move to the living one within the session timeout.
 */
class KafkaConsumersAcrossNodesTest extends KafkaConsumersFixture {

  @Test
  void twoNodesShareAPluginsPartitions_andWhenOneStopsTheOtherTakesThemOver_eachRecordHandedOnce()
      throws Exception {
    String topic = topic(4);
    Recording recording = new Recording();
    try (KafkaConsumers first = consumers(topic, recording, database.dataSource(), "node-1")) {
      first.started(new ActivePlugin("shared", new HeldFlushes(), null));
      awaitPositioned("shared", topic, 4);
      try (KafkaConsumers second = consumers(topic, recording, database.dataSource(), "node-2")) {
        second.started(new ActivePlugin("shared", new HeldFlushes(), null));
        Await.await(
            WAIT,
            POLL,
            "the partitions spread over both nodes",
            () ->
                first.of(List.of("shared")).get("shared").partitions().stream()
                    .map(JournalLag.PartitionLag::consumer)
                    .filter(Objects::nonNull)
                    .distinct()
                    .sorted()
                    .toList(),
            nodes -> nodes.equals(List.of("node-1", "node-2")));
        for (int i = 0; i < 40; i++) {
          send(topic, entry("shared-" + i, "acct-" + (i % 8)));
        }
        Await.await(WAIT, POLL, "handed on both nodes", () -> recording.handed.size() == 40);
      }
      // node-2 left its group: node-1 takes every partition over
      for (int i = 40; i < 60; i++) {
        send(topic, entry("shared-" + i, "acct-" + (i % 8)));
      }
      Await.await(WAIT, POLL, "handed on node-1 alone", () -> recording.handed.size() == 60);
      Await.await(
          WAIT,
          POLL,
          "node-1 consuming every partition",
          () ->
              first.of(List.of("shared")).get("shared").partitions().stream()
                  .allMatch(partition -> "node-1".equals(partition.consumer())));
    }
    assertEquals(60, recording.handed.size(), "each record handed once");
    assertEquals(60, recording.ids().stream().distinct().count());
  }

  /**
   * A node that dies says nothing to its group: here a member that stops heartbeating without
   * leaving (a static member's close, as a SIGKILL leaves it). Its partitions move to the living
   * node once the session times out, and what waited in them is handed there.
   */
  @Test
  void aSilentNodesPartitionsMoveToTheLivingNode_withinFifteenSeconds() throws Exception {
    String topic = topic(2);
    Properties silent = new Properties();
    silent.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    silent.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaConsumers.groupOf("orphaned"));
    silent.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "silent-node");
    silent.put(
        ConsumerConfig.CLIENT_ID_CONFIG, KafkaConsumers.groupOf("orphaned") + "@silent-node");
    silent.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    silent.put(
        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
        Long.toString(KafkaConsumers.SESSION_TIMEOUT.toMillis()));
    silent.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    silent.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    silent.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    silent.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    Recording recording = new Recording();
    try (KafkaConsumers living = consumers(topic, recording, database.dataSource(), "node-1")) {
      // the silent node polls on a thread of its own, as another process would
      AtomicBoolean alive = new AtomicBoolean(true);
      AtomicReference<List<Integer>> silentOwns = new AtomicReference<>(List.of());
      Thread silentNode =
          new Thread(
              () -> {
                try (KafkaConsumer<byte[], byte[]> dying = new KafkaConsumer<>(silent)) {
                  dying.subscribe(List.of(topic));
                  while (alive.get()) {
                    dying.poll(Duration.ofMillis(100));
                    silentOwns.set(
                        dying.assignment().stream().map(TopicPartition::partition).toList());
                  }
                } // a static member's close does not leave the group: it falls silent
              },
              "silent-node");
      silentNode.start();
      Await.await(WAIT, POLL, "the silent node owns partitions", () -> !silentOwns.get().isEmpty());
      living.started(new ActivePlugin("orphaned", new HeldFlushes(), null));
      // once node-1 owns the other one and the group is stable: no rebalance under way
      Await.await(
          WAIT,
          POLL,
          "the partitions shared by both",
          () ->
              silentOwns.get().size() == 1
                  && places("orphaned", topic).size() == 2
                  && stableWithOnePartitionEach("orphaned"));
      int orphan = silentOwns.get().get(0);
      alive.set(false);
      silentNode.join();
      long silentSince = System.nanoTime();
      ProducerRecord<byte[], byte[]> record =
          JournalRecords.record(topic, entry("orphaned-0", "acct-1"), Instant.now());
      producer
          .send(
              new ProducerRecord<>(
                  topic,
                  orphan,
                  record.timestamp(),
                  record.key(),
                  record.value(),
                  record.headers()))
          .get();

      Await.await(
          Duration.ofSeconds(20),
          POLL,
          "the record of the silent node's partition handed on node-1",
          () -> recording.ids().equals(List.of("orphaned-0")));
      Duration movedWithin = Duration.ofNanos(System.nanoTime() - silentSince);
      System.out.println("The silent node's partition moved to node-1 within " + movedWithin);
      assertTrue(movedWithin.compareTo(Duration.ofSeconds(15)) < 0, "moved within " + movedWithin);
    }
  }
}

package io.streamspace.benchmark;

import io.streamspace.host.journal.kafka.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Kafka journal's topic read from its beginning to its end, as the brokers hold it: how many
 * records journal an event whose id begins with a prefix (the header {@code event_id}). No
 * consumer group: the partitions are assigned, nothing is committed, no plugin's place moves.
 */
final class TopicRecords {

  private static final String EVENT_ID = "event_id";
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration WITHIN = Duration.ofMinutes(5);

  private TopicRecords() {}

  /**
   * What the topic holds of a workload's events.
   *
   * @param records how many records
   * @param valueBytes their values' bytes (the events' bodies as journaled), all together
   */
  record Held(long records, long valueBytes) {}

  /** The records of {@code journal}'s topic whose event id starts with {@code prefix}. */
  static Held count(KafkaSettings journal, String prefix) {
    byte[] wanted = prefix.getBytes(StandardCharsets.UTF_8);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties(journal))) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(journal.topic()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + WITHIN.toNanos();
      long count = 0;
      long bytes = 0;
      while (!atEnds(consumer, ends)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the topic " + journal.topic() + " was not read to its end within " + WITHIN);
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          Header id = record.headers().lastHeader(EVENT_ID);
          if (id != null && startsWith(id.value(), wanted)) {
            count++;
            bytes += record.serializedValueSize();
          }
        }
      }
      return new Held(count, bytes);
    }
  }

  private static boolean atEnds(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
    return ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  private static boolean startsWith(byte[] value, byte[] prefix) {
    return value.length >= prefix.length
        && Arrays.equals(value, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static Map<String, Object> properties(KafkaSettings journal) {
    Map<String, Object> properties = new HashMap<>(journal.clientProperties());
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, journal.bootstrapServers());
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    return properties;
  }
}

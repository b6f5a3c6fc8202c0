package io.streamspace.host.journal.kafka;

import java.util.Map;

/**
 * Where the Kafka journal is, and how its topic is made when the host creates it.
 *
 * @param bootstrapServers  the brokers to reach first, {@code host:port,...}
 * @param topic             the journal's topic
 * @param partitions        its partitions, when the host creates it: records are keyed by
 *     billing account, so this bounds how many nodes consume one plugin's journal in parallel
 * @param replicationFactor its replicas, when the host creates it ({@code min.insync.replicas}
 *     is one less, at least 1: an acknowledged batch survives a broker's loss)
 * @param clientProperties  passed as they are to the producer, the consumers and the admin
 *     client: {@code security.protocol}, {@code sasl.*}, {@code ssl.*}... (secrets among them:
 *     never logged)
 * @param intakeFirst       whether this node's consumers of the journal rest while its intake
 *     journals a burst ({@link IntakeFirst}; default true): off, they apply as fast as they can
 *     whatever intake does, fresher reads at the price of intake's pace on a node short of cores
 */
public record KafkaSettings(
    String bootstrapServers,
    String topic,
    int partitions,
    short replicationFactor,
    Map<String, String> clientProperties,
    boolean intakeFirst) {

  public static final String DEFAULT_TOPIC = "streamspace.events";
  public static final int DEFAULT_PARTITIONS = 12;
  public static final short DEFAULT_REPLICATION_FACTOR = 3;

  public KafkaSettings {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("the Kafka journal needs bootstrap servers");
    }
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException("the Kafka journal needs a topic");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "replication factor must be at least 1, got " + replicationFactor);
    }
    clientProperties = Map.copyOf(clientProperties);
  }

  /** With intake first on, as by default. */
  public KafkaSettings(
      String bootstrapServers,
      String topic,
      int partitions,
      short replicationFactor,
      Map<String, String> clientProperties) {
    this(bootstrapServers, topic, partitions, replicationFactor, clientProperties, true);
  }

  /** The replicas that must have a record before it is acknowledged ({@code acks=all}). */
  public int minInsyncReplicas() {
    return Math.max(1, replicationFactor - 1);
  }

  /** What {@link Object#toString()} would show, without the client properties' values. */
  @Override
  public String toString() {
    return ("KafkaSettings[bootstrapServers=%s, topic=%s, partitions=%d, replicationFactor=%d,"
            + " clientProperties=%s, intakeFirst=%s]")
        .formatted(
            bootstrapServers,
            topic,
            partitions,
            replicationFactor,
            clientProperties.keySet(),
            intakeFirst);
  }
}

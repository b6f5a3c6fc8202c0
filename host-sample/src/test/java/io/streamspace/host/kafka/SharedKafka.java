package io.streamspace.host.kafka;

import io.streamspace.host.journal.kafka.KafkaSettings;
import java.util.Map;
import java.util.UUID;

/**
 * One Kafka broker for the whole test JVM, started when a test first asks for it and stopped when
 * the JVM exits (2 to 3 s to start, paid once a fork rather than once a class). Each host a test
 * starts journals into a topic of its own, so tests never see each other's records.
 */
public final class SharedKafka {

  /** Enough partitions that a journal's records are spread and kept in order per account. */
  public static final int PARTITIONS = 3;

  private static KafkaBrokers brokers;

  private SharedKafka() {}

  /** The broker, started on first use. */
  public static synchronized KafkaBrokers brokers() {
    if (brokers == null) {
      KafkaBrokers started = KafkaBrokers.start(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      started.close();
                    } catch (Exception e) {
                      // the JVM is exiting: the kit's folder is temporary anyway
                    }
                  },
                  "shared-kafka-stop"));
      brokers = started;
    }
    return brokers;
  }

  /** A Kafka journal in a new topic named after {@code name}, on the shared broker. */
  public static KafkaSettings journal(String name) {
    return new KafkaSettings(
        brokers().bootstrapServers(),
        name + "-" + UUID.randomUUID().toString().substring(0, 8),
        PARTITIONS,
        (short) 1,
        Map.of());
  }
}

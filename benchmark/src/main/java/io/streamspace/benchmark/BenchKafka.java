package io.streamspace.benchmark;

import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.host.kafka.KafkaBrokers;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The Kafka journal a benchmark's host runs on ({@code --journal kafka}): on the brokers given by
 * {@code --kafka-bootstrap}, else on one broker started in this JVM for the run ({@link
 * KafkaBrokers}, Kafka's own test kit, KRaft). The journal's topic is a new one each run, so that a
 * run against brokers of one's own never reads an earlier run's records; it is deleted at the end
 * on such brokers (an in-JVM broker goes with its folder).
 */
public final class BenchKafka implements AutoCloseable {

  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static final short MAX_REPLICAS = 3;

  private final KafkaSettings journal;
  private final KafkaBrokers inThisJvm;

  private BenchKafka(KafkaSettings journal, KafkaBrokers inThisJvm) {
    this.journal = journal;
    this.inThisJvm = inThisJvm;
  }

  /**
   * The journal on {@code bootstrapServers}, or on a broker started now when null, in a topic of
   * {@code partitions} partitions the host creates: replicated as the host's default (3) where
   * the cluster has that many brokers, else on every broker. Every Kafka client of the run, the
   * host's, the raw producer's and the benchmark's own admin client, takes {@code
   * clientProperties} ({@code --kafka-properties}).
   */
  static BenchKafka start(
      String bootstrapServers, int partitions, Map<String, String> clientProperties) {
    String topic = "streamspace-bench-" + UUID.randomUUID().toString().substring(0, 8);
    if (bootstrapServers == null) {
      KafkaBrokers brokers = startWithItsPrintsOnStderr();
      return new BenchKafka(
          new KafkaSettings(
              brokers.bootstrapServers(), topic, partitions, (short) 1, clientProperties),
          brokers);
    }
    short replicas = (short) Math.min(MAX_REPLICAS, brokersOf(bootstrapServers, clientProperties));
    return new BenchKafka(
        new KafkaSettings(bootstrapServers, topic, partitions, replicas, clientProperties), null);
  }

  /**
   * One broker in this JVM. Kafka's test kit prints how it formats the broker's folder on stdout,
   * where only the benchmark's table goes ({@code > table.md}): those lines go to stderr, with the
   * progress.
   */
  private static KafkaBrokers startWithItsPrintsOnStderr() {
    PrintStream out = System.out;
    System.setOut(System.err);
    try {
      return KafkaBrokers.start(1);
    } finally {
      System.setOut(out);
    }
  }

  private static int brokersOf(String bootstrapServers, Map<String, String> clientProperties) {
    try (Admin admin = admin(bootstrapServers, clientProperties)) {
      return admin.describeCluster().nodes().get(WITHIN.toSeconds(), TimeUnit.SECONDS).size();
    } catch (Exception e) {
      throw new IllegalStateException("the Kafka brokers at " + bootstrapServers + ": " + e, e);
    }
  }

  private static Admin admin(String bootstrapServers, Map<String, String> clientProperties) {
    Map<String, Object> properties = new HashMap<>(clientProperties);
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return Admin.create(properties);
  }

  /** The host's journal settings. */
  public KafkaSettings journal() {
    return journal;
  }

  /** Whether the broker runs in this JVM, on the benchmark's cores. */
  public boolean brokerInThisJvm() {
    return inThisJvm != null;
  }

  /** What the journal runs on, for the table, e.g. "12 partitions, a broker in this JVM". */
  public String describe() {
    return "%d partitions, %s"
        .formatted(
            journal.partitions(),
            brokerInThisJvm()
                ? "a broker in this JVM"
                : "brokers at %s, %d replicas"
                    .formatted(journal.bootstrapServers(), journal.replicationFactor()));
  }

  /** An admin client of the journal's brokers; the caller closes it. */
  Admin admin() {
    return admin(journal.bootstrapServers(), journal.clientProperties());
  }

  /**
   * Stops the in-JVM broker (its folder deleted), or deletes the run's topic from the brokers
   * given; call after the host has stopped.
   */
  @Override
  public void close() throws Exception {
    if (inThisJvm != null) {
      inThisJvm.close();
      return;
    }
    try (Admin admin = admin()) {
      admin.deleteTopics(List.of(journal.topic())).all().get(WITHIN.toSeconds(), TimeUnit.SECONDS);
    }
  }
}

package io.streamspace.host.journal.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * The probe of a broker outage ({@link BrokerOutage}): the topic described by the brokers within
 * a couple of seconds, every partition with a leader to take its records. Cheap (one metadata
 * request), and it sends nothing: the next batch, sent with {@code acks=all} as always, is the
 * real test. Holds an admin client until closed.
 */
final class PartitionsLed implements BooleanSupplier, AutoCloseable {

  /** How long a probe waits for the topic's description. */
  private static final Duration WITHIN = Duration.ofSeconds(2);

  private final Admin admin;
  private final String topic;

  PartitionsLed(KafkaSettings settings) {
    Map<String, Object> properties = new HashMap<>(settings.clientProperties());
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "streamspace-journal-probe");
    this.admin = Admin.create(properties);
    this.topic = settings.topic();
  }

  @Override
  public boolean getAsBoolean() {
    try {
      TopicDescription description =
          admin
              .describeTopics(
                  Set.of(topic), new DescribeTopicsOptions().timeoutMs((int) WITHIN.toMillis()))
              .allTopicNames()
              .get(WITHIN.toMillis() + 500, TimeUnit.MILLISECONDS)
              .get(topic);
      return description.partitions().stream()
          .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
    } catch (ExecutionException | TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    admin.close(WITHIN);
  }
}

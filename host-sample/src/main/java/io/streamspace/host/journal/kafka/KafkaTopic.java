package io.streamspace.host.journal.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's topic: created when a node starts and finds it absent, left as it is when present
 * (an operator may have made it, or changed it since, on purpose), but for a retention shorter
 * than the journal needs, which is raised: records gone before their events' ids are forgotten
 * would be events lost to a plugin that had not read them yet.
 */
public final class KafkaTopic {

  private static final Logger log = LoggerFactory.getLogger(KafkaTopic.class);

  /** How long a start waits for the brokers to describe or create the topic. */
  static final Duration WITHIN = Duration.ofSeconds(30);

  private static final Duration METADATA_RECHECK = Duration.ofMillis(50);

  private KafkaTopic() {}

  /**
   * How long the topic keeps events: the host's maximum event age and a day, as long as their ids
   * are remembered in PostgreSQL (the journal's retention forgets ids a day after their events may
   * go), so a record is never gone while a redelivery of its event could still be accepted.
   */
  public static Duration retention(Duration maxEventAge) {
    return maxEventAge.plusDays(1);
  }

  /**
   * Creates the topic when absent, with the settings' partitions and replication factor, {@code
   * min.insync.replicas} one less than the replicas (at least 1) and the retention of {@link
   * #retention}; when present, leaves it as it is and logs its partitions and replicas, except a
   * retention shorter than {@link #retention}, which it raises to that (and logs). Two nodes
   * starting at once may both find it absent: the second's creation is refused as existing, which
   * is the same outcome.
   *
   * @return the topic as the brokers describe it
   * @throws IllegalStateException when the brokers cannot be reached or refuse (naming the topic)
   */
  public static TopicDescription ensure(Admin admin, KafkaSettings settings, Duration maxEventAge) {
    String topic = settings.topic();
    try {
      TopicDescription existing = describe(admin, topic);
      if (existing != null) {
        int partitions = existing.partitions().size();
        int replicas = existing.partitions().get(0).replicas().size();
        log.info(
            "Kafka journal topic {} kept as it is: {} partitions, {} replicas{}",
            topic,
            partitions,
            replicas,
            partitions == settings.partitions() && replicas == settings.replicationFactor()
                ? ""
                : " (the settings' %d and %d apply only to a topic the host creates)"
                    .formatted(settings.partitions(), settings.replicationFactor()));
        keepAtLeast(admin, topic, retention(maxEventAge));
        return existing;
      }
      NewTopic created =
          new NewTopic(topic, settings.partitions(), settings.replicationFactor())
              .configs(
                  Map.of(
                      TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                      Integer.toString(settings.minInsyncReplicas()),
                      TopicConfig.RETENTION_MS_CONFIG,
                      Long.toString(retention(maxEventAge).toMillis()),
                      TopicConfig.CLEANUP_POLICY_CONFIG,
                      TopicConfig.CLEANUP_POLICY_DELETE));
      try {
        admin.createTopics(List.of(created)).all().get(WITHIN.toSeconds(), TimeUnit.SECONDS);
        log.info(
            "Kafka journal topic {} created: {} partitions, {} replicas, min.insync.replicas {},"
                + " retention {} days",
            topic,
            settings.partitions(),
            settings.replicationFactor(),
            settings.minInsyncReplicas(),
            retention(maxEventAge).toDays());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
        // another node created it meanwhile
      }
      return describeOnceLed(admin, topic);
    } catch (ExecutionException e) {
      throw refused(topic, e.getCause());
    } catch (TimeoutException e) {
      throw refused(topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw refused(topic, e);
    }
  }

  /**
   * Raises the topic's {@code retention.ms} to {@code needed} when it is shorter; a longer one, or
   * none ({@code -1}: kept forever), stays. Each node starting does the same, so it converges.
   */
  private static void keepAtLeast(Admin admin, String topic, Duration needed)
      throws ExecutionException, TimeoutException, InterruptedException {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    ConfigEntry current =
        admin
            .describeConfigs(Set.of(resource))
            .all()
            .get(WITHIN.toSeconds(), TimeUnit.SECONDS)
            .get(resource)
            .get(TopicConfig.RETENTION_MS_CONFIG);
    long kept = current == null ? -1 : Long.parseLong(current.value());
    if (kept < 0 || kept >= needed.toMillis()) {
      return;
    }
    admin
        .incrementalAlterConfigs(
            Map.of(
                resource,
                List.of(
                    new AlterConfigOp(
                        new ConfigEntry(
                            TopicConfig.RETENTION_MS_CONFIG, Long.toString(needed.toMillis())),
                        AlterConfigOp.OpType.SET))))
        .all()
        .get(WITHIN.toSeconds(), TimeUnit.SECONDS);
    log.warn(
        "Kafka journal topic {}: retention raised from {} to {} ms (the maximum event age and a"
            + " day), so no record goes while its event's id is remembered",
        topic,
        kept,
        needed.toMillis());
  }

  /**
   * The topic just created, once the broker asked knows it and a leader for each of its
   * partitions. The creation returns when the controller has recorded it; each broker learns of
   * it from the controller a moment later, and a broker asked before then knows no such topic
   * (seen here: a host's start failing on a topic it had just created, on a loaded machine).
   */
  private static TopicDescription describeOnceLed(Admin admin, String topic)
      throws ExecutionException, TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + WITHIN.toNanos();
    while (true) {
      TopicDescription described = describe(admin, topic);
      if (described != null
          && described.partitions().stream().allMatch(partition -> partition.leader() != null)) {
        return described;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the Kafka journal's topic "
                + topic
                + " was created, but the brokers did not describe"
                + " it with a leader for each partition within "
                + WITHIN.toSeconds()
                + " s");
      }
      // the brokers tell no one when their metadata catches up: ask again shortly
      Thread.sleep(METADATA_RECHECK.toMillis());
    }
  }

  /** The topic, or null when the brokers know no such topic. */
  private static TopicDescription describe(Admin admin, String topic)
      throws ExecutionException, TimeoutException, InterruptedException {
    try {
      return admin
          .describeTopics(Set.of(topic))
          .allTopicNames()
          .get(WITHIN.toSeconds(), TimeUnit.SECONDS)
          .get(topic);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return null;
      }
      throw e;
    }
  }

  private static IllegalStateException refused(String topic, Throwable cause) {
    return new IllegalStateException(
        "the Kafka journal's topic " + topic + " could not be described or created: " + cause,
        cause);
  }
}

package io.streamspace.host.kafka;

import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * Real Apache Kafka brokers in this JVM, in KRaft mode, for the Kafka journal's tests and the
 * benchmark: Kafka's own test kit ({@link KafkaClusterTestKit}), no Docker, nothing downloaded;
 * clients reach the brokers on localhost (the kit first binds each listener to an ephemeral port
 * on every interface, and to localhost when a broker restarts). One broker for most tests, three
 * for the fault tests. Node 0 is also the cluster's only KRaft controller ("combined" mode), so
 * stopping brokers, all of them too, leaves the metadata quorum up: what is faulted is the
 * brokers' data path, as when broker processes die on their machines while the controllers, on
 * theirs, keep running.
 *
 * <p>A broker stopped with {@link #stopBroker}, as a crashed broker stops, and started again with
 * {@link #startBroker} comes back as the same node on the same port, with its log folder: the kit binds each listener's port
 * once and binds it again when the broker restarts, so clients reconnect to the address they
 * already know, as they would to a restarted broker on its machine.
 *
 * <p>The stall of an earlier try, an {@code acks=all} producer waiting in {@code flush()} on three
 * brokers: with Kafka 4.3.1 a fresh three-broker cluster does not stall, whatever the kit's
 * settings tried here (its defaults; one or three controllers, combined or apart; one thread per
 * pool; the production or the in-development metadata version; 300,000 records of 300 bytes to a
 * topic of replication factor 3 and {@code min.insync.replicas} 2 or 3; its partition 0's leader
 * stopped half-way; the older kit of {@code kafka_2.13:3.9.1:test} too): {@code flush()} returned
 * within 0.5 to 10 s every time, so the earlier try's own setup, which is not kept, caused it.
 * What does hold an {@code acks=all} producer, and what this class does about it:
 *
 * <ul>
 *   <li>A broker started again is refused by the controller
 *       ({@code DUPLICATE_BROKER_REGISTRATION}) until the session of the incarnation stopped has
 *       expired, {@code broker.session.timeout.ms}, 9 s by default, its registration retried at
 *       each heartbeat (2 s): a restart took 10.3 s.
 *       Until it is back and caught up, a partition of replication factor 3 whose second replica
 *       is then stopped has one replica in sync, fewer than {@code min.insync.replicas=2}: the
 *       producer retries {@code NOT_ENOUGH_REPLICAS} until {@code delivery.timeout.ms} (2 min), and
 *       {@code flush()} waits as long. Here the session is 3 s (heartbeats every 0.5 s), {@link
 *       #startBroker} returns once the broker is unfenced (3 s), and {@link #awaitInSync} returns
 *       once every replica has caught up, so that a test faults the next broker only then.
 *   <li>The internal topics' replication factor: Kafka's default for the consumer offsets and the
 *       transaction state is 3, with {@code transaction.state.log.min.isr} 2; on one broker those
 *       topics cannot be created, and a consumer group (or a transactional producer) waits for a
 *       coordinator forever. Here they are replicated on every broker, up to 3, with at most 2
 *       in sync required, so that they also survive one broker stopped of three.
 * </ul>
 *
 * <p>Start-up is kept short on a 2-core machine. Measured here: the first start in a JVM, most of
 * it loading Kafka's classes, 2.4 s (1 broker) and 2.7 s (3 brokers) on a quiet machine, up to
 * 8.5 s with the machine loaded by other builds; a later start in the same JVM 0.5 to 0.9 s (1
 * broker) and 0.7 to 1.7 s (3 brokers); a close 0.2 to 0.8 s. It takes a thread or two per pool instead of Kafka's server defaults (8 request handlers, 3 network
 * threads, 10 background threads), one partition for the internal topics instead of 50, and no
 * initial rebalance delay for consumer groups. The kit formats the nodes in a temporary folder
 * it deletes as {@link #close()} ends.
 */
public final class KafkaBrokers implements AutoCloseable {

  private static final Duration WITHIN = Duration.ofMinutes(1);
  private static final Duration POLL = Duration.ofMillis(50);

  /** The one broker this JVM's tests share, once one asked for it; see {@link #shared()}. */
  private static KafkaBrokers shared;

  private final KafkaClusterTestKit cluster;
  private final int brokers;
  private final boolean closedAtExit;

  private KafkaBrokers(KafkaClusterTestKit cluster, int brokers, boolean closedAtExit) {
    this.cluster = cluster;
    this.brokers = brokers;
    this.closedAtExit = closedAtExit;
  }

  /**
   * One broker for every test class of this JVM that needs a broker and no faults: started on the
   * first call, closed (its folder deleted) when the JVM exits; {@link #close()} leaves it
   * running. The first start in a JVM costs most (Kafka's classes loaded), so test classes share
   * this one rather than start their own. They keep apart by their own topic and group names, and
   * never stop it: fault tests {@link #start} brokers of their own.
   */
  public static synchronized KafkaBrokers shared() {
    if (shared == null) {
      KafkaBrokers started = start(1, true);
      Runtime.getRuntime().addShutdownHook(new Thread(started::closeAtExit, "kafka-brokers-close"));
      shared = started;
    }
    return shared;
  }

  /**
   * Formats and starts {@code brokers} brokers (1 to 3, node ids 0 to {@code brokers - 1}) in a
   * temporary folder the kit deletes on {@link #close()}, and returns once every one is running
   * and known to the controller.
   */
  public static KafkaBrokers start(int brokers) {
    return start(brokers, false);
  }

  private static KafkaBrokers start(int brokers, boolean closedAtExit) {
    if (brokers < 1 || brokers > 3) {
      throw new IllegalArgumentException("1 to 3 brokers, not " + brokers);
    }
    KafkaClusterTestKit cluster = null;
    Path folder = null;
    try {
      // A folder of this class's own, which the kit deletes once its brokers are closed. The
      // kit's own folder is deleted by a shutdown hook of the kit's, which at the JVM's exit runs
      // beside the one closing the shared broker; a broker whose log folder is deleted under it
      // halts the JVM with status 1, the other hooks cut short. Seen once in the ITs' JVMs:
      // every test passed, Surefire answered "Error occurred in starting fork", and the JVM's
      // PostgreSQL folder was left stopped but not deleted
      folder = Files.createTempDirectory("kafka-brokers-");
      TestKitNodes nodes =
          new TestKitNodes.Builder()
              .setBaseDirectory(folder)
              // the metadata version a 4.3 cluster runs in production, not the kit's default
              // (the newest version in development, with features not yet released)
              .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
              .setCombined(true)
              .setNumControllerNodes(1)
              .setNumBrokerNodes(brokers)
              .build();
      KafkaClusterTestKit.Builder builder =
          new KafkaClusterTestKit.Builder(nodes).setDeleteOnClose(true);
      serverSettings(brokers).forEach(builder::setConfigProp);
      cluster = builder.build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new KafkaBrokers(cluster, brokers, closedAtExit);
    } catch (Exception e) {
      if (cluster != null) {
        closeQuietly(cluster, e);
      } else if (folder != null) {
        deleteQuietly(folder, e);
      }
      throw new IllegalStateException("Kafka brokers did not start", e);
    }
  }

  /** The brokers' settings, beside the kit's own (listeners, folders, the controller quorum). */
  static Map<String, Object> serverSettings(int brokers) {
    Map<String, Object> settings = new HashMap<>();
    // the APIs a released broker offers (the kit turns the unreleased ones on)
    settings.put("unstable.api.versions.enable", "false");
    // fewer threads: a test or the benchmark sends from one or a few clients
    settings.put("num.network.threads", "1");
    settings.put("num.io.threads", "2");
    settings.put("background.threads", "2");
    settings.put("num.replica.fetchers", "1");
    settings.put("num.recovery.threads.per.data.dir", "1");
    settings.put("log.cleaner.threads", "1");
    // the internal topics: one partition each, replicated on every broker (up to 3) so that a
    // consumer group's offsets and producer state survive a broker stopped
    short internalReplicas = (short) Math.min(brokers, 3);
    String internalMinInSync = Integer.toString(Math.min(internalReplicas, 2));
    settings.put("offsets.topic.num.partitions", "1");
    settings.put("offsets.topic.replication.factor", Short.toString(internalReplicas));
    settings.put("transaction.state.log.num.partitions", "1");
    settings.put("transaction.state.log.replication.factor", Short.toString(internalReplicas));
    settings.put("transaction.state.log.min.isr", internalMinInSync);
    settings.put("share.coordinator.state.topic.num.partitions", "1");
    settings.put(
        "share.coordinator.state.topic.replication.factor", Short.toString(internalReplicas));
    settings.put("share.coordinator.state.topic.min.isr", internalMinInSync);
    // a broker started again registers a new incarnation, which the controller refuses
    // (DUPLICATE_BROKER_REGISTRATION) until the stopped one's session has expired: 9 s by default
    settings.put("broker.session.timeout.ms", "3000");
    settings.put("broker.heartbeat.interval.ms", "500");
    // a broker stopped goes as a crashed process goes: it does not ask the controller to move its
    // partitions' leadership first (a controlled shutdown); the controller fences it when its
    // session expires, and the clients find the new leaders then
    settings.put("controlled.shutdown.enable", "false");
    // tests run on clocks set in the past, and records carry the journal's time: a retention
    // check would delete them as older than the topic's retention while a test still reads them.
    // The first check comes after the log manager's initial delay (30 s by default), not the
    // interval: a CI run lost a test's four records to it, 30 s after its broker started
    // (LineExplanationOnKafkaE2ETest: "deleted by the topic's retention before it read them")
    String day = Long.toString(Duration.ofDays(1).toMillis());
    settings.put("log.retention.check.interval.ms", day);
    settings.put("log.initial.task.delay.ms", day);
    // a consumer group's first member is assigned at once, not after 3 s
    settings.put("group.initial.rebalance.delay.ms", "0");
    return settings;
  }

  /**
   * A Kafka journal on these brokers, in a new topic named after {@code name} (so that hosts of
   * different tests never share records): 3 partitions, so that records spread and stay in order
   * per account, replicated on every broker.
   */
  public KafkaSettings journal(String name) {
    return new KafkaSettings(
        bootstrapServers(),
        name + "-" + UUID.randomUUID().toString().substring(0, 8),
        3,
        (short) brokers,
        Map.of());
  }

  /** The brokers' addresses, as a client's {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** How many brokers this cluster has, running or stopped. */
  public int brokers() {
    return brokers;
  }

  /** An admin client of the cluster; the caller closes it. */
  public Admin admin() {
    return cluster.admin();
  }

  /**
   * Creates a topic and returns once the cluster names a leader for each of its partitions, so
   * that a producer's first send does not race the topic's creation.
   */
  public void createTopic(
      String name, int partitions, int replicationFactor, Map<String, String> configs) {
    try (Admin admin = admin()) {
      admin
          .createTopics(
              List.of(new NewTopic(name, partitions, (short) replicationFactor).configs(configs)))
          .all()
          .get(WITHIN.toSeconds(), TimeUnit.SECONDS);
      Await.await(
          WITHIN,
          POLL,
          "a leader for every partition of " + name,
          () -> {
            List<TopicPartitionInfo> known = partitions(admin, name);
            return !known.isEmpty() && known.stream().allMatch(p -> p.leader() != null);
          });
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("topic " + name + " was not created", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted creating topic " + name, e);
    }
  }

  /**
   * Stops broker {@code id} as a crashed broker process stops: no controlled shutdown, so its
   * partitions keep it as their leader until the controller fences it, when its session expires
   * (3 s), and elects new leaders among the replicas in sync; its clients see their connections
   * closed meanwhile. Its log folder and port stay, for {@link #startBroker}, with what it wrote
   * (as a killed process's files keep it: the kernel's page cache outlives a process, not a
   * machine).
   */
  public void stopBroker(int id) {
    if (closedAtExit) {
      throw new IllegalStateException(
          "the shared broker is never stopped: start brokers of your own");
    }
    broker(id).shutdown();
  }

  /**
   * Starts broker {@code id} again on its port and returns once the controller has let it in
   * (unfenced) and its metadata has caught up: the broker's own start-up waits for both. (Not the
   * kit's {@code waitForReadyBrokers}, which waits for every broker, the ones still stopped too.)
   */
  public void startBroker(int id) {
    broker(id).startup();
  }

  /** Stops every broker as {@link #stopBroker} does; the controller keeps running. */
  public void stopAll() {
    for (int id = 0; id < brokers; id++) {
      if (!broker(id).isShutdown()) {
        stopBroker(id);
      }
    }
  }

  /** Starts every stopped broker again on its port, as {@link #startBroker} does. */
  public void startAll() {
    for (int id = 0; id < brokers; id++) {
      if (broker(id).isShutdown()) {
        startBroker(id);
      }
    }
  }

  /**
   * Returns once every partition of {@code topic} has all its replicas in sync: after a broker
   * is started again, before the next fault, so that the next one does not take the last copy.
   */
  public void awaitInSync(String topic) {
    try (Admin admin = admin()) {
      Await.await(
          WITHIN,
          POLL,
          "every replica of " + topic + " in sync",
          () -> {
            List<TopicPartitionInfo> known = partitions(admin, topic);
            return !known.isEmpty()
                && known.stream().allMatch(p -> p.isr().size() == p.replicas().size());
          });
    }
  }

  /**
   * The records {@code topic} holds: the sum over its partitions of the end offset less the start
   * (a fault test compares it with the events accepted: a batch refused after the brokers wrote
   * it, then sent again, is there twice).
   */
  public long records(String topic) {
    try (Admin admin = admin()) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      for (TopicPartitionInfo partition : partitions(admin, topic)) {
        latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest());
        earliest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.earliest());
      }
      long records = 0;
      for (var end :
          admin.listOffsets(latest).all().get(WITHIN.toSeconds(), TimeUnit.SECONDS).values()) {
        records += end.offset();
      }
      for (var start :
          admin.listOffsets(earliest).all().get(WITHIN.toSeconds(), TimeUnit.SECONDS).values()) {
        records -= start.offset();
      }
      return records;
    } catch (Exception e) {
      throw new IllegalStateException("the records of " + topic + " were not counted", e);
    }
  }

  /**
   * The partitions of {@code topic} as the broker asked knows them; none while its metadata does
   * not know the topic yet (just created: the broker learns it from the controller a moment later).
   */
  private static List<TopicPartitionInfo> partitions(Admin admin, String topic) throws Exception {
    try {
      TopicDescription description =
          admin
              .describeTopics(Set.of(topic))
              .allTopicNames()
              .get(WITHIN.toSeconds(), TimeUnit.SECONDS)
              .get(topic);
      return description.partitions();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return List.of();
      }
      throw e;
    }
  }

  private BrokerServer broker(int id) {
    BrokerServer broker = cluster.brokers().get(id);
    if (broker == null) {
      throw new IllegalArgumentException("no broker " + id + " among " + brokers);
    }
    return broker;
  }

  /**
   * Stops the brokers and the controller and deletes their folders; the {@link #shared()} ones
   * only when the JVM exits.
   */
  @Override
  public void close() throws Exception {
    if (!closedAtExit) {
      cluster.close();
    }
  }

  private void closeAtExit() {
    try {
      cluster.close();
    } catch (Exception e) {
      // the JVM is exiting: nothing is left to tell; the folder is a temporary one
    }
  }

  private static void deleteQuietly(Path folder, Exception cause) {
    try {
      Utils.delete(folder.toFile());
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }

  private static void closeQuietly(KafkaClusterTestKit cluster, Exception cause) {
    try {
      cluster.close();
    } catch (Exception e) {
      cause.addSuppressed(e);
    }
  }
}

package io.streamspace.host.journal.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Kafka journal's lag is read against, through the admin client: each partition's end
 * offset and which node's consumer owns it for each plugin, looked up at most once a second
 * (health checks, scrapes and intake's back-pressure all ask), and the offsets of a time, for a
 * rewind. While the brokers cannot be reached, the last figures read stand (none before the
 * first), and the lookups are tried again a second later, so that a health check is not held up.
 * The records this node's intake wrote count at once: an end read before they were acknowledged
 * is raised past them.
 */
final class TopicEnds {

  private static final Logger log = LoggerFactory.getLogger(TopicEnds.class);
  private static final Duration RECHECK = Duration.ofSeconds(1);
  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(2);

  private final Admin admin;
  private final String topic;
  private Map<Integer, Long> ends = Map.of();
  private long endsAt;
  private boolean endsRead;
  private final Map<String, Owners> owners = new HashMap<>();
  // the back-pressure's bound, as last read
  private volatile Map<Integer, Long> bound = Map.of();

  // past the last record this node wrote to each partition; not under the lock, which a read of
  // the ends holds for up to 2 s while intake must not wait
  private final Map<Integer, Long> written = new ConcurrentHashMap<>();

  private record Owners(Map<Integer, String> nodes, long at) {}

  TopicEnds(Admin admin, String topic) {
    this.admin = admin;
    this.topic = topic;
  }

  /**
   * Each partition's end offset: the offset the next record written to it will have, at least
   * past what this node wrote.
   */
  synchronized Map<Integer, Long> ends() {
    if (!endsRead || System.nanoTime() - endsAt > RECHECK.toNanos()) {
      endsAt = System.nanoTime();
      try {
        ends = offsets(OffsetSpec.latest());
        endsRead = true;
      } catch (RuntimeException e) {
        log.warn("The Kafka journal's end offsets could not be read: {}", e.toString());
      }
    }
    if (written.isEmpty()) {
      return ends;
    }
    Map<Integer, Long> raised = new TreeMap<>(ends);
    written.forEach((partition, end) -> raised.merge(partition, end, Math::max));
    return raised;
  }

  /** This node's intake wrote records up to these offsets (by partition), acknowledged. */
  void wrote(Map<Integer, Long> lastByPartition) {
    lastByPartition.forEach((partition, last) -> written.merge(partition, last + 1, Math::max));
  }

  /**
   * The node whose consumer owns each partition in each of these consumer groups (a partition
   * no member owns is absent); a group not described is left out.
   *
   * @param nodeOfClient the node of a member, from its client id
   */
  synchronized Map<String, Map<Integer, String>> owners(
      Collection<String> groups, Function<String, String> nodeOfClient) {
    List<String> stale =
        groups.stream()
            .filter(
                g ->
                    !owners.containsKey(g)
                        || System.nanoTime() - owners.get(g).at() > RECHECK.toNanos())
            .toList();
    if (!stale.isEmpty()) {
      long now = System.nanoTime();
      stale.forEach(
          g -> owners.compute(g, (k, o) -> new Owners(o == null ? Map.of() : o.nodes(), now)));
      try {
        Map<String, ConsumerGroupDescription> described =
            answer(admin.describeConsumerGroups(stale).all());
        described.forEach(
            (group, description) ->
                owners.put(group, new Owners(nodes(description, nodeOfClient), now)));
      } catch (RuntimeException e) {
        log.warn("The Kafka journal's consumer groups could not be described: {}", e.toString());
      }
    }
    Map<String, Map<Integer, String>> found = new HashMap<>();
    groups.forEach(g -> found.put(g, owners.get(g).nodes()));
    return found;
  }

  private Map<Integer, String> nodes(
      ConsumerGroupDescription description, Function<String, String> nodeOfClient) {
    Map<Integer, String> nodes = new TreeMap<>();
    for (MemberDescription member : description.members()) {
      for (TopicPartition partition : member.assignment().topicPartitions()) {
        if (partition.topic().equals(topic)) {
          nodes.put(partition.partition(), nodeOfClient.apply(member.clientId()));
        }
      }
    }
    return nodes;
  }

  /**
   * As {@link #firstAtOrAfter}, for intake's back-pressure (which asks at most once a second, one
   * request at a time): while the brokers cannot be reached, the last offsets read stand (none
   * before the first). Not under the lock, so that health checks need not wait for it.
   */
  Map<Integer, Long> firstAtOrAfterOrLastRead(Instant from) {
    try {
      bound = firstAtOrAfter(from);
    } catch (RuntimeException e) {
      log.warn("The Kafka journal's offsets of a time could not be read: {}", e.toString());
    }
    return bound;
  }

  /**
   * In each partition, the offset of the first record written at or after {@code from}, or the
   * end when there is none. Read now, not from what is kept.
   */
  Map<Integer, Long> firstAtOrAfter(Instant from) {
    Map<Integer, Long> found = offsets(OffsetSpec.forTimestamp(from.toEpochMilli()));
    Map<Integer, Long> end = null;
    Map<Integer, Long> places = new TreeMap<>();
    for (Map.Entry<Integer, Long> partition : found.entrySet()) {
      long offset = partition.getValue();
      if (offset < 0) {
        // no record as late: the end, read once for all such partitions
        end = end == null ? offsets(OffsetSpec.latest()) : end;
        offset = end.get(partition.getKey());
      }
      places.put(partition.getKey(), offset);
    }
    return places;
  }

  private Map<Integer, Long> offsets(OffsetSpec spec) {
    Set<TopicPartition> partitions =
        answer(admin.describeTopics(Set.of(topic)).allTopicNames()).get(topic).partitions().stream()
            .map(info -> new TopicPartition(topic, info.partition()))
            .collect(Collectors.toSet());
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> listed =
        answer(
            admin
                .listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> spec)))
                .all());
    Map<Integer, Long> offsets = new TreeMap<>();
    listed.forEach((partition, info) -> offsets.put(partition.partition(), info.offset()));
    return offsets;
  }

  private static <T> T answer(KafkaFuture<T> future) {
    try {
      return future.get(ANSWER_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the Kafka brokers answered with a failure", e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "the Kafka brokers did not answer within " + ANSWER_WITHIN.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted asking the Kafka brokers", e);
    }
  }
}

package io.streamspace.host.plugins;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * How far behind the journal a plugin is.
 *
 * @param events     entries after its place (counted up to a million, then that, in the
 *     PostgreSQL journal); on Kafka, the sum over the partitions
 * @param seconds    how long the plugin has been stuck while entries wait: in the PostgreSQL
 *     journal, since the oldest entry after its place was journaled; on Kafka, since its place in
 *     the partition that waits longest was last stored (a live consumer stores its places after
 *     each round and every few seconds when idle, so this grows only while it does not move).
 *     0 when nothing waits
 * @param consumer   the node consuming it, null when none does (in the PostgreSQL journal, when
 *     no node holds an unexpired lease); on Kafka, the nodes that consume its partitions,
 *     comma-separated
 * @param partitions on Kafka, the lag in each partition of the topic; empty for the PostgreSQL
 *     journal (one partition, and then not shown)
 */
public record JournalLag(
    long events,
    long seconds,
    String consumer,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<PartitionLag> partitions) {

  public JournalLag {
    partitions = List.copyOf(partitions);
  }

  /**
   * How far behind a plugin is in one partition of the Kafka journal.
   *
   * @param events   records after its place (the partition's end offset less the place)
   * @param consumer the node consuming the partition for the plugin, null when none is known
   */
  public record PartitionLag(int partition, long events, String consumer) {}

  /** How far behind the event journal plugins are, by plugin id. */
  @FunctionalInterface
  public interface Lookup {
    /** The lag of each of these plugins that has ever consumed the journal. */
    Map<String, JournalLag> of(List<String> pluginIds);
  }
}

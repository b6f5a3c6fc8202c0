package io.streamspace.host.intake;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The events this node's intake journaled lately, as it parsed them, by partition and position:
 * this node's consumers hand them to the plugins as they are instead of reading each back from its
 * body (a JSON parse and a validation an event). The parser reads every event in its journaled
 * form (decimals without trailing zeros), so an event kept here equals the one its body reads as.
 *
 * <p>Kept by partition because positions are per partition: on Kafka, offsets of different
 * partitions run side by side, and one map by offset alone would let each partition's events
 * overwrite the others' (the id check kept that safe, but most lookups then missed).
 *
 * <p>Bounded twice: an entry goes once every consumer on this node has been handed it (the
 * PostgreSQL journal, of one partition, says so), and none is kept more than its share of
 * {@link #MOST} positions behind its partition's newest (entries this node journaled while another
 * node consumes, or that a consumer read before intake kept them, are never asked for). So about
 * {@link #MOST} events are kept in all, however many partitions there are. A position not found
 * here is read back from its body, as an entry another node journaled is.
 */
final class ParsedEvents {

  /** How many positions, across the partitions, an event is kept behind the newest at most. */
  static final long MOST = 20_000;

  private final Map<Integer, ConcurrentSkipListMap<Long, PlatformEvent>> byPartition =
      new ConcurrentHashMap<>();

  /** Intake journaled {@code event} at position {@code seq} of {@code partition}. */
  void journaled(int partition, long seq, PlatformEvent event) {
    ConcurrentSkipListMap<Long, PlatformEvent> kept =
        byPartition.computeIfAbsent(partition, p -> new ConcurrentSkipListMap<>());
    kept.put(seq, event);
    // by the first entry, not a head map's clear(): this runs for every event intake journals,
    // and the view made and searched each time took 2 % of the JVM's CPU under intake on Kafka
    long oldest = seq - MOST / byPartition.size();
    Map.Entry<Long, PlatformEvent> first;
    while ((first = kept.firstEntry()) != null && first.getKey() <= oldest) {
      kept.remove(first.getKey(), first.getValue());
    }
  }

  /**
   * The event journaled here at {@code seq} of {@code partition}, or null when it is not kept (or
   * the entry there is another event's, which the id check rules out whatever happened to the
   * positions).
   */
  PlatformEvent at(int partition, long seq, String eventId) {
    ConcurrentSkipListMap<Long, PlatformEvent> kept = byPartition.get(partition);
    PlatformEvent event = kept == null ? null : kept.get(seq);
    return event != null && event.id().equals(eventId) ? event : null;
  }

  /**
   * A copy of the events kept at the positions {@code (seq, seq + most]} of {@code partition}, by
   * position: what a consumer hands without reading their entries' bodies.
   */
  NavigableMap<Long, PlatformEvent> after(int partition, long seq, int most) {
    ConcurrentSkipListMap<Long, PlatformEvent> kept = byPartition.get(partition);
    return kept == null
        ? Collections.emptyNavigableMap()
        : new TreeMap<>(kept.subMap(seq, false, seq + most, true));
  }

  /** Every consumer on this node has been handed {@code partition}'s entries up to {@code seq}. */
  void handedThrough(int partition, long seq) {
    ConcurrentSkipListMap<Long, PlatformEvent> kept = byPartition.get(partition);
    if (kept != null) {
      kept.headMap(seq, true).clear();
    }
  }

  /** How many events are kept (tests watch it). */
  int size() {
    return byPartition.values().stream().mapToInt(Map::size).sum();
  }
}

package io.streamspace.host.intake;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

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
 * <p>Each partition's events are kept in a ring of {@link #MOST} slots, an event in the slot of
 * its position: keeping one is a write to an array, where a sorted map's insert and removal took
 * 4.5 % of the JVM's CPU under intake on Kafka (docs/benchmark-history.md, run AF). Bounded twice:
 * an entry goes once every consumer on this node has been handed it (the PostgreSQL journal, of one
 * partition, says so), and none is kept more than its share of {@link #MOST} positions behind its
 * partition's newest (entries this node journaled while another node consumes, or that a consumer
 * read before intake kept them, are never asked for). Both clear every position up to a mark, once
 * each ({@link Ring#clearThrough}), whatever positions this node journaled (another node's batches
 * leave gaps in a partition's offsets). So about {@link #MOST} events are kept in all, however many
 * partitions there are. A position not found here (never kept, gone, or its slot taken by a later
 * position) is read back from its body, as an entry another node journaled is.
 */
final class ParsedEvents {

  /** How many positions, across the partitions, an event is kept behind the newest at most. */
  static final long MOST = 20_000;

  /** An event kept, with its position. */
  private record Kept(long seq, PlatformEvent event) {}

  /** A partition's kept events, each in the slot of its position. */
  private static final class Ring {
    private final AtomicReferenceArray<Kept> slots = new AtomicReferenceArray<>((int) MOST);
    // every position up to it is cleared (handed, or past the bound), none kept again
    private final AtomicLong cleared = new AtomicLong(Long.MIN_VALUE);

    void keep(long seq, PlatformEvent event) {
      if (seq > cleared.get()) {
        slots.set(slot(seq), new Kept(seq, event));
      }
    }

    Kept at(long seq) {
      Kept kept = slots.get(slot(seq));
      return kept != null && kept.seq() == seq ? kept : null;
    }

    /**
     * Clears the positions up to {@code through} not cleared yet: each once, by the caller that
     * moved the mark past it (at most the ring's size).
     */
    void clearThrough(long through) {
      long before = cleared.getAndAccumulate(through, Math::max);
      for (long seq = Math.max(before, through - MOST) + 1; seq <= through; seq++) {
        Kept kept = slots.get(slot(seq));
        if (kept != null && kept.seq() <= through) {
          slots.compareAndSet(slot(seq), kept, null);
        }
      }
    }

    int size() {
      int size = 0;
      for (int i = 0; i < slots.length(); i++) {
        size += slots.get(i) == null ? 0 : 1;
      }
      return size;
    }
  }

  private final Map<Integer, Ring> byPartition = new ConcurrentHashMap<>();

  /** Intake journaled {@code event} at position {@code seq} of {@code partition}. */
  void journaled(int partition, long seq, PlatformEvent event) {
    Ring ring = byPartition.computeIfAbsent(partition, p -> new Ring());
    ring.keep(seq, event);
    ring.clearThrough(seq - MOST / byPartition.size());
  }

  /**
   * The event journaled here at {@code seq} of {@code partition}, or null when it is not kept (or
   * the entry there is another event's, which the id check rules out whatever happened to the
   * positions).
   */
  PlatformEvent at(int partition, long seq, String eventId) {
    Ring ring = byPartition.get(partition);
    Kept kept = ring == null ? null : ring.at(seq);
    return kept != null && kept.event().id().equals(eventId) ? kept.event() : null;
  }

  /**
   * A copy of the events kept at the positions {@code (seq, seq + most]} of {@code partition}, by
   * position: what a consumer hands without reading their entries' bodies.
   */
  NavigableMap<Long, PlatformEvent> after(int partition, long seq, int most) {
    NavigableMap<Long, PlatformEvent> after = new TreeMap<>();
    Ring ring = byPartition.get(partition);
    if (ring != null) {
      for (long at = seq + 1; at <= seq + Math.min(most, MOST); at++) {
        Kept kept = ring.at(at);
        if (kept != null) {
          after.put(at, kept.event());
        }
      }
    }
    return after;
  }

  /** Every consumer on this node has been handed {@code partition}'s entries up to {@code seq}. */
  void handedThrough(int partition, long seq) {
    Ring ring = byPartition.get(partition);
    if (ring != null) {
      ring.clearThrough(seq);
    }
  }

  /** How many events are kept (tests watch it). */
  int size() {
    return byPartition.values().stream().mapToInt(Ring::size).sum();
  }

  private static int slot(long seq) {
    return (int) Math.floorMod(seq, MOST);
  }
}

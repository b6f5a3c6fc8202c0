package io.streamspace.host.intake;

import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The events this node's intake journaled lately, as it parsed them, by journal position: this
 * node's consumers hand them to the plugins as they are instead of reading each back from its
 * body (a JSON parse and a validation an event). The parser reads every event in its journaled
 * form (decimals without trailing zeros), so an event kept here equals the one its body reads as.
 *
 * <p>Bounded twice: an entry goes once every consumer on this node has been handed it, and none
 * is kept more than {@link #MOST} positions behind the newest (entries this node journaled while
 * another node consumes, or that a consumer read before intake kept them, are never asked for).
 * A position not found here is read back from its body, as an entry another node journaled is.
 */
final class ParsedEvents {

  /** How many positions behind the newest an event is kept at most (a few rounds' worth). */
  static final long MOST = 20_000;

  private final ConcurrentSkipListMap<Long, PlatformEvent> bySeq = new ConcurrentSkipListMap<>();

  /** Intake journaled {@code event} at position {@code seq}. */
  void journaled(long seq, PlatformEvent event) {
    bySeq.put(seq, event);
    bySeq.headMap(seq - MOST, true).clear();
  }

  /**
   * The event journaled here at {@code seq}, or null when it is not kept (or the entry there is
   * another event's, which the id check rules out whatever happened to the positions).
   */
  PlatformEvent at(long seq, String eventId) {
    PlatformEvent event = bySeq.get(seq);
    return event != null && event.id().equals(eventId) ? event : null;
  }

  /** Every consumer on this node has been handed the entries up to {@code seq}. */
  void handedThrough(long seq) {
    bySeq.headMap(seq, true).clear();
  }

  /** How many events are kept (tests watch it). */
  int size() {
    return bySeq.size();
  }
}

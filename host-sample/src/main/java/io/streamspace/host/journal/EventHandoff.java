package io.streamspace.host.journal;

import io.streamspace.host.plugins.ActivePlugin;

/** Calls a plugin's hook with a journaled event (intake knows how to read it back). */
@FunctionalInterface
public interface EventHandoff {

  /**
   * Hands the event to the plugin's hook. An entry that can no longer be read as an event (its
   * rules changed since it was accepted) is reported and left in the journal, not handed.
   */
  void handOff(EventJournal.Journaled journaled, ActivePlugin plugin);

  /**
   * Hands the plugin the event at {@code seq} of {@code partition} if this node still keeps it as
   * its intake parsed it, without the entry being read back: a consumer asks this first, so that
   * it decodes only the entries that are not kept. False when it is not kept (then {@link
   * #handOff} with the entry).
   */
  default boolean handOffKept(int partition, long seq, String eventId, ActivePlugin plugin) {
    return false;
  }

  /**
   * Every plugin consumed on this node has been handed the entries up to {@code seq} (what was
   * kept in memory to hand them may go).
   */
  default void handedThrough(long seq) {}
}

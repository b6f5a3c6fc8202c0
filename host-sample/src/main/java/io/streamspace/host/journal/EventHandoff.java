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
   * Every plugin consumed on this node has been handed the entries up to {@code seq} (what was
   * kept in memory to hand them may go).
   */
  default void handedThrough(long seq) {}
}

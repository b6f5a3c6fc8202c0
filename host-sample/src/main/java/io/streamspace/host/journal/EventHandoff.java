package io.streamspace.host.journal;

import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.plugin.api.PluginContext;
import java.util.Collections;
import java.util.NavigableMap;

/** Calls a plugin's hook with a journaled event (intake knows how to read it back). */
@FunctionalInterface
public interface EventHandoff {

  /** An event this node keeps as its intake parsed it: handed to a plugin without its entry. */
  interface Kept {

    /** The event's id, which the entry at its position must have. */
    String id();

    /** Calls the plugin hook for this event. */
    void deliverTo(PlatformPlugin plugin, PluginContext context);
  }

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
   * The events this node keeps as its intake parsed them at the positions {@code (seq, seq +
   * most]} of the PostgreSQL journal, by position: a copy, which what is journaled or handed
   * meanwhile does not change. The consumer reads no body for these positions.
   */
  default NavigableMap<Long, ? extends Kept> keptAfter(long seq, int most) {
    return Collections.emptyNavigableMap();
  }

  /**
   * Every plugin consumed on this node has been handed the entries up to {@code seq} (what was
   * kept in memory to hand them may go).
   */
  default void handedThrough(long seq) {}
}

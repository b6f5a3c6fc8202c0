package io.streamspace.host.plugins;

import java.util.List;
import java.util.Map;

/**
 * How far behind the journal a plugin is.
 *
 * @param events   entries after its position (counted up to a million, then that)
 * @param seconds  since the oldest of them was journaled; 0 when there is none
 * @param consumer the node consuming it, null when no node holds an unexpired lease
 */
public record JournalLag(long events, long seconds, String consumer) {

  /** How far behind the event journal plugins are, by plugin id. */
  @FunctionalInterface
  public interface Lookup {
    /** The lag of each of these plugins that has ever consumed the journal. */
    Map<String, JournalLag> of(List<String> pluginIds);
  }
}

package io.streamspace.host.intake;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.host.journal.EventHandoff;
import io.streamspace.host.journal.EventJournal;
import io.streamspace.host.plugins.ActivePlugin;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.NavigableMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls a journaled event's plugin hook: with the event as this node's intake parsed it while it
 * is kept ({@link ParsedEvents}), else read back from its body (it was validated when it arrived).
 */
public final class JournalHandoff implements EventHandoff {

  private static final Logger log = LoggerFactory.getLogger(JournalHandoff.class);

  private final ObjectMapper mapper;
  private final EventParser parser;
  private final ParsedEvents parsed = new ParsedEvents();

  public JournalHandoff(ObjectMapper mapper, Clock clock) {
    this.mapper = mapper;
    // the age window plays no part: kept events are read whatever their age
    this.parser = new EventParser(mapper, clock, Duration.ofDays(1));
  }

  @Override
  public void handOff(EventJournal.Journaled journaled, ActivePlugin plugin) {
    if (handOffKept(journaled.partition(), journaled.seq(), journaled.entry().eventId(), plugin)) {
      return;
    }
    PlatformEvent event = readBack(journaled, plugin);
    if (event != null) {
      event.deliverTo(plugin.extension(), plugin.context());
    }
  }

  @Override
  public boolean handOffKept(int partition, long seq, String eventId, ActivePlugin plugin) {
    PlatformEvent event = parsed.at(partition, seq, eventId);
    if (event == null) {
      return false;
    }
    event.deliverTo(plugin.extension(), plugin.context());
    return true;
  }

  @Override
  public NavigableMap<Long, PlatformEvent> keptAfter(long seq, int most) {
    return parsed.after(0, seq, most);
  }

  @Override
  public void handedThrough(long seq) {
    parsed.handedThrough(0, seq);
  }

  /** Intake journaled {@code event} at {@code seq} of {@code partition} on this node. */
  void journaled(int partition, long seq, PlatformEvent event) {
    parsed.journaled(partition, seq, event);
  }

  /** How many parsed events are kept for the consumers (tests watch it). */
  int kept() {
    return parsed.size();
  }

  /** The event its body reads as; null when it no longer reads as one (reported). */
  private PlatformEvent readBack(EventJournal.Journaled journaled, ActivePlugin plugin) {
    try {
      return parser.parseKept(mapper.readTree(journaled.entry().body()));
    } catch (IOException | IllegalArgumentException e) {
      // accepted under an older host's rules: it stays in the journal for support to see
      log.error(
          "Journal entry {} (event {}) is no longer a valid event, so plugin {} is not handed it:"
              + " {}",
          journaled.seq(),
          journaled.entry().eventId(),
          plugin.id(),
          e.getMessage());
      return null;
    }
  }
}

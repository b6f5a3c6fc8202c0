package io.streamspace.host.intake;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.host.journal.EventHandoff;
import io.streamspace.host.journal.EventJournal;
import io.streamspace.host.plugins.ActivePlugin;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads a journaled event back (it was validated when it arrived) and calls its plugin hook. */
public final class JournalHandoff implements EventHandoff {

  private static final Logger log = LoggerFactory.getLogger(JournalHandoff.class);

  private final ObjectMapper mapper;
  private final EventParser parser;

  public JournalHandoff(ObjectMapper mapper, Clock clock) {
    this.mapper = mapper;
    // the age window plays no part: kept events are read whatever their age
    this.parser = new EventParser(mapper, clock, Duration.ofDays(1));
  }

  @Override
  public void handOff(EventJournal.Journaled journaled, ActivePlugin plugin) {
    PlatformEvent event;
    try {
      event = parser.parseKept(mapper.readTree(journaled.entry().body()));
    } catch (IOException | IllegalArgumentException e) {
      // accepted under an older host's rules: it stays in the journal for support to see
      log.error(
          "Journal entry {} (event {}) is no longer a valid event, so plugin {} is not handed it:"
              + " {}",
          journaled.seq(),
          journaled.entry().eventId(),
          plugin.id(),
          e.getMessage());
      return;
    }
    event.deliverTo(plugin.extension(), plugin.context());
  }
}

package io.streamspace.host.journal;

import io.streamspace.plugin.api.event.JournalEvents;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * What plugins read of the journal ({@link JournalEvents}): the events of some sessions, looked
 * up through {@link Journal#find}, so the PostgreSQL journal and the Kafka journal (whose index
 * is the same table) answer alike, and a plugin never reads the host's tables.
 */
public final class JournalEventLookup implements JournalEvents {

  private final Journal journal;

  public JournalEventLookup(Journal journal) {
    this.journal = journal;
  }

  @Override
  public List<Event> ofSessions(
      Collection<String> sessionIds, Instant from, Instant to, int limit) {
    List<String> sessions =
        sessionIds.stream().filter(id -> id != null && !id.isEmpty()).distinct().toList();
    if (sessions.isEmpty() || limit <= 0) {
      return List.of();
    }
    return journal.findOfSessions(sessions, from, to, limit).stream()
        .map(
            j ->
                new Event(
                    j.entry().eventId(),
                    j.entry().type(),
                    j.entry().occurredAt(),
                    j.entry().sessionId()))
        .toList();
  }
}

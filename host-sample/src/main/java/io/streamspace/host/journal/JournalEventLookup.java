package io.streamspace.host.journal;

import io.streamspace.plugin.api.event.JournalEvents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
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
    List<EventJournal.Journaled> found = new ArrayList<>();
    // one indexed read per session (host_journal_session); a page of records names a few
    for (String sessionId : new LinkedHashSet<>(sessionIds)) {
      if (sessionId != null && !sessionId.isEmpty() && limit > 0) {
        found.addAll(journal.find(null, sessionId, from, to, limit, 0));
      }
    }
    return found.stream()
        .sorted(
            Comparator.comparing((EventJournal.Journaled j) -> j.entry().occurredAt())
                .thenComparingLong(EventJournal.Journaled::seq))
        .limit(Math.max(limit, 0))
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

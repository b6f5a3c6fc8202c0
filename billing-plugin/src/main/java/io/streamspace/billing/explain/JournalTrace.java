package io.streamspace.billing.explain;

import io.streamspace.billing.explain.ExplainedRecord.Event;
import io.streamspace.plugin.api.event.JournalEvents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A page of records traced to the journaled events of their sessions, looked up in the host's
 * journal ({@link JournalEvents}): the plugin never reads the host's tables.
 */
final class JournalTrace {

  /** The most journaled events looked up for one page's sessions. */
  private static final int EVENTS_A_PAGE = 10_000;

  private final Supplier<JournalEvents> journal;

  JournalTrace(Supplier<JournalEvents> journal) {
    this.journal = journal;
  }

  /**
   * The page's records with the journaled events of their sessions: per record, the last event
   * at or before its start (what opened or last sized the session) and those during it (resizes,
   * the close).
   */
  List<ExplainedRecord> withEvents(List<ExplainedRecord> page) {
    Set<String> sessions = new LinkedHashSet<>();
    Instant until = Instant.EPOCH;
    for (ExplainedRecord r : page) {
      if (r.sessionId() != null && !r.sessionId().isEmpty()) {
        sessions.add(r.sessionId());
        until = r.to().isAfter(until) ? r.to() : until;
      }
    }
    if (sessions.isEmpty()) {
      return page;
    }
    JournalEvents events = journal.get();
    Map<String, List<JournalEvents.Event>> bySession = new HashMap<>();
    for (JournalEvents.Event e :
        events.ofSessions(sessions, Instant.EPOCH, until.plusNanos(1000), EVENTS_A_PAGE)) {
      bySession.computeIfAbsent(e.sessionId(), s -> new ArrayList<>()).add(e);
    }
    List<ExplainedRecord> explained = new ArrayList<>(page.size());
    for (ExplainedRecord r : page) {
      if (r.sessionId() == null || r.sessionId().isEmpty()) {
        explained.add(r);
        continue;
      }
      List<JournalEvents.Event> ofSession = bySession.getOrDefault(r.sessionId(), List.of());
      List<Event> found = new ArrayList<>();
      JournalEvents.Event before = null;
      for (JournalEvents.Event e : ofSession) {
        if (!e.occurredAt().isAfter(r.from())) {
          before = e;
        } else if (!e.occurredAt().isAfter(r.to())) {
          found.add(new Event(e.id(), e.type(), e.occurredAt()));
        }
      }
      if (before != null) {
        found.add(0, new Event(before.id(), before.type(), before.occurredAt()));
      }
      explained.add(r.withEvents(!ofSession.isEmpty(), found));
    }
    return explained;
  }

  /** Where the explanation stops when some record's events are not in the journal, and why. */
  String notRetained() {
    return journal.get().kept()
        ? "The journal no longer holds the events of some records' sessions (they are past its"
            + " retention): the explanation stops at those usage records."
        : "This host keeps no journal of events: the explanation stops at the usage records.";
  }
}

package io.streamspace.billing.support;

import io.streamspace.plugin.api.event.JournalEvents;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The host's journal as a test hands it to the plugin: the events a test delivered, kept in a
 * list, answered as the host answers {@link JournalEvents#ofSessions}; {@link #forgetBefore}
 * drops what a retention would.
 */
public final class TestJournal implements JournalEvents {

  private final List<Event> events = new CopyOnWriteArrayList<>();

  public void add(String id, String type, Instant occurredAt, String sessionId) {
    events.add(new Event(id, type, occurredAt, sessionId));
  }

  /** Drops every event that occurred before {@code instant}, as the journal's retention does. */
  public void forgetBefore(Instant instant) {
    events.removeIf(e -> e.occurredAt().isBefore(instant));
  }

  @Override
  public List<Event> ofSessions(
      Collection<String> sessionIds, Instant from, Instant to, int limit) {
    return events.stream()
        .filter(e -> sessionIds.contains(e.sessionId()))
        .filter(e -> !e.occurredAt().isBefore(from) && e.occurredAt().isBefore(to))
        .sorted(Comparator.comparing(Event::occurredAt))
        .limit(limit)
        .toList();
  }
}

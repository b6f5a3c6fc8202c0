package io.streamspace.plugin.api.event;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A read-only look into the host's journal of accepted platform events: what a plugin needs to
 * trace a figure it computed back to the events the platform sent (an invoice line to the events
 * that opened, sized and closed its sessions) without reading the host's tables.
 *
 * <p>The journal keeps events for its retention only: an event older than that is gone, and a
 * lookup simply does not return it. A host that keeps no journal answers nothing ({@link
 * #none()}); {@link #kept()} tells the two apart.
 *
 * <p>Stable since 0.3.
 */
public interface JournalEvents {

  /**
   * One journaled event, as much of it as explains a figure.
   *
   * @param id         the platform's event id, unique in the journal
   * @param type       the wire type ({@code session.created}, {@code session.heartbeat}...)
   * @param occurredAt when it happened on the platform
   * @param sessionId  the session it is about
   */
  record Event(String id, String type, Instant occurredAt, String sessionId) {
    public Event {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(occurredAt, "occurredAt");
      Objects.requireNonNull(sessionId, "sessionId");
    }
  }

  /**
   * The journaled events of these sessions that occurred in {@code [from, to)}, oldest first
   * (ties in the order they were journaled), at most {@code limit} of them.
   */
  List<Event> ofSessions(Collection<String> sessionIds, Instant from, Instant to, int limit);

  /** Whether the host keeps a journal at all: false for {@link #none()}. */
  default boolean kept() {
    return true;
  }

  /** The journal of a host that keeps none: every lookup answers nothing. */
  static JournalEvents none() {
    return new JournalEvents() {
      @Override
      public List<Event> ofSessions(
          Collection<String> sessionIds, Instant from, Instant to, int limit) {
        return List.of();
      }

      @Override
      public boolean kept() {
        return false;
      }
    };
  }
}

package io.streamspace.host.platform;

import io.streamspace.plugin.api.event.EventPublisher;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where published platform events go in the sample host: the log, and the last
 * {@value #CAPACITY} kept in memory for admins ({@code GET /api/admin/events}), and handed to a
 * forward (the webhook outbox) before {@code publish} returns: the events of one {@code
 * publishAll} in one hand-off, so that the outbox stores them in one write.
 */
public final class EventLog {

  /**
   * One published event.
   *
   * @param id a random UUID given at publishing, for receivers' de-duplication
   */
  public record PublishedEvent(
      String id, String source, String type, String payloadJson, Instant publishedAt) {}

  static final int CAPACITY = 1000;
  private static final Logger log = LoggerFactory.getLogger(EventLog.class);

  private final Clock clock;
  private final Deque<PublishedEvent> recent = new ArrayDeque<>();
  private final Consumer<List<PublishedEvent>> forward;

  /**
   * @param forward called with the events of each publishing, in order, on the publisher's
   *     thread; it must not throw
   */
  public EventLog(Clock clock, Consumer<List<PublishedEvent>> forward) {
    this.clock = clock;
    this.forward = forward;
  }

  /** The publisher a plugin (or the host itself, source {@code host}) uses. */
  public EventPublisher publisherFor(String source) {
    return new EventPublisher() {
      @Override
      public void publish(String type, String payloadJson) {
        publishAll(List.of(new Event(type, payloadJson)));
      }

      @Override
      public void publishAll(List<Event> events) {
        EventLog.this.publish(source, events);
      }
    };
  }

  private void publish(String source, List<EventPublisher.Event> events) {
    if (events.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    List<PublishedEvent> published = new ArrayList<>(events.size());
    for (EventPublisher.Event event : events) {
      log.info("Event {} from {}: {}", event.type(), source, event.payloadJson());
      published.add(
          new PublishedEvent(
              UUID.randomUUID().toString(), source, event.type(), event.payloadJson(), now));
    }
    synchronized (recent) {
      for (PublishedEvent event : published) {
        if (recent.size() == CAPACITY) {
          recent.removeFirst();
        }
        recent.addLast(event);
      }
    }
    forward.accept(published);
  }

  /** The kept events, oldest first, optionally only those of one type. */
  public List<PublishedEvent> recent(String typeOrNull) {
    synchronized (recent) {
      List<PublishedEvent> events = new ArrayList<>(recent.size());
      for (PublishedEvent event : recent) {
        if (typeOrNull == null || typeOrNull.equals(event.type())) {
          events.add(event);
        }
      }
      return events;
    }
  }
}

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
 * {@value #CAPACITY} kept in memory for admins ({@code GET /api/admin/events}), and each handed
 * to a forward (the webhook outbox) before {@code publish} returns.
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
  private final Consumer<PublishedEvent> forward;

  /** @param forward called with each event, on the publisher's thread; it must not throw */
  public EventLog(Clock clock, Consumer<PublishedEvent> forward) {
    this.clock = clock;
    this.forward = forward;
  }

  /** The publisher a plugin (or the host itself, source {@code host}) uses. */
  public EventPublisher publisherFor(String source) {
    return (type, payloadJson) -> publish(source, type, payloadJson);
  }

  private void publish(String source, String type, String payloadJson) {
    log.info("Event {} from {}: {}", type, source, payloadJson);
    PublishedEvent event =
        new PublishedEvent(
            UUID.randomUUID().toString(), source, type, payloadJson, clock.instant());
    synchronized (recent) {
      if (recent.size() == CAPACITY) {
        recent.removeFirst();
      }
      recent.addLast(event);
    }
    forward.accept(event);
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

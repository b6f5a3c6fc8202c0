package io.streamspace.host.platform;

import io.streamspace.plugin.api.event.EventPublisher;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where published platform events go in the sample host: the log (a line a publishing, with its
 * events' types and counts; each event's payload at DEBUG), and the last
 * {@value #CAPACITY} kept in memory for admins ({@code GET /api/admin/events}), and handed to a
 * forward (the webhook outbox) before {@code publish} returns: the events of one {@code
 * publishAll} in one hand-off, so that the outbox stores them in one write.
 *
 * <p>The kept ones are this node's since it started ({@link #since}), not the platform's: a
 * restart starts with none. Where events last is the outbox, for the endpoints subscribed to
 * them; keeping every event again in the database, for a list an admin reads now and then, would
 * cost a write per event the outbox already makes for whoever needs them.
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
  private final Instant since;
  private final Deque<PublishedEvent> recent = new ArrayDeque<>();
  private final Consumer<List<PublishedEvent>> forward;

  /**
   * @param forward called with the events of each publishing, in order, on the publisher's
   *     thread; it must not throw
   */
  public EventLog(Clock clock, Consumer<List<PublishedEvent>> forward) {
    this.clock = clock;
    this.since = clock.instant();
    this.forward = forward;
  }

  /** When this node started keeping events: nothing published before is kept. */
  public Instant since() {
    return since;
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
    Map<String, Integer> types = new LinkedHashMap<>();
    for (EventPublisher.Event event : events) {
      // a payload a line at DEBUG: a run of generate-invoices publishes one event an invoice,
      // 100,000 lines at a platform's size, and the payloads are in /api/admin/events
      log.debug("Event {} from {}: {}", event.type(), source, event.payloadJson());
      types.merge(event.type(), 1, Integer::sum);
      published.add(
          new PublishedEvent(
              UUID.randomUUID().toString(), source, event.type(), event.payloadJson(), now));
    }
    log.info("Published {} from {}", described(types), source);
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

  /** "billing.invoice.created × 250, billing.invoice.finalized", in the order first published. */
  private static String described(Map<String, Integer> types) {
    return types.entrySet().stream()
        .map(t -> t.getValue() == 1 ? t.getKey() : t.getKey() + " × " + t.getValue())
        .collect(Collectors.joining(", "));
  }
}

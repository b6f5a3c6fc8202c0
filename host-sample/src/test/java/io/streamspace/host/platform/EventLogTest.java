package io.streamspace.host.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.host.platform.EventLog.PublishedEvent;
import io.streamspace.host.support.LogCapture;
import io.streamspace.plugin.api.event.EventPublisher;
import io.streamspace.plugin.api.event.EventPublisher.Event;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sample host's log of published events: a line a publishing, not a line an event. */
class EventLogTest {

  @Test
  void aPublishingIsOneInfoLineCountingItsTypes_eachPayloadOnlyAtDebug() {
    List<List<PublishedEvent>> forwarded = new ArrayList<>();
    EventLog log =
        new EventLog(
            Clock.fixed(Instant.parse("2026-11-01T00:00:00Z"), ZoneOffset.UTC), forwarded::add);
    EventPublisher billing = log.publisherFor("billing");
    List<Event> run =
        List.of(
            new Event("billing.invoice.created", "{\"invoice_id\":1}"),
            new Event("billing.invoice.created", "{\"invoice_id\":2}"),
            new Event("billing.invoice.finalized", "{\"invoice_id\":1}"),
            new Event("billing.invoice.created", "{\"invoice_id\":3}"));

    List<String> lines = LogCapture.during(() -> billing.publishAll(run));

    assertEquals(
        List.of(
            "INFO Published billing.invoice.created × 3, billing.invoice.finalized from billing"),
        lines.stream().filter(l -> l.startsWith("INFO ") && l.endsWith(" from billing")).toList());
    assertEquals(
        List.of(
            "DEBUG Event billing.invoice.created from billing: {\"invoice_id\":1}",
            "DEBUG Event billing.invoice.created from billing: {\"invoice_id\":2}",
            "DEBUG Event billing.invoice.finalized from billing: {\"invoice_id\":1}",
            "DEBUG Event billing.invoice.created from billing: {\"invoice_id\":3}"),
        lines.stream().filter(l -> l.startsWith("DEBUG Event ")).toList());
    assertEquals(1, forwarded.size(), "one hand-off a publishing");
    assertEquals(4, forwarded.get(0).size());
  }
}

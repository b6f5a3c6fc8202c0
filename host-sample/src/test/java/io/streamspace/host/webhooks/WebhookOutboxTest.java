package io.streamspace.host.webhooks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.common.http.Json;
import io.streamspace.host.db.Database;
import io.streamspace.host.platform.EventLog.PublishedEvent;
import io.streamspace.host.support.LogCapture;
import io.streamspace.testing.TestDatabases;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The outbox when the database cannot take the deliveries. */
class WebhookOutboxTest {

  @Test
  void anEventWhoseDeliveriesCannotBeStoredIsWarnedAboutAndThePublisherCarriesOn() {
    Database database = Database.external(TestDatabases.freshDatabaseUrl(), Map.of());
    database.close(); // the pool refuses every connection from now on
    WebhookOutbox outbox = new WebhookOutbox(database.dataSource(), Json.newMapper());
    PublishedEvent event =
        new PublishedEvent(
            "evt-9",
            "billing",
            "billing.invoice.paid",
            "{}",
            Instant.parse("2026-01-01T00:00:00Z"));

    List<String> lines = LogCapture.during(() -> outbox.accept(List.of(event)));

    assertTrue(
        lines.stream()
            .anyMatch(
                line ->
                    line.startsWith(
                        "WARN Webhook deliveries of event evt-9 (billing.invoice.paid)"
                            + " were not stored")),
        lines.toString());
  }
}

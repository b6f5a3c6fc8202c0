package io.streamspace.billing.metering;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestPluginContext.DeadLetter;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Events PostgreSQL refuses, as the review found them (a host's validation refuses them first,
 * but the plugin must not depend on every host's): each is set aside with PostgreSQL's reason,
 * the events around it are stored, and the flush completes.
 */
class PoisonEventTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void eventsTheDatabaseRefusesAreSetAsideAndTheOthersStored() throws Exception {
    billing.created("2026-03-02T08:00:00Z", "s-before", "ann", size("1", "2", "0"));
    SessionEvent nulInUserId =
        new SessionEvent(
            "e-nul", at("2026-03-02T08:00:00Z"), "s-nul", "bob\0", size("1", "2", "0"));
    SessionEvent before4713Bc =
        new SessionEvent(
            "e-old", Instant.parse("-5000-01-01T00:00:00Z"), "s-old", "cid", size("1", "2", "0"));
    SessionEvent tinyCores =
        new SessionEvent(
            "e-tiny",
            at("2026-03-02T08:00:00Z"),
            "s-tiny",
            "dan",
            new ResourceSize(new BigDecimal("1e-20000"), BigDecimal.ONE, BigDecimal.ZERO));
    billing.billing.onSessionCreated(billing.context, nulInUserId);
    billing.billing.onSessionHeartbeat(billing.context, before4713Bc);
    billing.billing.onSessionCreated(billing.context, tinyCores);
    billing.created("2026-03-02T09:00:00Z", "s-after", "eve", size("1", "2", "0"));

    billing.billing.flush().toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertEquals(
        List.of(List.of("s-after"), List.of("s-before")),
        rows("SELECT session_id FROM billing_sessions ORDER BY session_id"));
    List<DeadLetter> setAside = billing.context.deadLettersRecorded();
    assertEquals(
        List.of("onSessionCreated e-nul", "onSessionCreated e-tiny", "onSessionHeartbeat e-old"),
        setAside.stream()
            .map(d -> d.hook() + " " + ((SessionEvent) d.event()).id())
            .sorted()
            .toList());
    setAside.forEach(d -> assertTrue(d.reason().startsWith("SQLState 22"), d.reason()));
  }
}

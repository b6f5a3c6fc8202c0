package io.streamspace.billing.metering;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Pushes 100,000 events through the hooks in batches of 1,000, each acknowledged by a flush as
 * the host does, and checks every one is accounted for. No timing is asserted.
 */
class MeteringLoadTest {

  private static final int SESSIONS = 25_000;
  private static final int BATCH = 1_000;

  @Test
  void everyEventOfAHundredThousandIsStored() {
    try (BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"))) {
      Instant start = at("2026-03-02T08:00:00Z");
      ResourceSize size = new ResourceSize(BigDecimal.ONE, BigDecimal.TEN, BigDecimal.ZERO);
      int events = 0;
      // per session: created, two heartbeats, terminated = 4 events
      for (int step = 0; step < 4; step++) {
        for (int i = 0; i < SESSIONS; i++) {
          SessionEvent e =
              new SessionEvent(
                  "e" + step + "-" + i,
                  start.plusSeconds(60L * step + i % 60),
                  "s" + i,
                  "u" + (i % 5_000),
                  step == 0 ? size : null);
          switch (step) {
            case 0 -> billing.billing.onSessionCreated(billing.context, e);
            case 3 -> billing.billing.onSessionTerminated(billing.context, e);
            default -> billing.billing.onSessionHeartbeat(billing.context, e);
          }
          if (++events % BATCH == 0) {
            billing.flush();
          }
        }
      }

      assertEquals(100_000, events);
      assertEquals((long) SESSIONS, value("SELECT count(*) FROM billing_sessions"));
      assertEquals(
          (long) SESSIONS,
          value(
              "SELECT count(*) FROM billing_sessions WHERE ended_at = last_heartbeat "
                  + "AND ended_at = started_at + interval '3 minutes'"));
      assertEquals((long) SESSIONS, value("SELECT count(*) FROM billing_session_sizes"));
      assertEquals(5_000L, value("SELECT count(*) FROM billing_accounts"));
    }
  }
}

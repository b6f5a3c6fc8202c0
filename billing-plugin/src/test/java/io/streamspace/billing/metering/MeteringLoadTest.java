package io.streamspace.billing.metering;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.testing.CountedStatements;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Metering under load: 100,000 events through the hooks in batches of 1,000, each acknowledged by
 * a flush as the host does, every one accounted for; and what a flush costs the database, counted
 * in statements, whatever the number of events. No timing is asserted.
 */
class MeteringLoadTest {

  private static final int SESSIONS = 25_000;
  private static final int BATCH = 1_000;

  @Test
  void aFlushIsAFixedNumberOfStatements_howeverManyHeartbeatsItsSessionsSent() {
    CountedStatements counted = new CountedStatements(TestDatabase.dataSource());
    try (BillingHarness billing =
        new BillingHarness(at("2026-03-02T00:00:00Z"), "{}", counted.dataSource())) {
      Instant start = at("2026-03-02T08:00:00Z");
      ResourceSize size = new ResourceSize(BigDecimal.ONE, BigDecimal.TEN, BigDecimal.ONE);
      List<List<String>> statements = new ArrayList<>();
      // the same three sessions' batches of 3 then 300 events: created, heartbeats, terminated
      for (int perSession : new int[] {1, 100}) {
        for (String kind : List.of("created", "heartbeat", "terminated")) {
          counted.clear();
          for (int s = 0; s < 3; s++) {
            for (int i = 0; i < perSession; i++) {
              Instant at = start.plusSeconds(i + (kind.equals("terminated") ? 3_600 : 0));
              SessionEvent e =
                  new SessionEvent(
                      kind + "-" + perSession + "-" + s + "-" + i,
                      at,
                      "s-" + perSession + "-" + s,
                      "u" + s,
                      size);
              switch (kind) {
                case "created" -> billing.billing.onSessionCreated(billing.context, e);
                case "heartbeat" -> billing.billing.onSessionHeartbeat(billing.context, e);
                default -> billing.billing.onSessionTerminated(billing.context, e);
              }
            }
          }
          billing.flush();
          statements.add(counted.executed());
        }
      }

      // each flush's sessions in one statement, merged: one row each whatever its events
      for (List<String> flush : statements) {
        assertEquals(
            1, flush.stream().filter(sql -> sql.contains("INSERT INTO billing_sessions")).count());
      }
      // the batches of 300 events issued the statements of the batches of 3, one for one
      assertEquals(statements.subList(0, 3), statements.subList(3, 6));
      assertEquals(6L, value("SELECT count(*) FROM billing_sessions"));
    }
  }

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

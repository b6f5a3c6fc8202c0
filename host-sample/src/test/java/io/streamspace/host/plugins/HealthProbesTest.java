package io.streamspace.host.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostTestBase;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The orchestrator's probes: {@code /api/health/live} and {@code /api/health/ready}. */
class HealthProbesTest extends HostTestBase {

  @Test
  void livenessAnswers200WithoutAToken() {
    JsonNode live = http.get("/api/health/live", null).expect(200);
    assertEquals("alive", live.get("status").asText());
  }

  @Test
  void readinessAnswers200OnceThePluginsAreStartedAndCaughtUp() {
    JsonNode ready = http.get("/api/health/ready", null).expect(200);
    assertEquals("ready", ready.get("status").asText());
    assertEquals(0, ready.get("reasons").size());
  }

  @Test
  void aPluginFallingBehindTheJournalAfterTheHostWasReady_keepsItReady_andHealthShowsTheLag() {
    http.get("/api/health/ready", null).expect(200);
    String platform = token("platform", "platform");
    plugin.flushGate = new CountDownLatch(1);
    try {
      assertEquals(202, http.post("/api/platform/events", platform, heartbeat()).status());
      clock.set(NOW.plusSeconds(Readiness.CAUGHT_UP_SECONDS + 1));

      // the journal is the cluster's: its lag would take every node out of service at once
      http.get("/api/health/ready", null).expect(200);
      JsonNode health = http.get("/api/health", null).expect(200);
      assertEquals(31, health.at("/plugins/0/lag/seconds").asLong(), health.toString());
      http.get("/api/health/live", null).expect(200);
    } finally {
      plugin.flushGate.countDown();
    }
  }

  @Test
  void aDisabledPluginDoesNotHoldReadinessBack() {
    http.post("/api/admin/plugins/rec/disable", ADMIN_TOKEN, "").expect(200);
    try {
      http.get("/api/health/ready", null).expect(200);
    } finally {
      http.post("/api/admin/plugins/rec/enable", ADMIN_TOKEN, "").expect(200);
    }
  }

  private static String heartbeat() {
    return "[{\"id\":\"probe-1\",\"type\":\"session.heartbeat\",\"occurred_at\":\""
        + NOW
        + "\",\"session\":{\"session_id\":\"s-probe\",\"user_id\":\"ann\"}}]";
  }
}

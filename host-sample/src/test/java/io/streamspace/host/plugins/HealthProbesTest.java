package io.streamspace.host.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.HostTestBase;
import java.time.Duration;
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
  void aPluginBehindTheJournalByMoreThanThirtySeconds_makesTheHostNotReady_untilItCatchesUp() {
    String platform = token("platform", "platform");
    plugin.flushGate = new CountDownLatch(1);
    try {
      assertEquals(202, http.post("/api/platform/events", platform, heartbeat()).status());
      clock.set(NOW.plusSeconds(HealthRoutes.CAUGHT_UP_SECONDS));
      http.get("/api/health/ready", null).expect(200);

      clock.set(NOW.plusSeconds(HealthRoutes.CAUGHT_UP_SECONDS + 1));
      HostClient.Response notReady = http.get("/api/health/ready", null);
      assertEquals(503, notReady.status(), notReady.toString());
      assertEquals("not_ready", notReady.body().get("status").asText());
      assertEquals(
          "plugin rec is 1 events (31 s) behind the journal",
          notReady.body().get("reasons").get(0).asText());
      http.get("/api/health/live", null).expect(200);
    } finally {
      plugin.flushGate.countDown();
    }
    awaitReady();
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

  /** Asks until ready, as the orchestrator's probe does; fails after 30 s. */
  private void awaitReady() {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    HostClient.Response ready = http.get("/api/health/ready", null);
    while (ready.status() != 200) {
      assertTrue(System.nanoTime() < deadline, "never ready again: " + ready);
      ready = http.get("/api/health/ready", null);
    }
    assertEquals("ready", ready.body().get("status").asText());
  }

  private static String heartbeat() {
    return "[{\"id\":\"probe-1\",\"type\":\"session.heartbeat\",\"occurred_at\":\""
        + NOW
        + "\",\"session\":{\"session_id\":\"s-probe\",\"user_id\":\"ann\"}}]";
  }
}

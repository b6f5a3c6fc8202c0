package io.streamspace.host.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.Host;
import io.streamspace.host.HostOptions;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.RecordingPlugin;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.testing.Await;
import io.streamspace.testing.MutableClock;
import io.streamspace.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The journal over HTTP: back-pressure from a plugin that falls behind, support's view of a
 * user's events, and a disabled plugin handed the retained journal again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventJournalE2ETest {

  private static final String ADMIN = "journal-e2e-admin-token-0123456789abcdef";
  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

  private final MutableClock clock = new MutableClock(NOW);
  private final RecordingPlugin plugin = new RecordingPlugin();
  private Host host;
  private HostClient http;
  private String platform;

  @BeforeAll
  void start() {
    host =
        Host.start(
            HostOptions.builder()
                .port(0)
                .quickStopForTests()
                .dbUrl(TestDatabases.freshDatabaseUrl())
                .pluginsDir(Path.of("target/no-plugins-here"))
                .clock(clock)
                .secrets(Map.of("BILLING_ADMIN_TOKEN", ADMIN))
                .plugin("rec", plugin)
                .maxJournalLag(3)
                .build());
    http = new HostClient(host.port());
    platform = token("platform", "platform");
  }

  @AfterAll
  void stop() {
    plugin.flushGate.countDown();
    host.close();
  }

  @Test
  void aPluginTooFarBehind_makesIntakeAnswer503WithRetryAfter_untilItCatchesUp() {
    plugin.flushGate = new CountDownLatch(1);
    HostClient.Response four = post(heartbeats("bp", 4));
    assertEquals(202, four.status(), four.toString());
    assertEquals(4, four.body().get("accepted").asInt());

    HostClient.Response refused = post(heartbeats("bp-more", 1));
    assertEquals(503, refused.status(), refused.toString());
    assertEquals("journal_backlog", refused.body().at("/error/code").asText());
    assertEquals(Optional.of("5"), refused.header("Retry-After"));
    assertTrue(lag().get("events").asLong() >= 4, "health shows the lag: " + lag());

    plugin.flushGate.countDown();
    awaitCaughtUp();
    assertEquals(202, retried(heartbeats("bp-more", 1)).status());
  }

  @Test
  void whileAPluginFailsToStoreWhatItIsHanded_intakeAnswersWithoutWaitingForIt() {
    plugin.flushFails = true;
    try {
      assertEquals(202, post(heartbeats("failing-first", 1)).status());
      long start = System.nanoTime();
      HostClient.Response next = post(heartbeats("failing-next", 1));
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertEquals(202, next.status(), "journaled all the same: " + next);
      assertTrue(
          took.compareTo(Duration.ofSeconds(4)) < 0,
          "answered in " + took + ", not after intake's 5 s wait for the consumer");
    } finally {
      plugin.flushFails = false;
    }
    awaitCaughtUp();
  }

  @Test
  void supportSeesTheEventsBehindAUsersUsage_oldestFirst() {
    post(
        "["
            + heartbeat("zoe-2", "zoe", "s-zoe-b", "2026-03-10T11:00:00Z")
            + ","
            + heartbeat("zoe-1", "zoe", "s-zoe-a", "2026-03-10T10:00:00Z")
            + ","
            + heartbeat("yan-1", "yan", "s-yan", "2026-03-10T10:30:00Z")
            + "]");

    JsonNode zoe = http.get("/api/admin/journal?user_id=zoe", ADMIN).expect(200);
    assertEquals(2, zoe.get("events").size());
    assertEquals("zoe-1", zoe.at("/events/0/event/id").asText());
    assertEquals("session.heartbeat", zoe.at("/events/0/event/type").asText());
    assertEquals("s-zoe-a", zoe.at("/events/0/event/session/session_id").asText());
    assertTrue(zoe.at("/events/0/seq").asLong() > 0);
    JsonNode session = http.get("/api/admin/journal?session_id=s-zoe-b", ADMIN).expect(200);
    assertEquals("zoe-2", session.at("/events/0/event/id").asText());
    JsonNode window =
        http.get(
                "/api/admin/journal?user_id=zoe&from=2026-03-10T10:30:00Z&to=2026-03-10T12:00:00Z",
                ADMIN)
            .expect(200);
    assertEquals(1, window.get("events").size());

    assertEquals(
        "user_id", http.get("/api/admin/journal", ADMIN).expect(400).at("/error/field").asText());
    assertEquals(
        "from",
        http.get("/api/admin/journal?user_id=zoe&from=yesterday", ADMIN)
            .expect(400)
            .at("/error/field")
            .asText());
    http.get("/api/admin/journal?user_id=zoe", token("zoe", "user")).expect(403);
  }

  @Test
  void aDisabledPluginIsHandedWhatTheJournalRetainsAgain_whenAnAdminAsks() {
    post(heartbeat("again-1", "vic", "s-vic", "2026-03-10T11:30:00Z"));
    String replay = "/api/admin/plugins/rec/journal/replay";
    assertEquals(
        "plugin_enabled", http.post(replay, ADMIN, "{}").expect(409).at("/error/code").asText());

    http.post("/api/admin/plugins/rec/disable", ADMIN, null).expect(200);
    plugin.events.clear();
    // no body, or only whitespace, replays from the earliest retained event, as {} does
    long earliest = http.post(replay, ADMIN, "{}").expect(200).get("position").asLong();
    assertEquals(earliest, http.post(replay, ADMIN, " ").expect(200).get("position").asLong());
    assertEquals(earliest, http.post(replay, ADMIN, null).expect(200).get("position").asLong());
    assertEquals(
        "invalid_json", http.post(replay, ADMIN, "[]").expect(400).at("/error/code").asText());
    http.post(replay, ADMIN, "{\"from\":\"2026-03-10T00:00:00Z\"}").expect(200);
    http.post("/api/admin/plugins/rec/enable", ADMIN, null).expect(200);
    awaitCaughtUp();

    assertTrue(
        plugin.events.stream()
            .anyMatch(e -> e instanceof SessionEvent s && s.id().equals("again-1")),
        "handed again: " + plugin.events);
  }

  private String token(String user, String role) {
    return http.post(
            "/api/admin/tokens",
            ADMIN,
            "{\"user_id\":\"" + user + "\",\"roles\":[\"" + role + "\"]}")
        .expect(201)
        .get("token")
        .asText();
  }

  private HostClient.Response post(String body) {
    return http.post("/api/platform/events", platform, body);
  }

  /** Posts until intake stops pushing back, as a platform honouring Retry-After would. */
  private HostClient.Response retried(String body) {
    return Await.await(
        Duration.ofSeconds(15),
        Duration.ofMillis(50),
        "intake no longer pushing back",
        () -> post(body),
        response -> response.status() != 503);
  }

  private JsonNode lag() {
    for (JsonNode p : http.get("/api/health", null).expect(200).get("plugins")) {
      if (p.get("id").asText().equals("rec")) {
        return p.get("lag");
      }
    }
    throw new AssertionError("rec is not in health");
  }

  private void awaitCaughtUp() {
    Await.await(
        Duration.ofSeconds(30),
        Duration.ofMillis(50),
        "rec caught up",
        this::lag,
        lag -> lag.get("events").asLong() <= 0);
  }

  private static String heartbeats(String prefix, int count) {
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < count; i++) {
      batch.append(i == 0 ? "" : ",").append(heartbeat(prefix + i, "ann", "s-ann", NOW.toString()));
    }
    return batch.append("]").toString();
  }

  private static String heartbeat(String id, String user, String session, String at) {
    return "{\"id\":\""
        + id
        + "\",\"type\":\"session.heartbeat\",\"occurred_at\":\""
        + at
        + "\",\"session\":{\"session_id\":\""
        + session
        + "\",\"user_id\":\""
        + user
        + "\"}}";
  }
}

package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.Host;
import io.streamspace.host.HostOptions;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.RecordingPlugin;
import io.streamspace.testing.FreePort;
import io.streamspace.testing.TestDatabases;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database outage seen over HTTP. The host runs on a PostgreSQL the test stops and starts
 * again: while it is down, reads answer 503 {@code database_unavailable} with
 * {@code Retry-After} within seconds (not a 500 after 30 s) and health says the database is
 * unavailable; once it is back, all answer as before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseOutageE2ETest {

  private static final String ADMIN_TOKEN = "outage-e2e-admin-token-0123456789abcdef";

  /** The host's 3 s wait for a connection, and room for a loaded machine. */
  private static final Duration FAIL_FAST = Duration.ofSeconds(6);

  @TempDir static Path work;
  private final int port = FreePort.find();
  private EmbeddedPostgres server;
  private Host host;
  private BillingApi api;
  private String aliceToken;
  private String platformToken;

  @BeforeAll
  void startHostOnAServerTheTestControls() throws Exception {
    server = TestDatabases.startServerIn(work.resolve("pg"), port);
    host =
        Host.start(
            HostOptions.builder()
                .port(0)
                .dbUrl(server.getJdbcUrl("postgres", "postgres"))
                .pluginsDir(PackagedPlugin.copyInto(work.resolve("plugins")))
                .plugin("rec", new RecordingPlugin())
                .secrets(Map.of("BILLING_ADMIN_TOKEN", ADMIN_TOKEN))
                .build());
    api = new BillingApi(host.port(), ADMIN_TOKEN);
    aliceToken = api.token("alice", "user");
    platformToken = api.token("platform", "platform");
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(
                "alice", Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60))));
  }

  @AfterAll
  void stopHostAndServer() throws IOException {
    host.close();
    if (server != null) {
      server.close();
    }
  }

  @Test
  void readsFailFastWith503AndRetryAfterWhileTheDatabaseIsDownAndHealthSaysSo() throws IOException {
    api.usage(aliceToken, "").expect(200);
    assertEquals("ok", health(200).get("database").asText());

    server.close();
    server = null;
    try {
      // the billing plugin's read (alice's token is known to the host since it issued it)
      answersDatabaseUnavailable(() -> api.usage(aliceToken, ""));
      // the host's read: a token it has not seen yet must be looked up
      answersDatabaseUnavailable(
          () -> api.http.get("/api/admin/plugins", "a-token-the-host-has-not-seen-yet"));
      // the host's write
      answersDatabaseUnavailable(
          () ->
              api.http.post(
                  "/api/admin/tokens",
                  ADMIN_TOKEN,
                  HostClient.json(Map.of("user_id", "bob", "roles", List.of("user")))));
      // a plugin that lets the failure escape: the host maps it the same way
      answersDatabaseUnavailable(() -> api.http.get("/api/plugins/rec/database", null));
      // event intake too: the batch is not acknowledged, the platform retries it
      HostClient.Response intake =
          api.http.post(
              "/api/platform/events",
              platformToken,
              HostClient.json(
                  List.of(
                      Events.userCreated(
                          "bob", Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60)))));
      assertEquals(503, intake.status(), intake.toString());
      assertEquals("database_unavailable", intake.body().at("/error/code").asText());
      assertEquals(Optional.of("5"), intake.header("Retry-After"));
      HostClient.Response health = api.http.get("/api/health", null);
      assertEquals(503, health.status(), health.toString());
      assertEquals("unavailable", health.body().get("database").asText());
      assertEquals(Optional.of("5"), health.header("Retry-After"));
    } finally {
      server = TestDatabases.startServerIn(work.resolve("pg"), port);
    }

    assertEquals("ok", health(200).get("database").asText());
    api.usage(aliceToken, "").expect(200);
    api.http.get("/api/plugins/rec/database", null).expect(200);
    api.http.get("/api/admin/plugins", "a-token-the-host-has-not-seen-yet").expect(401);
  }

  private JsonNode health(int status) {
    return api.http.get("/api/health", null).expect(status);
  }

  private static void answersDatabaseUnavailable(Supplier<HostClient.Response> read) {
    long start = System.nanoTime();
    HostClient.Response answer = read.get();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(503, answer.status(), answer.toString());
    assertEquals("database_unavailable", answer.body().get("error").get("code").asText());
    assertEquals(Optional.of("5"), answer.header("Retry-After"));
    assertTrue(took.compareTo(FAIL_FAST) < 0, "answered after " + took);
  }
}

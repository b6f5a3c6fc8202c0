package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.Host;
import io.streamspace.host.HostOptions;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.RecordingPlugin;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobRun;
import io.streamspace.plugin.api.jobs.JobStatus;
import io.streamspace.testing.Await;
import io.streamspace.testing.FreePort;
import io.streamspace.testing.TestDatabases;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A database outage seen over HTTP. The host runs on a PostgreSQL the test stops and starts
 * again: while it is down, reads answer 503 {@code database_unavailable} with
 * {@code Retry-After} within seconds (not a 500 after 30 s) and health says the database is
 * unavailable; once it is back, all answer as before. A 30 s outage while a platform keeps
 * posting (docs/operator-guide.md, "A database outage") loses and doubles nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseOutageE2ETest {

  private static final String ADMIN_TOKEN = "outage-e2e-admin-token-0123456789abcdef";

  /** The host's 3 s wait for a connection, and room for a loaded machine. */
  private static final Duration FAIL_FAST = Duration.ofSeconds(6);

  /** How soon after the database is back the host answers with it again. */
  private static final Duration BACK_WITHIN = Duration.ofSeconds(10);

  /** The outage the issue names. */
  private static final Duration OUTAGE = Duration.ofSeconds(30);

  /** The default price of a core-hour: each session the platform posts is one core-hour. */
  private static final BigDecimal CORE_HOUR = new BigDecimal("0.05");

  @TempDir static Path work;
  private final int port = FreePort.find();
  private final RecordingPlugin rec = new RecordingPlugin();
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
                .quickStopForTests()
                .dbUrl(server.getJdbcUrl("postgres", "postgres"))
                .pluginsDir(PackagedPlugin.copyInto(work.resolve("plugins")))
                .plugin("rec", rec)
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
  void readsFailFastWith503AndRetryAfterWhileTheDatabaseIsDownAndHealthSaysSo() throws Exception {
    api.usage(aliceToken, "").expect(200);
    assertEquals("ok", health(200).get("database").asText());

    server.close();
    server = null;
    try {
      // Most of these calls each sit out the host's 3 s wait for a connection, so they are all
      // asked at once rather than one after another; each is checked on its own below.
      // the billing plugin's read (alice's token is known to the host since it issued it)
      CompletableFuture<Timed> pluginRead = timed(() -> api.usage(aliceToken, ""));
      // the host's read: a token it has not seen yet must be looked up
      CompletableFuture<Timed> hostRead =
          timed(() -> api.http.get("/api/admin/plugins", "a-token-the-host-has-not-seen-yet"));
      // the host's write
      CompletableFuture<Timed> hostWrite =
          timed(
              () ->
                  api.http.post(
                      "/api/admin/tokens",
                      ADMIN_TOKEN,
                      HostClient.json(Map.of("user_id", "bob", "roles", List.of("user")))));
      // a plugin that lets the failure escape: the host maps it the same way
      CompletableFuture<Timed> escaped =
          timed(() -> api.http.get("/api/plugins/rec/database", null));
      // event intake too: the batch is not acknowledged, the platform retries it
      CompletableFuture<Timed> intakeAsked =
          timed(
              () ->
                  api.http.post(
                      "/api/platform/events",
                      platformToken,
                      HostClient.json(
                          List.of(
                              Events.userCreated(
                                  "bob",
                                  Instant.now()
                                      .truncatedTo(ChronoUnit.SECONDS)
                                      .minusSeconds(60))))));
      CompletableFuture<Timed> healthAsked = timed(() -> api.http.get("/api/health", null));
      CompletableFuture<Timed> readyAsked = timed(() -> api.http.get("/api/health/ready", null));
      CompletableFuture<Timed> liveAsked = timed(() -> api.http.get("/api/health/live", null));
      CompletableFuture<Timed> metricsAsked = timed(() -> api.http.get("/metrics", ADMIN_TOKEN));

      answersDatabaseUnavailable(pluginRead.join());
      answersDatabaseUnavailable(hostRead.join());
      answersDatabaseUnavailable(hostWrite.join());
      answersDatabaseUnavailable(escaped.join());
      HostClient.Response intake = intakeAsked.join().answer();
      assertEquals(503, intake.status(), intake.toString());
      assertEquals("database_unavailable", intake.body().at("/error/code").asText());
      assertEquals(Optional.of("5"), intake.header("Retry-After"));
      HostClient.Response health = healthAsked.join().answer();
      assertEquals(503, health.status(), health.toString());
      assertEquals("unavailable", health.body().get("database").asText());
      assertEquals(Optional.of("5"), health.header("Retry-After"));
      // the orchestrator takes the node out of service, and does not restart it
      HostClient.Response ready = readyAsked.join().answer();
      assertEquals(503, ready.status(), ready.toString());
      assertEquals("the database does not answer", ready.body().at("/reasons/0").asText());
      liveAsked.join().answer().expect(200);
      // the metrics answer, without what only the database knows (the journal lag)
      HostClient.Response metrics = metricsAsked.join().answer();
      assertEquals(200, metrics.status(), metrics.toString());
      assertTrue(metrics.body().asText().contains("hikaricp_connections"), metrics.toString());
    } finally {
      server = TestDatabases.startServerIn(work.resolve("pg"), port);
    }

    assertEquals("ok", healthOnceBack().get("database").asText());
    api.http.get("/api/health/ready", null).expect(200);
    api.usage(aliceToken, "").expect(200);
    api.http.get("/api/plugins/rec/database", null).expect(200);
    api.http.get("/api/admin/plugins", "a-token-the-host-has-not-seen-yet").expect(401);
  }

  @Test
  void aThirtySecondOutageWhileEventsArrive_isRefusedWith503_andLosesAndDoublesNothing()
      throws Exception {
    String user = "outage-" + UUID.randomUUID();
    Instant sessionsStart = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3));
    api.postEvents(platformToken, List.of(Events.userCreated(user, sessionsStart)));
    RetryingPlatform platform =
        RetryingPlatform.start(api.http, platformToken, user, sessionsStart);
    platform.awaitAcceptedBatches(3);
    rec.gatedJobStarted = new CountDownLatch(1);
    rec.jobGate = new CountDownLatch(1);
    CompletableFuture<JobRun> gated = rec.context.scheduler().runNow("gated").toCompletableFuture();
    assertTrue(rec.gatedJobStarted.await(30, TimeUnit.SECONDS), "the job is running");

    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    logged.start();
    root.addAppender(logged);
    long down;
    long up;
    JobRun failed;
    try {
      server.close();
      server = null;
      down = System.nanoTime();
      try {
        answersDatabaseUnavailable(
            () ->
                api.http.post(
                    "/api/plugins/billing/jobs/calculate-usage",
                    ADMIN_TOKEN,
                    BillingApi.RUN_REASON));
        HostClient.Response health = api.http.get("/api/health", null);
        assertEquals(503, health.status(), health.toString());
        // the job running all along (the host looking for its end meanwhile) meets the outage
        rec.jobGate.countDown();
        failed = gated.get(30, TimeUnit.SECONDS);
        assertEquals(JobOutcome.FAILED, failed.outcome(), failed.toString());
        Thread.sleep(Math.max(0, OUTAGE.minusNanos(System.nanoTime() - down).toMillis()));
      } finally {
        up = System.nanoTime();
        server = TestDatabases.startServerIn(work.resolve("pg"), port);
      }
    } finally {
      root.detachAppender(logged);
    }
    platform.awaitAcceptedBatches(platform.acceptedBatches() + 3);
    platform.close();

    // while down: every post answered 503 with Retry-After, none 202
    List<RetryingPlatform.Answer> whileDown =
        platform.answers().stream()
            .filter(a -> a.sentAt() >= down && a.answeredAt() <= up)
            .toList();
    assertFalse(whileDown.isEmpty(), "the platform posted during the outage");
    for (RetryingPlatform.Answer answer : platform.answers()) {
      assertTrue(
          answer.status() == 202
              || (answer.status() == 503 && answer.retryAfter().equals(Optional.of("5"))),
          "every post is accepted or refused with Retry-After: " + answer);
    }
    assertTrue(whileDown.stream().allMatch(a -> a.status() == 503), whileDown.toString());
    // one line per failure: no stack traces from the host
    for (ILoggingEvent event : logged.list) {
      if (event.getLoggerName().startsWith("io.streamspace")) {
        assertNull(event.getThrowableProxy(), "logged with a stack trace: " + event);
      }
    }

    // recovered without a restart: the journal is consumed again, the failed run is in the job
    // status, and the next run of calculate-usage rates all (checked below)
    api.awaitCaughtUp("billing");
    JobRun gatedLast = jobStatus("gated").lastRun();
    assertEquals(JobOutcome.FAILED, gatedLast.outcome(), gatedLast.toString());
    assertEquals(failed.message(), gatedLast.message(), "the run that failed in the outage");
    api.runJob("calculate-usage");

    RetryingPlatform.Tally tally;
    try (Connection db = server.getPostgresDatabase().getConnection()) {
      tally = platform.tally(db);
    }
    System.out.println("A " + OUTAGE.toSeconds() + " s database outage, " + tally);
    assertEquals(0, tally.lost(), tally.toString());
    assertEquals(0, tally.doubled(), tally.toString());
    platform.assertBilledOnce(api, CORE_HOUR);
  }

  private JobStatus jobStatus(String name) {
    return rec.context.scheduler().status().stream()
        .filter(status -> status.jobName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  /**
   * Health once the database is back: 200 within {@link #BACK_WITHIN}. While the database was
   * away the pool's connection maker tried at most 5 s apart (HikariCP's back-off), so the calls
   * of the first seconds after its return may still wait for a connection and answer 503; no
   * event marks the moment the pool has one, so health is asked until then (each 503 comes after
   * the pool's own 3 s wait, which paces the asking).
   */
  private JsonNode healthOnceBack() {
    return Await.await(
            BACK_WITHIN,
            Duration.ofMillis(200),
            "health 200 once the database is back",
            () -> api.http.get("/api/health", null),
            health -> health.status() == 200)
        .expect(200);
  }

  private JsonNode health(int status) {
    return api.http.get("/api/health", null).expect(status);
  }

  private static void answersDatabaseUnavailable(Supplier<HostClient.Response> read) {
    long start = System.nanoTime();
    HostClient.Response answer = read.get();
    answersDatabaseUnavailable(new Timed(answer, Duration.ofNanos(System.nanoTime() - start)));
  }

  /** An answer and how long it took to come. */
  private record Timed(HostClient.Response answer, Duration took) {}

  /** Asks on a thread of its own, timing the answer. */
  private static CompletableFuture<Timed> timed(Supplier<HostClient.Response> read) {
    return CompletableFuture.supplyAsync(
        () -> {
          long start = System.nanoTime();
          HostClient.Response answer = read.get();
          return new Timed(answer, Duration.ofNanos(System.nanoTime() - start));
        },
        task -> new Thread(task, "outage-call").start());
  }

  private static void answersDatabaseUnavailable(Timed timed) {
    HostClient.Response answer = timed.answer();
    Duration took = timed.took();
    assertEquals(503, answer.status(), answer.toString());
    assertEquals("database_unavailable", answer.body().get("error").get("code").asText());
    assertEquals(Optional.of("5"), answer.header("Retry-After"));
    assertTrue(took.compareTo(FAIL_FAST) < 0, "answered after " + took);
  }
}

package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static io.streamspace.host.e2e.UsageLines.line;
import static io.streamspace.host.e2e.UsageLines.quantity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.host.kafka.KafkaBrokers;
import io.streamspace.host.support.DemoConsole;
import io.streamspace.testing.FreePort;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command, end to end: {@code java -jar host-sample.jar} with the packaged
 * billing plugin zip, events posted over HTTP, calculate-usage fired through Quartz, usage read
 * over HTTP. Runs once on the embedded PostgreSQL and once on an external PostgreSQL by URL (the
 * production path; {@code .ci/run} starts a private PostgreSQL 15 server for it).
 */
class HostJarIT {

  /** Set by .ci/run to a running PostgreSQL; required when CI=true. */
  private static final String EXTERNAL_DB_URL = System.getenv("BILLING_TEST_EXTERNAL_DB_URL");

  @TempDir Path work;

  /**
   * The README's command as it is, on the embedded PostgreSQL; its console shows the host's own
   * lines and warnings only, the full log going to the data folder (one start for both: a {@code
   * java -jar} start is some 7 s of this IT's time).
   */
  @Test
  void seedPricingExampleOnEmbeddedPostgres_theConsoleShowingTheHostsOwnLinesAndTheLogItsFolder()
      throws Exception {
    runSeedPricingExample(
        List.of(),
        jar -> {
          List<String> console = Files.readAllLines(jar.output);
          assertTrue(
              console.stream().noneMatch(line -> line.contains(" INFO ")),
              String.join("\n", console));
          assertTrue(
              Files.readString(HostProcess.logFile(work)).contains("Host listening on port"));
        });
  }

  @Test
  void seedPricingExampleOnExternalPostgresByUrl() throws Exception {
    boolean haveUrl = EXTERNAL_DB_URL != null && !EXTERNAL_DB_URL.isBlank();
    if (!haveUrl && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI must provide BILLING_TEST_EXTERNAL_DB_URL (see .ci/run)");
    }
    Assumptions.assumeTrue(haveUrl, "no external PostgreSQL given (BILLING_TEST_EXTERNAL_DB_URL)");
    runSeedPricingExample(List.of("--db-url", EXTERNAL_DB_URL));
  }

  /** The README's command beside the default: the journal on Kafka, here an in-JVM broker. */
  @Test
  void seedPricingExampleOnTheKafkaJournal() throws Exception {
    KafkaSettings kafka = KafkaBrokers.shared().journal("host-jar");
    runSeedPricingExample(
        List.of(
            "--journal",
            "kafka",
            "--kafka-bootstrap",
            kafka.bootstrapServers(),
            "--kafka-topic",
            kafka.topic(),
            "--kafka-replication-factor",
            "1"));
  }

  @Test
  void theDemoInstallsTheBillingPluginFromTheRepositoryNextToTheJarThroughTheApi()
      throws Exception {
    String adminToken = "admin-" + UUID.randomUUID();
    String version = BillingPluginBuilds.packagedVersion();
    try (HostProcess jar = HostProcess.startDemo(work, adminToken)) {
      List<String> console = Files.readAllLines(jar.output);
      assertEquals(
          DemoConsole.installedFromTheCatalog(version),
          console.stream().dropWhile(l -> !l.startsWith("Host ready")).skip(1).limit(5).toList(),
          String.join("\n", console));
      JsonNode history =
          new BillingApi(jar.port, adminToken)
              .http
              .get("/api/admin/plugins/billing/history", adminToken)
              .expect(200);
      assertEquals("install", history.at("/operations/1/operation").asText(), history.toString());
      assertEquals(version, history.at("/operations/1/to_version").asText());
      assertTrue(Files.exists(work.resolve("plugins").resolve("billing-" + version + ".zip")));
    }
  }

  @Test
  void theShadedJarHasNoExtensionIndexOfItsOwn() throws Exception {
    // an empty index from the host would overlap the plugins' (a shade warning on every build)
    try (JarFile jar = new JarFile(Path.of("target", "host-sample.jar").toFile())) {
      assertNull(jar.getEntry("META-INF/extensions.idx"));
    }
  }

  @Test
  void aBillingAdminTokenShorterThan32CharactersStopsTheStartWithOneLineAndExitCode1()
      throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(HostProcess.command(work, FreePort.find(), List.of()))
            .redirectErrorStream(true);
    builder.environment().put("BILLING_ADMIN_TOKEN", "short-admin-token");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertTrue(process.waitFor(1, TimeUnit.MINUTES));
    assertEquals(1, process.exitValue(), output);
    assertEquals(
        "error: BILLING_ADMIN_TOKEN must be at least 32 characters (it has 17); "
            + "generate one with: openssl rand -base64 32",
        output.strip());
    assertFalse(
        Files.exists(work.resolve("data").resolve("pg")), "refused before the database starts");
  }

  /** 2 cores and 4 GB for 10 hours: 20 core-hours = 1.00, 40 GB-hours = 0.40, total 1.40 USD. */
  private void runSeedPricingExample(List<String> extraArgs) throws Exception {
    runSeedPricingExample(extraArgs, jar -> {});
  }

  /** What a test checks of the started host before the example runs on it. */
  private interface OnceStarted {
    void check(HostProcess jar) throws Exception;
  }

  private void runSeedPricingExample(List<String> extraArgs, OnceStarted onceStarted)
      throws Exception {
    String adminToken = "admin-" + UUID.randomUUID();
    try (HostProcess jar = HostProcess.start(work, adminToken, extraArgs)) {
      onceStarted.check(jar);
      BillingApi api = new BillingApi(jar.port, adminToken);
      String user = "alice-" + UUID.randomUUID();
      String userToken = api.token(user, "user");
      String platformToken = api.token("platform-1", "platform");

      Instant end = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
      Instant start = end.minus(10, ChronoUnit.HOURS);
      String session = "s-" + UUID.randomUUID();
      JsonNode accepted =
          api.postEvents(
              platformToken,
              List.of(
                  Events.userCreated(user, start.minusSeconds(60)),
                  Events.sessionCreated(session, user, start, "2", "4", "0"),
                  Events.sessionTerminated(session, user, end)));
      assertEquals(3, accepted.get("accepted").asInt());

      api.awaitCaughtUp("billing"); // on Kafka a 202 does not wait for the plugin
      api.runJob("calculate-usage");

      LocalDate today = LocalDate.now(ZoneOffset.UTC);
      JsonNode usage =
          api.usage(userToken, "?from=" + today.minusDays(1) + "&to=" + today.plusDays(1))
              .expect(200);
      assertEquals("USD", usage.get("currency").asText());
      assertEquals("1.40", amount(usage, "total_cost"), usage.toString());
      assertEquals(new BigDecimal("20"), quantity(line(usage, "cpu")).setScale(0));
      assertEquals("1.00", amount(line(usage, "cpu"), "total_cost"));
      assertEquals(new BigDecimal("40"), quantity(line(usage, "memory")).setScale(0));
      assertEquals("0.40", amount(line(usage, "memory"), "total_cost"));
    }
  }
}

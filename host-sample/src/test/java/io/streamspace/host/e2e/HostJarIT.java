package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static io.streamspace.host.e2e.UsageLines.line;
import static io.streamspace.host.e2e.UsageLines.quantity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command, end to end: {@code java -jar host-sample.jar} with the packaged
 * billing plugin zip, events posted over HTTP, calculate-usage fired through Quartz, usage read
 * over HTTP. Runs once on the embedded PostgreSQL and once on an external PostgreSQL by URL (the
 * production path; {@code .ci/run} starts the machine's PostgreSQL 15 for it).
 */
class HostJarIT {

  /** Set by .ci/run to a running PostgreSQL; required when CI=true. */
  private static final String EXTERNAL_DB_URL = System.getenv("BILLING_TEST_EXTERNAL_DB_URL");

  @TempDir Path work;

  @Test
  void seedPricingExampleOnEmbeddedPostgres() throws Exception {
    runSeedPricingExample(List.of());

    // the console keeps to what an operator must read; the full log is in the data folder
    List<String> console = Files.readAllLines(work.resolve("host.log"));
    assertTrue(console.stream().noneMatch(line -> line.contains(" INFO ")), String.join("\n", console));
    assertTrue(Files.readString(work.resolve("data/logs/host.log")).contains("Host listening on port"));
  }

  @Test
  void theShadedJarHasNoExtensionIndexOfItsOwn() throws Exception {
    // an empty index from the host would overlap the plugins' (a shade warning on every build)
    try (JarFile jar = new JarFile(Path.of("target", "host-sample.jar").toFile())) {
      assertNull(jar.getEntry("META-INF/extensions.idx"));
    }
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

  @Test
  void aBillingAdminTokenShorterThan32CharactersStopsTheStartWithOneLineAndExitCode1() throws Exception {
    ProcessBuilder builder = new ProcessBuilder(RunningJar.command(work, FreePort.find(), List.of()))
        .redirectErrorStream(true);
    builder.environment().put("BILLING_ADMIN_TOKEN", "short-admin-token");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertTrue(process.waitFor(1, TimeUnit.MINUTES));
    assertEquals(1, process.exitValue(), output);
    assertEquals("error: BILLING_ADMIN_TOKEN must be at least 32 characters (it has 17); "
        + "generate one with: openssl rand -base64 32", output.strip());
    assertFalse(Files.exists(work.resolve("data").resolve("pg")), "refused before the database starts");
  }

  /** 2 cores and 4 GB for 10 hours: 20 core-hours = 1.00, 40 GB-hours = 0.40, total 1.40 USD. */
  private void runSeedPricingExample(List<String> extraArgs) throws Exception {
    String adminToken = "admin-" + UUID.randomUUID();
    try (RunningJar jar = RunningJar.start(work, adminToken, extraArgs)) {
      BillingApi api = new BillingApi(jar.port, adminToken);
      String user = "alice-" + UUID.randomUUID();
      String userToken = api.token(user, "user");
      String platformToken = api.token("platform-1", "platform");

      Instant end = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
      Instant start = end.minus(10, ChronoUnit.HOURS);
      String session = "s-" + UUID.randomUUID();
      JsonNode accepted = api.postEvents(platformToken, List.of(
          Events.userCreated(user, start.minusSeconds(60)),
          Events.sessionCreated(session, user, start, "2", "4", "0"),
          Events.sessionTerminated(session, user, end)));
      assertEquals(3, accepted.get("accepted").asInt());

      api.runJob("calculate-usage");

      LocalDate today = LocalDate.now(ZoneOffset.UTC);
      JsonNode usage = api.usage(userToken, "?from=" + today.minusDays(1) + "&to=" + today.plusDays(1))
          .expect(200);
      assertEquals("USD", usage.get("currency").asText());
      assertEquals("1.40", amount(usage, "total_cost"), usage.toString());
      assertEquals(new BigDecimal("20"), quantity(line(usage, "cpu")).setScale(0));
      assertEquals("1.00", amount(line(usage, "cpu"), "total_cost"));
      assertEquals(new BigDecimal("40"), quantity(line(usage, "memory")).setScale(0));
      assertEquals("0.40", amount(line(usage, "memory"), "total_cost"));
    }
  }

  /** The shaded jar started as a separate process, as the README says. */
  private static final class RunningJar implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    final Process process;
    final int port;

    private RunningJar(Process process, int port) {
      this.process = process;
      this.port = port;
    }

    /** {@code java -jar host-sample.jar} with its data and a copy of the plugins under work. */
    static List<String> command(Path work, int port, List<String> extraArgs) throws IOException {
      Path jar = Path.of("target", "host-sample.jar").toAbsolutePath();
      assertTrue(Files.isRegularFile(jar), "run `mvn package` first: " + jar);
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-jar", jar.toString(),
          "--port", Integer.toString(port),
          "--data-dir", work.resolve("data").toString(),
          "--plugins-dir", PackagedPlugin.copyInto(work.resolve("plugins")).toString()));
      command.addAll(extraArgs);
      return command;
    }

    static RunningJar start(Path work, String adminToken, List<String> extraArgs) throws Exception {
      int port = FreePort.find();
      ProcessBuilder builder = new ProcessBuilder(command(work, port, extraArgs)).redirectErrorStream(true);
      builder.environment().put("BILLING_ADMIN_TOKEN", adminToken);
      builder.environment().remove("BILLING_DB_URL");
      RunningJar running = new RunningJar(builder.start(), port);
      try {
        running.awaitReady(work.resolve("host.log"));
      } catch (Exception | AssertionError e) {
        running.close();
        throw e;
      }
      return running;
    }

    /**
     * Copies the host's output to a log file and returns once the host says it is ready (a line
     * naming its URL): the start is observed, not guessed with a sleep.
     */
    private void awaitReady(Path log) throws Exception {
      CompletableFuture<Void> ready = new CompletableFuture<>();
      Thread pump = new Thread(() -> {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            var file = Files.newBufferedWriter(log)) {
          for (String line; (line = out.readLine()) != null; ) {
            file.write(line);
            file.newLine();
            file.flush();
            if (line.startsWith("Host ready: http://") && line.contains(":" + port + "/")) {
              ready.complete(null);
            }
          }
          ready.completeExceptionally(new AssertionError("host exited"));
        } catch (IOException e) {
          ready.completeExceptionally(e);
        }
      }, "host-output");
      pump.setDaemon(true);
      pump.start();
      try {
        ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        Path fullLog = log.resolveSibling("data").resolve("logs").resolve("host.log");
        throw new AssertionError("host did not start: " + Files.readString(log)
            + (Files.exists(fullLog) ? Files.readString(fullLog) : ""), e);
      }
      JsonNode health = new BillingApi(port, null).http.get("/api/health", null).expect(200);
      assertEquals("ok", health.get("status").asText());
      assertTrue(health.get("plugins").toString().contains("billing"), health.toString());
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}

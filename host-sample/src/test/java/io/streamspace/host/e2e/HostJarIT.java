package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.io.InputStreamReader;
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

  /** 2 cores and 4 GB for 10 hours: 20 core-hours = 1.00, 40 GB-hours = 0.40, total 1.40 USD. */
  private void runSeedPricingExample(List<String> extraArgs) throws Exception {
    String adminToken = "admin-" + UUID.randomUUID();
    try (RunningJar host = RunningJar.start(work, adminToken, extraArgs)) {
      HostClient admin = new HostClient(host.baseUrl, adminToken);
      String user = "alice-" + UUID.randomUUID();
      String userToken = admin.createToken(user, "user");
      String platformToken = admin.createToken("platform-1", "platform");
      HostClient platform = new HostClient(host.baseUrl, platformToken);

      Instant end = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
      Instant start = end.minus(10, ChronoUnit.HOURS);
      String session = "s-" + UUID.randomUUID();
      JsonNode accepted = platform.postEvents(List.of(
          Events.userCreated(user, start.minusSeconds(60)),
          Events.sessionCreated(session, user, start, "2", "4", "0"),
          Events.sessionTerminated(session, user, end)));
      assertEquals(3, accepted.get("accepted").asInt());

      JsonNode run = admin.runJob("calculate-usage");
      assertEquals("SUCCEEDED", run.get("outcome").asText(), run.toString());

      LocalDate today = LocalDate.now(ZoneOffset.UTC);
      JsonNode usage = new HostClient(host.baseUrl, userToken)
          .usage(null, today.minusDays(1), today.plusDays(1));
      assertEquals("USD", usage.get("currency").asText());
      assertEquals(0, new BigDecimal("1.40").compareTo(usage.get("total_cost").decimalValue()),
          usage.toString());
      JsonNode cpu = Json.line(usage, "cpu");
      assertEquals(0, new BigDecimal("20").compareTo(cpu.get("quantity").decimalValue()));
      assertEquals("1.00", cpu.get("total_cost").decimalValue().toPlainString());
      JsonNode memory = Json.line(usage, "memory");
      assertEquals(0, new BigDecimal("40").compareTo(memory.get("quantity").decimalValue()));
      assertEquals("0.40", memory.get("total_cost").decimalValue().toPlainString());
    }
  }

  /** The shaded jar started as a separate process, as the README says. */
  private static final class RunningJar implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    final Process process;
    final int port;
    final String baseUrl;

    private RunningJar(Process process, int port) {
      this.process = process;
      this.port = port;
      this.baseUrl = "http://127.0.0.1:" + port;
    }

    static RunningJar start(Path work, String adminToken, List<String> extraArgs) throws Exception {
      Path target = Path.of("target").toAbsolutePath();
      Path jar = target.resolve("host-sample.jar");
      assertTrue(Files.isRegularFile(jar), "run `mvn package` first: " + jar);
      Path plugins = Files.createDirectories(work.resolve("plugins"));
      try (var zips = Files.newDirectoryStream(target.resolve("plugins"), "*.zip")) {
        for (Path zip : zips) {
          Files.copy(zip, plugins.resolve(zip.getFileName()));
        }
      }
      int port = FreePort.find();
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-jar", jar.toString(),
          "--port", Integer.toString(port),
          "--data-dir", work.resolve("data").toString(),
          "--plugins-dir", plugins.toString()));
      command.addAll(extraArgs);
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().put("BILLING_ADMIN_TOKEN", adminToken);
      builder.environment().remove("BILLING_DB_URL");
      Process process = builder.start();
      RunningJar running = new RunningJar(process, port);
      try {
        running.awaitHealthy(work.resolve("host.log"));
      } catch (Exception | AssertionError e) {
        running.close();
        throw e;
      }
      return running;
    }

    /**
     * Copies the host's output to a log file and returns once the host says it is ready
     * (a line naming its URL) — the start is observed, not guessed with a sleep.
     */
    private void awaitHealthy(Path log) throws Exception {
      CompletableFuture<Void> listening = new CompletableFuture<>();
      Thread pump = new Thread(() -> {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            var file = Files.newBufferedWriter(log)) {
          for (String line; (line = out.readLine()) != null; ) {
            file.write(line);
            file.newLine();
            file.flush();
            if (line.startsWith("Host ready: http://") && line.contains(":" + port + "/")) {
              listening.complete(null);
            }
          }
          listening.completeExceptionally(new AssertionError("host exited; see " + log));
        } catch (IOException e) {
          listening.completeExceptionally(e);
        }
      }, "host-output");
      pump.setDaemon(true);
      pump.start();
      try {
        listening.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        throw new AssertionError("host did not start: " + Files.readString(log), e);
      }
      JsonNode health = new HostClient(baseUrl, null).get("/api/health", 200);
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

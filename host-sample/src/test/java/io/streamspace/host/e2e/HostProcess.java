package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.JavaProcess;
import io.streamspace.testing.FreePort;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The shaded jar started as a separate process, as the README says ({@code java -jar
 * host-sample.jar}), with its data in {@code work/data} and the packaged billing plugin in
 * {@code work/plugins}: a second start on the same {@code work} is a restart of the same host.
 */
final class HostProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  final Process process;
  final int port;

  /** Everything the host printed (stdout and stderr) up to now. */
  final Path output;

  private HostProcess(Process process, int port, Path output) {
    this.process = process;
    this.port = port;
    this.output = output;
  }

  /** Starts the jar and returns once it says it is ready and its health answers 200. */
  static HostProcess start(Path work, String adminToken, List<String> extraArgs) throws Exception {
    return start(work, adminToken, extraArgs, "Host ready: http://");
  }

  /**
   * One of several nodes on the database {@code dbUrl}: the jar started in a folder of its own,
   * {@code name} under {@code work} (started again in it after a kill).
   */
  static HostProcess startNode(Path work, String name, String adminToken, String dbUrl)
      throws Exception {
    return startNode(work, name, adminToken, dbUrl, List.of());
  }

  /** A node as above, started with {@code extraArgs} too (the Kafka journal's, say). */
  static HostProcess startNode(
      Path work, String name, String adminToken, String dbUrl, List<String> extraArgs)
      throws Exception {
    Path folder = Files.createDirectories(work.resolve(name));
    List<String> args = new ArrayList<>(List.of("--db-url", dbUrl));
    args.addAll(extraArgs);
    return start(folder, adminToken, args);
  }

  /**
   * The README's run command: the jar with {@code --demo}, an empty plugins folder and the plugin
   * repository the build published next to it (its default); returns once the demo printed its
   * curl lines.
   */
  static HostProcess startDemo(Path work, String adminToken) throws Exception {
    Files.createDirectories(work.resolve("plugins"));
    return start(work, adminToken, List.of("--demo"), "Demo data ");
  }

  /**
   * Starts the jar and returns once it printed a line starting with {@code readyLine} (after the
   * one naming its URL) and its health shows the billing plugin.
   */
  private static HostProcess start(
      Path work, String adminToken, List<String> extraArgs, String readyLine) throws Exception {
    int port = FreePort.find();
    ProcessBuilder builder =
        new ProcessBuilder(command(work, port, extraArgs)).redirectErrorStream(true);
    builder.environment().put("BILLING_ADMIN_TOKEN", adminToken);
    builder.environment().remove("BILLING_DB_URL");
    HostProcess running =
        new HostProcess(builder.start(), port, Files.createTempFile(work, "host-", ".log"));
    try {
      running.awaitReady(readyLine);
    } catch (Exception | AssertionError e) {
      running.close();
      throw e;
    }
    return running;
  }

  /**
   * {@code java -jar host-sample.jar} with its data and the plugins under {@code work} (a copy of
   * the packaged billing plugin unless a plugins folder is there already), on the tests' JIT
   * ({@link JavaProcess#java()}).
   */
  static List<String> command(Path work, int port, List<String> extraArgs) throws IOException {
    Path jar = Path.of("target", "host-sample.jar").toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "run `mvn package` first: " + jar);
    Path plugins = work.resolve("plugins");
    if (!Files.isDirectory(plugins)) {
      PackagedPlugin.copyInto(plugins);
    }
    List<String> command = new ArrayList<>(JavaProcess.java());
    command.addAll(
        List.of(
            "-jar",
            jar.toString(),
            "--port",
            Integer.toString(port),
            "--data-dir",
            work.resolve("data").toString(),
            "--plugins-dir",
            plugins.toString()));
    command.addAll(extraArgs);
    return command;
  }

  /** The host's full log (the console shows warnings only). */
  static Path logFile(Path work) {
    return work.resolve("data").resolve("logs").resolve("host.log");
  }

  /**
   * Copies the host's output to a file and returns once the host says it is ready (a line naming
   * its URL, then one starting with {@code readyLine}): the start is observed, not guessed with a
   * sleep.
   */
  private void awaitReady(String readyLine) throws Exception {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader out =
                      new BufferedReader(
                          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                  var file = Files.newBufferedWriter(output)) {
                boolean listening = false;
                for (String line; (line = out.readLine()) != null; ) {
                  file.write(line);
                  file.newLine();
                  file.flush();
                  listening |=
                      line.startsWith("Host ready: http://") && line.contains(":" + port + "/");
                  if (listening && line.startsWith(readyLine)) {
                    ready.complete(null);
                  }
                }
                ready.completeExceptionally(new AssertionError("host exited"));
              } catch (IOException e) {
                ready.completeExceptionally(e);
              }
            },
            "host-output");
    pump.setDaemon(true);
    pump.start();
    try {
      ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      Path log = logFile(output.getParent());
      throw new AssertionError(
          "host did not start: "
              + Files.readString(output)
              + (Files.exists(log) ? Files.readString(log) : ""),
          e);
    }
    JsonNode health = new BillingApi(port, null).http.get("/api/health", null).expect(200);
    assertEquals("ok", health.get("status").asText());
    assertTrue(health.get("plugins").toString().contains("billing"), health.toString());
  }

  /** The lines the host printed so far that contain {@code text}. */
  List<String> outputLinesWith(String text) throws IOException {
    return Files.readAllLines(output).stream().filter(line -> line.contains(text)).toList();
  }

  /** {@code kill -9} of the host's JVM alone: no shutdown hook runs. */
  void killForcibly() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** A normal stop (SIGTERM): the host closes what it started. */
  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}

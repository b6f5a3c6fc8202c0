package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.support.JavaProcess;
import io.streamspace.testing.FreePort;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host that cannot start says why in one line on stderr and exits 1, without a stack trace
 * unless asked: run as the command line runs it, in a JVM of its own.
 */
class StartupFailureTest {

  private static final String ADMIN_TOKEN = "startup-failure-test-admin-token-0123456789";

  @TempDir Path work;

  /** What a finished host process printed and its exit code. */
  private record Run(int exitCode, String stdout, String stderr) {
    List<String> errorLines() {
      return stderr.lines().toList();
    }
  }

  private Run host(Map<String, String> environment, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("--plugins-dir", work.resolve("plugins").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = JavaProcess.of(HostMain.class, command);
    builder.environment().remove("BILLING_DB_URL");
    // a run without --data-dir logs into the default data folder: this test's, not the user's
    builder.environment().put("XDG_DATA_HOME", work.resolve("xdg").toString());
    builder.environment().put("BILLING_ADMIN_TOKEN", ADMIN_TOKEN);
    builder.environment().putAll(environment);
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("the host neither started nor stopped: " + Files.readString(err));
    }
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void aPortInUseIsSaidInOneLineBeforeTheEmbeddedDatabaseStarts() throws Exception {
    Path dataDir = work.resolve("data");
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(0));
      int port = taken.getLocalPort();

      Run run = host(Map.of(), "--port", Integer.toString(port), "--data-dir", dataDir.toString());

      assertEquals(1, run.exitCode(), run.toString());
      assertEquals(
          List.of(
              "error: port "
                  + port
                  + " is in use; stop what listens there or choose another with --port"),
          run.errorLines());
      assertFalse(Files.exists(dataDir.resolve("pg")), "no database was started");
    }
  }

  @Test
  void anUnreachableDatabaseIsSaidInOneLineWithoutAStackTrace() throws Exception {
    int closed = FreePort.find();
    String url = "jdbc:postgresql://127.0.0.1:" + closed + "/billing?password=hidden-pw";

    Run run = host(Map.of(), "--port", "0", "--db-url", url);

    assertEquals(1, run.exitCode(), run.toString());
    assertEquals(1, run.errorLines().size(), run.stderr());
    assertTrue(
        run.stderr()
            .startsWith(
                "error: cannot reach PostgreSQL at jdbc:postgresql://127.0.0.1:"
                    + closed
                    + "/billing: Connection to 127.0.0.1:"
                    + closed
                    + " refused"),
        run.stderr());
    assertFalse(run.stderr().contains("hidden-pw") || run.stdout().contains("hidden-pw"));
  }

  @Test
  void withDebugTheRefusalIsFollowedByItsStackTrace() throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:" + FreePort.find() + "/billing";

    Run run = host(Map.of("STREAMSPACE_DEBUG", "true"), "--port", "0", "--db-url", url);

    assertEquals(1, run.exitCode(), run.toString());
    assertTrue(run.errorLines().get(0).startsWith("error: cannot reach PostgreSQL"), run.stderr());
    assertTrue(run.stderr().contains("\tat io.streamspace.host."), run.stderr());
  }

  @Test
  void aDataFolderAnotherHostRunsOnIsSaidInOneLine() throws Exception {
    Path dataDir = work.resolve("shared");
    try (Host running =
        Host.start(
            HostOptions.builder()
                .port(0)
                .dataDir(dataDir)
                .pluginsDir(work.resolve("plugins"))
                .secrets(Map.of("BILLING_ADMIN_TOKEN", ADMIN_TOKEN))
                .unsafeFastEmbeddedDatabaseForTests()
                .build())) {

      Run run = host(Map.of(), "--port", "0", "--data-dir", dataDir.toString());

      assertEquals(1, run.exitCode(), run.toString());
      assertEquals(
          List.of(
              "error: Another host is running on "
                  + dataDir.resolve("pg")
                  + "; stop it or give this one another --data-dir"),
          run.errorLines());
      assertTrue(running.port() > 0);
    }
  }

  @Test
  void anUnknownLogFormatIsAUsageError() throws Exception {
    Run run = host(Map.of(io.streamspace.host.logging.LogFormat.ENV, "xml"), "--port", "0");

    assertEquals(2, run.exitCode(), run.toString());
    assertEquals(
        "error: STREAMSPACE_LOG_FORMAT must be text or json, got xml", run.errorLines().get(0));
  }
}

package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.JavaProcess;
import io.streamspace.testing.FreePort;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's log file: with --log-format json every line is a JSON object. */
class HostLogFileTest {

  private static final String ADMIN_TOKEN = "host-log-file-test-admin-token-0123456789";

  @TempDir Path work;

  @Test
  void withJsonEveryLineOfTheLogFileIsAnObjectAndRequestsHaveAccessLinesWithoutTheToken()
      throws Exception {
    int port = FreePort.find();
    Path dataDir = work.resolve("data");
    ProcessBuilder builder =
        JavaProcess.of(
                HostMain.class,
                List.of(
                    "--log-format", "json",
                    "--port", Integer.toString(port),
                    "--data-dir", dataDir.toString(),
                    "--plugins-dir", work.resolve("plugins").toString()))
            .redirectErrorStream(true);
    builder.environment().remove("BILLING_DB_URL");
    builder.environment().put("BILLING_ADMIN_TOKEN", ADMIN_TOKEN);
    Process host = builder.start();
    try {
      awaitReady(host);
      new HostClient(port).get("/api/admin/tokens", ADMIN_TOKEN).expect(200);
    } finally {
      host.destroy(); // SIGTERM: the shutdown hook stops the host and flushes the log
      host.waitFor();
    }

    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(dataDir.resolve("logs").resolve("host.log"))) {
      JsonNode json = HostClient.MAPPER.readTree(line);
      for (String field : List.of("timestamp", "level", "logger", "message")) {
        assertTrue(json.hasNonNull(field), field + " in " + line);
      }
      lines.add(json);
    }
    JsonNode access =
        lines.stream()
            .filter(l -> l.get("logger").asText().equals("access"))
            .filter(l -> l.get("route").asText().equals("/api/admin/tokens"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no access line: " + lines));
    assertEquals("GET", access.get("method").asText());
    assertEquals(200, access.get("status").asInt());
    assertEquals("admin", access.get("caller").asText());
    assertFalse(
        Files.readString(dataDir.resolve("logs").resolve("host.log")).contains(ADMIN_TOKEN));
  }

  private static void awaitReady(Process host) throws Exception {
    BufferedReader output = new BufferedReader(new InputStreamReader(host.getInputStream()));
    StringBuilder said = new StringBuilder();
    for (String line = output.readLine(); line != null; line = output.readLine()) {
      if (line.startsWith("Host ready: ")) {
        return;
      }
      said.append(line).append('\n');
    }
    throw new AssertionError("the host ended before it was ready: " + said);
  }
}

package io.streamspace.host.logging;

import static io.streamspace.host.support.AccessLines.accessLine;
import static io.streamspace.host.support.AccessLines.loggedFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.HostTestBase;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One access line per request: method, route pattern, status, duration, caller; no secret. */
class AccessLogTest extends HostTestBase {

  private static String everything(List<ILoggingEvent> events) {
    JsonLineEncoder json = new JsonLineEncoder();
    StringBuilder all = new StringBuilder();
    for (ILoggingEvent event : events) {
      all.append(new String(json.encode(event), StandardCharsets.UTF_8));
      all.append(event.getFormattedMessage()).append('\n');
    }
    return all.toString();
  }

  @Test
  void aPluginRequestIsLoggedWithItsRoutePatternStatusDurationAndCallerButNoToken()
      throws Exception {
    String token = token("alice", "user");
    List<ILoggingEvent> events =
        loggedFor(() -> http.get("/api/plugins/rec/echo/invoice-42?q=s3cret-query", token));

    ILoggingEvent line = accessLine(events);
    assertTrue(
        line.getFormattedMessage()
            .matches("GET /api/plugins/rec/echo/\\{name} 200 \\d+ ms caller=alice"),
        line.getFormattedMessage());
    JsonNode fields = HostClient.MAPPER.readTree(new JsonLineEncoder().encode(line));
    assertEquals("GET", fields.get("method").asText());
    assertEquals("/api/plugins/rec/echo/{name}", fields.get("route").asText());
    assertEquals(200, fields.get("status").asInt());
    assertTrue(fields.get("duration_ms").isIntegralNumber(), fields.toString());
    assertEquals("alice", fields.get("caller").asText());
    String all = everything(events);
    assertFalse(all.contains(token), all);
    assertFalse(all.contains("invoice-42") || all.contains("s3cret-query"), all);
  }

  @Test
  void aHostRouteIsLoggedWithItsPatternAndAnAnonymousCallerAsADash() throws Exception {
    ILoggingEvent line =
        accessLine(loggedFor(() -> http.get("/api/admin/plugins/rec/config", null)));

    assertEquals(
        "GET /api/admin/plugins/{id}/config 401",
        line.getFormattedMessage().replaceAll(" \\d+ ms caller=-$", ""),
        line.getFormattedMessage());
  }

  @Test
  void aRefusedTokenIsNeverLogged() throws Exception {
    String wrong = "not-a-valid-token-0123456789abcdefghijklmnop";
    List<ILoggingEvent> events = loggedFor(() -> http.get("/api/plugins/rec/echo/x", wrong));

    assertTrue(accessLine(events).getFormattedMessage().contains(" 401 "));
    assertFalse(everything(events).contains(wrong));
  }
}

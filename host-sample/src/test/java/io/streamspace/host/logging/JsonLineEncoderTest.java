package io.streamspace.host.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/** The JSON log format: each event one line, one JSON object. */
class JsonLineEncoderTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final Logger logger = new LoggerContext().getLogger("io.streamspace.host.Example");

  private String encode(LoggingEvent event) {
    return new String(new JsonLineEncoder().encode(event), StandardCharsets.UTF_8);
  }

  @Test
  void anEventIsOneLineOfJsonWithTimestampLevelLoggerAndFormattedMessage() throws Exception {
    LoggingEvent event =
        new LoggingEvent(
            "x", logger, Level.WARN, "plugin {} is {} entries behind", null, new Object[] {"b", 7});
    event.setTimeStamp(Instant.parse("2026-01-02T03:04:05.678Z").toEpochMilli());

    String line = encode(event);

    assertTrue(line.endsWith("}\n") && line.indexOf('\n') == line.length() - 1, line);
    JsonNode json = MAPPER.readTree(line);
    assertEquals("2026-01-02T03:04:05.678Z", json.get("timestamp").asText());
    assertEquals("WARN", json.get("level").asText());
    assertEquals("io.streamspace.host.Example", json.get("logger").asText());
    assertEquals("plugin b is 7 entries behind", json.get("message").asText());
  }

  @Test
  void anExceptionStaysInsideTheLineAsOneField() throws Exception {
    LoggingEvent event =
        new LoggingEvent(
            "x",
            logger,
            Level.ERROR,
            "request failed",
            new IllegalStateException("first line\nsecond line", new RuntimeException("cause")),
            null);

    String line = encode(event);

    assertEquals(1, line.split("\n").length, line);
    String exception = MAPPER.readTree(line).get("exception").asText();
    assertTrue(exception.contains("IllegalStateException: first line\nsecond line"), exception);
    assertTrue(exception.contains("Caused by: java.lang.RuntimeException: cause"), exception);
    assertTrue(exception.contains("at io.streamspace.host.logging"), exception);
  }

  @Test
  void keyValuePairsBecomeFieldsKeepingNumbersNumbers() throws Exception {
    LoggingEvent event = new LoggingEvent("x", logger, Level.INFO, "GET / 200", null, null);
    event.addKeyValuePair(new KeyValuePair("status", 200));
    event.addKeyValuePair(new KeyValuePair("route", "/api/health"));

    JsonNode json = MAPPER.readTree(encode(event));

    assertTrue(json.get("status").isIntegralNumber());
    assertEquals(200, json.get("status").asInt());
    assertEquals("/api/health", json.get("route").asText());
  }
}

package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.streamspace.host.logging.LogFormat;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The log file's plain text: one line per event, a stack trace included. */
class ConsoleLoggingTest {

  @Test
  void aPlainTextEventWithALineBreakAndAStackTraceIsStillOneLine() {
    LoggerContext context = new LoggerContext();
    LoggingEvent event =
        new LoggingEvent(
            "x",
            context.getLogger("io.streamspace.host.Example"),
            Level.ERROR,
            "request failed\nsee below",
            new IllegalStateException("broken", new RuntimeException("cause")),
            null);

    String line =
        new String(
            ConsoleLogging.encoder(context, LogFormat.TEXT, ConsoleLogging.FILE_PATTERN)
                .encode(event),
            StandardCharsets.UTF_8);

    assertEquals(1, line.lines().count(), line);
    assertTrue(line.endsWith("\n"), line);
    assertTrue(
        line.contains(
            "ERROR [main] io.streamspace.host.Example - request failed | see below"
                + " | java.lang.IllegalStateException: broken | at io.streamspace.host."),
        line);
    assertTrue(line.contains(" | Caused by: java.lang.RuntimeException: cause | "), line);
  }

  @Test
  void aPlainTextEventWithoutExceptionEndsWithItsMessage() {
    LoggerContext context = new LoggerContext();
    LoggingEvent event =
        new LoggingEvent("x", context.getLogger("a.B"), Level.INFO, "hello", null, null);

    String line =
        new String(
            ConsoleLogging.encoder(context, LogFormat.TEXT, ConsoleLogging.FILE_PATTERN)
                .encode(event),
            StandardCharsets.UTF_8);

    assertTrue(line.endsWith(" INFO  [main] a.B - hello\n"), line);
  }
}

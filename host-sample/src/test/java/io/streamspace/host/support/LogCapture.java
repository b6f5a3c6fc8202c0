package io.streamspace.host.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What every logger of the JVM logs, down to DEBUG, while an action runs. */
public final class LogCapture {

  private LogCapture() {}

  /**
   * Runs {@code action} and answers each line logged meanwhile as {@code "LEVEL message"},
   * followed by its exception's messages, if any.
   */
  public static List<String> during(Runnable action) {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Level level = root.getLevel();
    root.setLevel(Level.DEBUG);
    root.addAppender(appender);
    try {
      action.run();
    } finally {
      root.detachAppender(appender);
      root.setLevel(level);
    }
    return appender.list.stream().map(LogCapture::line).toList();
  }

  private static String line(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(event.getLevel() + " " + event.getFormattedMessage());
    for (var thrown = event.getThrowableProxy(); thrown != null; thrown = thrown.getCause()) {
      line.append(" | ").append(thrown.getMessage());
    }
    return line.toString();
  }
}

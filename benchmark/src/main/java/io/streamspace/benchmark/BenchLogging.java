package io.streamspace.benchmark;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import io.streamspace.host.ConsoleLogging;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark's log: as the host's command line logs ({@link ConsoleLogging}: everything in the
 * run's log file, warnings and errors on the console), except that the console is stderr, with the
 * progress, not stdout, where only the table goes ({@code > table.md}); and Kafka's clients and
 * in-JVM broker, which warn at each reconnection, rebalance and leader change, reach the console
 * only with their errors: their warnings are in the log file.
 */
final class BenchLogging {

  private static final String CONSOLE_APPENDER = "STDOUT"; // as named in the host's logback.xml

  /** The loggers of Kafka's clients and brokers (and of the brokers' state changes). */
  static final List<String> KAFKA_LOGGERS =
      List.of("org.apache.kafka", "kafka", "state.change.logger");

  private BenchLogging() {}

  /**
   * Logs into {@code logDir} as described above.
   *
   * @return the log file
   */
  static Path toFile(Path logDir) {
    Path file = ConsoleLogging.toFile(logDir);
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return file; // another SLF4J binding: its own configuration decides
    }
    Appender<ILoggingEvent> console =
        context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(CONSOLE_APPENDER);
    if (console instanceof ConsoleAppender<ILoggingEvent> toConsole) {
      toConsole.stop();
      toConsole.setTarget("System.err");
      toConsole.addFilter(new KafkaErrorsOnly());
      toConsole.start();
    }
    return file;
  }

  /** Keeps a Kafka logger's events below ERROR off the console (the log file has them). */
  static final class KafkaErrorsOnly extends Filter<ILoggingEvent> {
    @Override
    public FilterReply decide(ILoggingEvent event) {
      return isKafka(event.getLoggerName()) && !event.getLevel().isGreaterOrEqual(Level.ERROR)
          ? FilterReply.DENY
          : FilterReply.NEUTRAL;
    }

    private static boolean isKafka(String logger) {
      return KAFKA_LOGGERS.stream()
          .anyMatch(name -> logger.equals(name) || logger.startsWith(name + "."));
    }
  }
}

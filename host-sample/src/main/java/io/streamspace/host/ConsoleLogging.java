package io.streamspace.host;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import io.streamspace.host.logging.JsonLineEncoder;
import io.streamspace.host.logging.LogFormat;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the command line's console for what an operator must read: {@link HostMain}'s own lines
 * and warnings. The full log (INFO and up) goes to a rolling file. Hosts embedded in tests or
 * other programs keep logback's plain configuration. Public for the benchmark module's command,
 * which logs its host the same way.
 */
public final class ConsoleLogging {

  static final String LOG_FILE = "host.log";
  private static final String CONSOLE_APPENDER = "STDOUT"; // as named in logback.xml
  private static final FileSize MAX_FILE_SIZE = FileSize.valueOf("20MB");
  private static final int KEPT_FILES = 5;

  /** One line per event: a message's line breaks and its stack trace's are shown as " | ". */
  static final String FILE_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - "
          + "%replace(%msg%n%ex){'\\R\\s*(?=\\S)', ' | '}%nopex";

  private static final String CONSOLE_PATTERN =
      "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n"; // as in logback.xml

  private ConsoleLogging() {}

  /**
   * Sends everything logged to {@code logDir/host.log} (rolled at 20 MB, five kept) and only
   * warnings and errors to the console, as plain text.
   *
   * @return the log file
   */
  public static Path toFile(Path logDir) {
    return toFile(logDir, LogFormat.TEXT, true);
  }

  /**
   * The same in {@code format}: with {@link LogFormat#JSON} every line, the console's too, is
   * one JSON object. Unless {@code debug}, the console's plain lines leave stack traces to the
   * file: an operator reads one line per problem there.
   */
  static Path toFile(Path logDir, LogFormat format, boolean debug) {
    Path file = logDir.resolve(LOG_FILE);
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return file; // another SLF4J binding: its own configuration decides
    }
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    Appender<ILoggingEvent> console = root.getAppender(CONSOLE_APPENDER);
    if (console instanceof OutputStreamAppender<ILoggingEvent> stream) {
      stream.setEncoder(
          format == LogFormat.JSON || debug
              ? encoder(context, format, CONSOLE_PATTERN)
              : encoder(context, format, CONSOLE_PATTERN + "%nopex"));
    }
    if (console != null) {
      ThresholdFilter warnings = new ThresholdFilter();
      warnings.setLevel("WARN");
      warnings.start();
      console.addFilter(warnings);
    }
    root.addAppender(rollingFile(context, file, format));
    return file;
  }

  private static RollingFileAppender<ILoggingEvent> rollingFile(
      LoggerContext context, Path file, LogFormat format) {
    RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
    appender.setContext(context);
    appender.setName("FILE");
    appender.setFile(file.toString());

    FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
    rolling.setContext(context);
    rolling.setParent(appender);
    rolling.setFileNamePattern(file + ".%i");
    rolling.setMinIndex(1);
    rolling.setMaxIndex(KEPT_FILES);
    rolling.start();

    SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
    trigger.setContext(context);
    trigger.setMaxFileSize(MAX_FILE_SIZE);
    trigger.start();

    appender.setRollingPolicy(rolling);
    appender.setTriggeringPolicy(trigger);
    appender.setEncoder(encoder(context, format, FILE_PATTERN));
    appender.start();
    return appender;
  }

  static Encoder<ILoggingEvent> encoder(
      LoggerContext context, LogFormat format, String textPattern) {
    EncoderBase<ILoggingEvent> encoder;
    if (format == LogFormat.JSON) {
      encoder = new JsonLineEncoder();
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern(textPattern);
      encoder = text;
    }
    encoder.setContext(context);
    encoder.start();
    return encoder;
  }
}

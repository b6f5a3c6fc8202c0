package io.streamspace.host.plugins;

import java.text.MessageFormat;
import java.util.ResourceBundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A plugin's {@link System.Logger}, writing to SLF4J logger {@code plugin.<id>}. */
final class Slf4jSystemLogger implements System.Logger {

  private final Logger delegate;

  Slf4jSystemLogger(String pluginId) {
    this.delegate = LoggerFactory.getLogger("plugin." + pluginId);
  }

  @Override
  public String getName() {
    return delegate.getName();
  }

  @Override
  public boolean isLoggable(Level level) {
    return switch (level) {
      case ALL, TRACE -> delegate.isTraceEnabled();
      case DEBUG -> delegate.isDebugEnabled();
      case INFO -> delegate.isInfoEnabled();
      case WARNING -> delegate.isWarnEnabled();
      case ERROR -> delegate.isErrorEnabled();
      case OFF -> false;
    };
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
    if (!isLoggable(level)) {
      return;
    }
    switch (level) {
      case ALL, TRACE -> delegate.trace(message, thrown);
      case DEBUG -> delegate.debug(message, thrown);
      case INFO -> delegate.info(message, thrown);
      case WARNING -> delegate.warn(message, thrown);
      default -> delegate.error(message, thrown);
    }
  }

  /** System.Logger formats with {@link MessageFormat} ({@code {0}}), not SLF4J's {@code {}}. */
  @Override
  public void log(Level level, ResourceBundle bundle, String format, Object... params) {
    if (!isLoggable(level)) {
      return;
    }
    String message =
        params == null || params.length == 0 ? format : MessageFormat.format(format, params);
    log(level, bundle, message, (Throwable) null);
  }
}

package io.streamspace.host.logging;

import java.util.Locale;

/** How the host writes its log: one line per event, as plain text or as one JSON object. */
public enum LogFormat {
  TEXT,
  JSON;

  /** The environment variable choosing the format when {@code --log-format} is not given. */
  public static final String ENV = "STREAMSPACE_LOG_FORMAT";

  /**
   * The format named {@code text} or {@code json} (any case).
   *
   * @throws IllegalArgumentException for any other name
   */
  public static LogFormat of(String name) {
    return switch (name.strip().toLowerCase(Locale.ROOT)) {
      case "text" -> TEXT;
      case "json" -> JSON;
      default -> throw new IllegalArgumentException("must be text or json, got " + name);
    };
  }
}

package io.streamspace.host;

import io.streamspace.host.catalog.DefaultRepositories;
import io.streamspace.host.logging.LogFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The command-line options of {@link HostMain}. */
final class HostCommandLine {

  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -jar host-sample.jar [options]",
          "  --port <n>          HTTP port (default 8080)",
          "  --host <address>    the address HTTP listens on (default: $STREAMSPACE_HOST,",
          "                      else 127.0.0.1, this machine only; 0.0.0.0: every interface)",
          "  --db-url <jdbc-url> external PostgreSQL (default: $BILLING_DB_URL, else embedded)",
          "  --plugins-dir <dir> PF4J plugins folder (default: plugins/ in the data folder)",
          "  --plugin-repository <folder|url>  a plugin repository (pf4j-update's plugins.json),",
          "                      repeatable, asked in order (default: the comma-separated",
          "                      $STREAMSPACE_PLUGIN_REPOSITORIES, else plugin-repository/",
          "                      next to the jar)",
          "  --data-dir <dir>    embedded PostgreSQL data, the logs and",
          "                      the secrets key unless $STREAMSPACE_SECRETS_KEY is set",
          "                      (default: $XDG_DATA_HOME/streamspace, else",
          "                      ~/.local/share/streamspace)",
          "  --max-event-age-days <n>  refuse platform events older than n days (default 35)",
          "  --demo              install the billing plugin from the catalog through the API",
          "                      (unless installed), post demo users, a team organization and",
          "                      their sessions, run the jobs, print the pages' sign-in",
          "                      links and curl lines",
          "  --log-format <text|json>  one line per event, plain or JSON (default:",
          "                      $STREAMSPACE_LOG_FORMAT, else text)",
          "  --debug             a refused start prints its stack trace too",
          "  --help              this text",
          HostEnvironment.usage());

  /** Why the command line was refused. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  static final String REPOSITORIES_ENV = DefaultRepositories.ENVIRONMENT_VARIABLE;

  /** A century: events older than that are no metering a bill can still use. */
  static final int MAX_EVENT_AGE_DAYS = 36_500;

  int port = 8080;

  /** Null when not given: the environment decides. */
  String host;

  String dbUrl;
  Path pluginsDir;
  final List<String> pluginRepositories = new ArrayList<>();
  Path dataDir;
  Duration maxEventAge = HostOptions.DEFAULT_MAX_EVENT_AGE;

  /** Null when not given: the environment decides. */
  LogFormat logFormat;

  boolean debug;
  boolean demo;
  boolean help;

  static HostCommandLine parse(String[] args) throws UsageException {
    HostCommandLine line = new HostCommandLine();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--help", "-h" -> line.help = true;
        case "--demo" -> line.demo = true;
        case "--debug" -> line.debug = true;
        case "--log-format" -> line.logFormat = logFormat(value(args, ++i, arg), arg);
        case "--port" -> line.port = port(value(args, ++i, arg));
        case "--host" -> line.host = value(args, ++i, arg);
        case "--db-url" -> line.dbUrl = value(args, ++i, arg);
        case "--plugins-dir" -> line.pluginsDir = Path.of(value(args, ++i, arg));
        case "--plugin-repository" -> line.pluginRepositories.add(value(args, ++i, arg));
        case "--data-dir" -> line.dataDir = Path.of(value(args, ++i, arg));
        case "--max-event-age-days" -> line.maxEventAge = days(value(args, ++i, arg), arg);
        default -> throw new UsageException("unknown option " + arg);
      }
    }
    return line;
  }

  private static String value(String[] args, int index, String option) throws UsageException {
    if (index >= args.length || args[index].startsWith("--")) {
      throw new UsageException(option + " needs a value");
    }
    return args[index];
  }

  private static LogFormat logFormat(String text, String option) throws UsageException {
    try {
      return LogFormat.of(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException(option + " " + e.getMessage());
    }
  }

  /** {@code --log-format}, else {@code STREAMSPACE_LOG_FORMAT}, else text. */
  LogFormat logFormat(Map<String, String> environment) throws UsageException {
    if (logFormat != null) {
      return logFormat;
    }
    String fromEnvironment = environment.getOrDefault(LogFormat.ENV, "");
    if (fromEnvironment.isBlank()) {
      return LogFormat.TEXT;
    }
    try {
      return LogFormat.of(fromEnvironment);
    } catch (IllegalArgumentException e) {
      throw new UsageException(LogFormat.ENV + " " + e.getMessage());
    }
  }

  /** {@code --debug}, or {@code STREAMSPACE_DEBUG=true}. */
  boolean debug(Map<String, String> environment) {
    return debug || "true".equalsIgnoreCase(environment.getOrDefault(HostEnvironment.DEBUG, ""));
  }

  private static int port(String text) throws UsageException {
    try {
      int port = Integer.parseInt(text);
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new UsageException("--port must be a number from 0 to 65535, got " + text);
    }
  }

  private static Duration days(String text, String option) throws UsageException {
    try {
      int days = Integer.parseInt(text);
      if (days < 1 || days > MAX_EVENT_AGE_DAYS) {
        throw new NumberFormatException();
      }
      return Duration.ofDays(days);
    } catch (NumberFormatException e) {
      throw new UsageException(
          option + " must be a number of days from 1 to " + MAX_EVENT_AGE_DAYS + ", got " + text);
    }
  }

  /** The options, with the plugin repository defaulting to the one next to the running jar. */
  HostOptions toOptions() {
    return toOptions(System.getenv(), jarFolder());
  }

  /**
   * The options for this environment ({@code STREAMSPACE_PLUGIN_REPOSITORIES}, {@code
   * XDG_DATA_HOME}, {@code HOME}) and jar folder
   * (null when not run from a jar).
   */
  HostOptions toOptions(Map<String, String> environment, Path home) {
    Path data = dataDir != null ? dataDir : defaultDataDir(environment);
    // installed plugins are state, as the database that records them installed: they live
    // together, never in whatever folder the host ran from nor under a build's target folder
    Path plugins = pluginsDir != null ? pluginsDir : data.resolve("plugins");
    HostOptions.Builder options = HostOptions.builder();
    repositories(environment, home).forEach(options::pluginRepository);
    return options
        .port(port)
        .host(host(environment))
        .dbUrl(dbUrl)
        .pluginsDir(plugins)
        .dataDir(data)
        .maxEventAge(maxEventAge)
        .build();
  }

  /** {@code --host}, else {@code STREAMSPACE_HOST}, else loopback. */
  String host(Map<String, String> environment) {
    if (host != null) {
      return host;
    }
    String fromEnvironment = environment.getOrDefault(HostEnvironment.HOST, "");
    return fromEnvironment.isBlank() ? HostOptions.DEFAULT_HOST : fromEnvironment.strip();
  }

  /**
   * The user's data folder ({@code $XDG_DATA_HOME/streamspace}, else {@code
   * ~/.local/share/streamspace}): never next to the jar, where a build's {@code mvn clean} would
   * delete someone's billing data with the jar's target folder.
   */
  static Path defaultDataDir(Map<String, String> environment) {
    String xdg = environment.getOrDefault("XDG_DATA_HOME", "");
    if (!xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "streamspace");
    }
    String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
    return Path.of(home, ".local", "share", "streamspace");
  }

  /**
   * The command line's repositories, else the environment's, else the build's repository next to
   * the jar when there is one.
   */
  private List<String> repositories(Map<String, String> environment, Path home) {
    return DefaultRepositories.choose(pluginRepositories, environment, home);
  }

  /** The folder holding the running jar, or null when not run from a jar. */
  private static Path jarFolder() {
    return DefaultRepositories.jarFolderOf(HostMain.class);
  }
}

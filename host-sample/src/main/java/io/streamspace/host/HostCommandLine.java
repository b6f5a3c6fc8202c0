package io.streamspace.host;

import io.streamspace.host.catalog.DefaultRepositories;
import io.streamspace.host.journal.JournalKind;
import io.streamspace.host.journal.kafka.KafkaClientProperties;
import io.streamspace.host.journal.kafka.KafkaSettings;
import io.streamspace.host.logging.LogFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
          "  --journal <postgres|kafka>  where accepted events are journaled (default:",
          "                      $STREAMSPACE_JOURNAL, else postgres, the host's database)",
          "  --kafka-bootstrap <host:port,...>  the Kafka brokers; required with --journal",
          "                      kafka (default: $STREAMSPACE_KAFKA_BOOTSTRAP)",
          "  --kafka-topic <name>  the journal's topic (default: $STREAMSPACE_KAFKA_TOPIC,",
          "                      else " + KafkaSettings.DEFAULT_TOPIC + ")",
          "  --kafka-partitions <n>  its partitions, when the host creates it (default: "
              + KafkaSettings.DEFAULT_PARTITIONS
              + ")",
          "  --kafka-replication-factor <n>  its replicas, when the host creates it (default: "
              + KafkaSettings.DEFAULT_REPLICATION_FACTOR
              + ")",
          "  --kafka-properties <file>  a Java properties file passed to every Kafka client",
          "                      (security.protocol, sasl.*, ssl.*...; its values are never",
          "                      logged or printed)",
          "  --kafka-intake-first <on|off>  whether the journal's consumers rest while this",
          "                      node's intake journals a burst (default:",
          "                      $STREAMSPACE_KAFKA_INTAKE_FIRST, else on); off where the",
          "                      node has cores to spare",
          "  --switch-journal    move the database to --journal's journal when it is used",
          "                      with the other (each plugin goes on from the new journal's",
          "                      end); without it such a start is refused",
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

  /** Far more than a journal uses: a typo (an extra zero or two) is refused rather than made. */
  static final int MAX_PARTITIONS = 10_000;

  static final int MAX_REPLICATION_FACTOR = Short.MAX_VALUE;

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

  // the journal and the Kafka journal's settings: null when not given, the environment decides
  JournalKind journal;
  String kafkaBootstrap;
  String kafkaTopic;
  Integer kafkaPartitions;
  Short kafkaReplicationFactor;
  Path kafkaProperties;
  Boolean kafkaIntakeFirst;

  boolean switchJournal;
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
        case "--switch-journal" -> line.switchJournal = true;
        case "--debug" -> line.debug = true;
        case "--log-format" -> line.logFormat = logFormat(value(args, ++i, arg), arg);
        case "--port" -> line.port = port(value(args, ++i, arg));
        case "--host" -> line.host = value(args, ++i, arg);
        case "--db-url" -> line.dbUrl = value(args, ++i, arg);
        case "--plugins-dir" -> line.pluginsDir = Path.of(value(args, ++i, arg));
        case "--plugin-repository" -> line.pluginRepositories.add(value(args, ++i, arg));
        case "--data-dir" -> line.dataDir = Path.of(value(args, ++i, arg));
        case "--max-event-age-days" -> line.maxEventAge = days(value(args, ++i, arg), arg);
        case "--journal" -> line.journal = journal(value(args, ++i, arg), arg);
        case "--kafka-bootstrap" -> line.kafkaBootstrap = value(args, ++i, arg);
        case "--kafka-topic" -> line.kafkaTopic = value(args, ++i, arg);
        case "--kafka-partitions" ->
            line.kafkaPartitions = count(value(args, ++i, arg), arg, MAX_PARTITIONS);
        case "--kafka-replication-factor" ->
            line.kafkaReplicationFactor =
                (short) count(value(args, ++i, arg), arg, MAX_REPLICATION_FACTOR);
        case "--kafka-properties" -> line.kafkaProperties = Path.of(value(args, ++i, arg));
        case "--kafka-intake-first" -> line.kafkaIntakeFirst = onOff(value(args, ++i, arg), arg);
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

  private static boolean onOff(String text, String source) throws UsageException {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new UsageException(source + " must be on or off, got " + text);
    };
  }

  private static JournalKind journal(String text, String source) throws UsageException {
    try {
      return JournalKind.of(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException(source + " " + e.getMessage());
    }
  }

  private static int count(String text, String source, int max) throws UsageException {
    try {
      int count = Integer.parseInt(text.strip());
      if (count < 1 || count > max) {
        throw new NumberFormatException();
      }
      return count;
    } catch (NumberFormatException e) {
      throw new UsageException(source + " must be a number from 1 to " + max + ", got " + text);
    }
  }

  /**
   * The options, with the plugin repository defaulting to the one next to the running jar.
   *
   * @throws UsageException when the journal's options (or variables) do not make one
   */
  HostOptions toOptions() throws UsageException {
    return toOptions(System.getenv(), jarFolder());
  }

  /**
   * The options for this environment ({@code STREAMSPACE_PLUGIN_REPOSITORIES}, {@code
   * XDG_DATA_HOME}, {@code HOME}) and jar folder
   * (null when not run from a jar).
   *
   * @throws UsageException when the journal's options (or variables) do not make one
   */
  HostOptions toOptions(Map<String, String> environment, Path home) throws UsageException {
    Path data = dataDir != null ? dataDir : defaultDataDir(environment);
    // installed plugins are state, as the database that records them installed: they live
    // together, never in whatever folder the host ran from nor under a build's target folder
    Path plugins = pluginsDir != null ? pluginsDir : data.resolve("plugins");
    HostOptions.Builder options = HostOptions.builder();
    repositories(environment, home).forEach(options::pluginRepository);
    KafkaSettings kafka = kafkaSettings(environment);
    if (kafka != null) {
      options.kafkaJournal(kafka);
    }
    if (switchJournal) {
      options.switchJournal();
    }
    return options
        .port(port)
        .host(host(environment))
        .dbUrl(dbUrl)
        .pluginsDir(plugins)
        .dataDir(data)
        .maxEventAge(maxEventAge)
        .build();
  }

  /** {@code --journal}, else {@code STREAMSPACE_JOURNAL}, else the PostgreSQL journal. */
  JournalKind journal(Map<String, String> environment) throws UsageException {
    if (journal != null) {
      return journal;
    }
    String fromEnvironment = environment.getOrDefault(HostEnvironment.JOURNAL, "");
    return fromEnvironment.isBlank()
        ? JournalKind.POSTGRES
        : journal(fromEnvironment, HostEnvironment.JOURNAL);
  }

  /**
   * Where the Kafka journal is, from the {@code --kafka-*} options, else their variables, else
   * the defaults; null for the PostgreSQL journal, with which the options are refused (the
   * variables are left unread: a deployment may keep them and switch {@code STREAMSPACE_JOURNAL}).
   */
  KafkaSettings kafkaSettings(Map<String, String> environment) throws UsageException {
    if (journal(environment) != JournalKind.KAFKA) {
      String given = kafkaOptionGiven();
      if (given != null) {
        throw new UsageException(given + " is for the Kafka journal: add --journal kafka");
      }
      return null;
    }
    String bootstrap =
        kafkaBootstrap != null
            ? kafkaBootstrap
            : environment.getOrDefault(HostEnvironment.KAFKA_BOOTSTRAP, "");
    if (bootstrap.isBlank()) {
      throw new UsageException(
          "--journal kafka needs --kafka-bootstrap <host:port,...> (or "
              + HostEnvironment.KAFKA_BOOTSTRAP
              + ")");
    }
    String topic = kafkaTopic != null ? kafkaTopic : environment.get(HostEnvironment.KAFKA_TOPIC);
    if (topic == null || topic.isBlank()) {
      topic = KafkaSettings.DEFAULT_TOPIC;
    }
    int partitions =
        kafkaPartitions != null
            ? kafkaPartitions
            : fromEnvironment(
                environment,
                HostEnvironment.KAFKA_PARTITIONS,
                KafkaSettings.DEFAULT_PARTITIONS,
                MAX_PARTITIONS);
    short replicationFactor =
        kafkaReplicationFactor != null
            ? kafkaReplicationFactor
            : (short)
                fromEnvironment(
                    environment,
                    HostEnvironment.KAFKA_REPLICATION_FACTOR,
                    KafkaSettings.DEFAULT_REPLICATION_FACTOR,
                    MAX_REPLICATION_FACTOR);
    Path properties = kafkaProperties;
    String source = "--kafka-properties";
    if (properties == null
        && !environment.getOrDefault(HostEnvironment.KAFKA_PROPERTIES, "").isBlank()) {
      properties = Path.of(environment.get(HostEnvironment.KAFKA_PROPERTIES).strip());
      source = HostEnvironment.KAFKA_PROPERTIES;
    }
    String intakeFirst = environment.getOrDefault(HostEnvironment.KAFKA_INTAKE_FIRST, "");
    return new KafkaSettings(
        bootstrap.strip(),
        topic.strip(),
        partitions,
        replicationFactor,
        properties == null ? Map.of() : clientProperties(properties, source),
        kafkaIntakeFirst != null
            ? kafkaIntakeFirst
            : intakeFirst.isBlank() || onOff(intakeFirst, HostEnvironment.KAFKA_INTAKE_FIRST));
  }

  /** The first {@code --kafka-*} option given, or null. */
  private String kafkaOptionGiven() {
    if (kafkaBootstrap != null) {
      return "--kafka-bootstrap";
    }
    if (kafkaTopic != null) {
      return "--kafka-topic";
    }
    if (kafkaPartitions != null) {
      return "--kafka-partitions";
    }
    if (kafkaReplicationFactor != null) {
      return "--kafka-replication-factor";
    }
    if (kafkaProperties != null) {
      return "--kafka-properties";
    }
    return kafkaIntakeFirst != null ? "--kafka-intake-first" : null;
  }

  private static int fromEnvironment(
      Map<String, String> environment, String variable, int otherwise, int max)
      throws UsageException {
    String text = environment.getOrDefault(variable, "");
    return text.isBlank() ? otherwise : count(text, variable, max);
  }

  /** The Kafka clients' properties ({@link KafkaClientProperties}: no message quotes a value). */
  private static Map<String, String> clientProperties(Path file, String source)
      throws UsageException {
    try {
      return KafkaClientProperties.read(file);
    } catch (KafkaClientProperties.Unreadable e) {
      throw new UsageException(source + " " + file + " " + e.getMessage());
    }
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

package io.streamspace.benchmark;

import io.streamspace.host.catalog.DefaultRepositories;
import io.streamspace.host.journal.JournalKind;
import io.streamspace.host.journal.kafka.KafkaClientProperties;
import io.streamspace.host.journal.kafka.KafkaSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The command-line options of {@link BenchMain}. */
final class BenchCommandLine {

  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -jar benchmark/target/benchmark.jar [--size small|full] [--only w1,w2]",
          "                      [--plugin-repository <folder|url>]",
          "                      [--journal postgres|kafka] [--kafka-bootstrap <host:port,...>]",
          "                      [--kafka-partitions <n>] [--kafka-properties <file>]",
          "       java -jar benchmark/target/benchmark.jar --scale [--scale-sizes n1,n2]",
          "                      [--plot <file.png>] [--plugin-repository <folder|url>]",
          "Starts a host on an embedded PostgreSQL in a temporary folder (deleted at the end)",
          "with the billing plugin installed from the plugin repository, runs the workloads and",
          "prints one Markdown table (docs/benchmark.md).",
          "  --size <small|full> full measures the issue's targets (default), small is quick",
          "  --only <w1,w2>      only these workloads (intake, admission, heap, start...)",
          "  --journal <postgres|kafka>  the host's journal (default postgres); on kafka,",
          "                      intake's baseline is a raw producer to the same brokers",
          "  --kafka-bootstrap <host:port,...>  the Kafka brokers (default: one broker started",
          "                      in this JVM for the run); the run makes a topic of its own",
          "                      and deletes it at the end",
          "  --kafka-partitions <n>  the journal topic's partitions (default "
              + KafkaSettings.DEFAULT_PARTITIONS
              + ")",
          "  --kafka-properties <file>  a Java properties file passed to every Kafka client",
          "                      of the run, the host's and the raw producer's, as the host's",
          "                      --kafka-properties (security.protocol, sasl.*, ssl.*...; its",
          "                      values are never logged or printed)",
          "  --scale             how cost grows: invoicing, calculate-usage and the admin",
          "                      dashboard at each size, each on a fresh host; prints time per",
          "                      organization as a table and draws it in a PNG (docs/benchmark.md)",
          "  --scale-sizes <n1,n2>  the numbers of organizations (default 10000,100000,1000000)",
          "  --plot <file.png>   where --scale writes its plot (default benchmark-scale.png)",
          "  --plugin-repository <folder|url>  a plugin repository (pf4j-update's plugins.json),",
          "                      repeatable, asked in order (default: the comma-separated",
          "                      $STREAMSPACE_PLUGIN_REPOSITORIES, else plugin-repository/",
          "                      next to the jar)",
          "  --help              this text");

  /** Why the command line was refused. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  /** The host's variable of the same name (docs/operator-guide.md, "Host options"). */
  static final String REPOSITORIES_ENV = DefaultRepositories.ENVIRONMENT_VARIABLE;

  /** {@code --scale}'s sizes when none are given: the issue's. */
  static final List<Integer> SCALE_SIZES = List.of(10_000, 100_000, 1_000_000);

  BenchSize size = BenchSize.FULL;
  JournalKind journal = JournalKind.POSTGRES;

  /** The brokers given; null: one started in this JVM. */
  String kafkaBootstrap;

  /** The journal topic's partitions given; null: {@link KafkaSettings#DEFAULT_PARTITIONS}. */
  Integer kafkaPartitions;

  /** The file of the Kafka clients' properties given; null: none. */
  Path kafkaPropertiesFile;

  /** The Kafka clients' properties read from it (secrets among them: never printed). */
  Map<String, String> kafkaClientProperties = Map.of();

  boolean scale;
  List<Integer> scaleSizes = SCALE_SIZES;
  Path plot = Path.of("benchmark-scale.png");
  final List<String> only = new ArrayList<>();
  final List<String> pluginRepositories = new ArrayList<>();
  boolean help;

  static BenchCommandLine parse(String[] args) throws UsageException {
    BenchCommandLine line = new BenchCommandLine();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--help", "-h" -> line.help = true;
        case "--size" -> line.size = size(value(args, ++i, arg));
        case "--only" -> line.only.addAll(List.of(value(args, ++i, arg).split(",")));
        case "--plugin-repository" -> line.pluginRepositories.add(value(args, ++i, arg));
        case "--journal" -> line.journal = journal(value(args, ++i, arg));
        case "--kafka-bootstrap" -> line.kafkaBootstrap = value(args, ++i, arg);
        case "--kafka-partitions" -> line.kafkaPartitions = partitions(value(args, ++i, arg));
        case "--kafka-properties" -> {
          line.kafkaPropertiesFile = Path.of(value(args, ++i, arg));
          line.kafkaClientProperties = clientProperties(line.kafkaPropertiesFile);
        }
        case "--scale" -> line.scale = true;
        case "--scale-sizes" -> line.scaleSizes = sizes(value(args, ++i, arg));
        case "--plot" -> line.plot = Path.of(value(args, ++i, arg));
        default ->
            throw new UsageException(
                "the benchmark takes --size, --only, --journal, --kafka-bootstrap,"
                    + " --kafka-partitions, --kafka-properties, --scale, --scale-sizes, --plot and"
                    + " --plugin-repository, not "
                    + arg);
      }
    }
    if (line.scale && !line.only.isEmpty()) {
      throw new UsageException("--scale runs its own workloads: --only does not apply");
    }
    if (line.scale && line.journal != JournalKind.POSTGRES) {
      throw new UsageException("--scale runs on the PostgreSQL journal: --journal does not apply");
    }
    boolean kafkaOptions =
        line.kafkaBootstrap != null
            || line.kafkaPartitions != null
            || line.kafkaPropertiesFile != null;
    if (kafkaOptions && line.journal != JournalKind.KAFKA) {
      throw new UsageException("--kafka-* options are for the Kafka journal: add --journal kafka");
    }
    return line;
  }

  /** Distinct positive whole numbers, in increasing order. */
  private static List<Integer> sizes(String text) throws UsageException {
    List<Integer> sizes = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      int size;
      try {
        size = Integer.parseInt(part.strip());
      } catch (NumberFormatException e) {
        size = 0;
      }
      if (size <= 0 || (!sizes.isEmpty() && size <= sizes.get(sizes.size() - 1))) {
        throw new UsageException(
            "--scale-sizes takes increasing numbers of organizations, e.g. 1000,10000; got "
                + text);
      }
      sizes.add(size);
    }
    return List.copyOf(sizes);
  }

  private static JournalKind journal(String text) throws UsageException {
    try {
      return JournalKind.of(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--journal " + e.getMessage());
    }
  }

  private static int partitions(String text) throws UsageException {
    try {
      int partitions = Integer.parseInt(text);
      if (partitions >= 1) {
        return partitions;
      }
    } catch (NumberFormatException e) {
      // told below
    }
    throw new UsageException("--kafka-partitions takes a whole number of at least 1, got " + text);
  }

  private static Map<String, String> clientProperties(Path file) throws UsageException {
    try {
      return KafkaClientProperties.read(file);
    } catch (KafkaClientProperties.Unreadable e) {
      throw new UsageException("--kafka-properties " + file + " " + e.getMessage());
    }
  }

  private static BenchSize size(String text) throws UsageException {
    try {
      return BenchSize.of(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--size must be small or full, got " + text);
    }
  }

  private static String value(String[] args, int index, String option) throws UsageException {
    if (index >= args.length || args[index].startsWith("--")) {
      throw new UsageException(option + " needs a value");
    }
    return args[index];
  }

  /** The journal topic's partitions: those given, else the host's default. */
  int kafkaPartitions() {
    return kafkaPartitions == null ? KafkaSettings.DEFAULT_PARTITIONS : kafkaPartitions;
  }

  /** The plugin repositories, defaulting as the host's own command line does. */
  List<String> pluginRepositories() {
    return pluginRepositories(System.getenv(), jarFolder());
  }

  /**
   * The command line's repositories, else the environment's, else the build's repository next to
   * the jar ({@code benchmark/target/plugin-repository/}) when there is one.
   *
   * @param home the folder holding the running jar, null when not run from a jar
   */
  List<String> pluginRepositories(Map<String, String> environment, Path home) {
    return DefaultRepositories.choose(pluginRepositories, environment, home);
  }

  /** The folder holding the running jar, or null when not run from a jar. */
  private static Path jarFolder() {
    return DefaultRepositories.jarFolderOf(BenchMain.class);
  }
}

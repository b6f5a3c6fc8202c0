package io.streamspace.benchmark;

import io.streamspace.host.catalog.DefaultRepositories;
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
          "Starts a host on an embedded PostgreSQL in a temporary folder (deleted at the end)",
          "with the billing plugin installed from the plugin repository, runs the workloads and",
          "prints one Markdown table (README, Benchmark).",
          "  --size <small|full> full measures the issue's targets (default), small is quick",
          "  --only <w1,w2>      only these workloads (intake, admission, heap, start...)",
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

  /** The host's variable of the same name (README, "Host options"). */
  static final String REPOSITORIES_ENV = DefaultRepositories.ENVIRONMENT_VARIABLE;

  BenchSize size = BenchSize.FULL;
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
        default ->
            throw new UsageException(
                "the benchmark takes --size, --only and --plugin-repository, not " + arg);
      }
    }
    return line;
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

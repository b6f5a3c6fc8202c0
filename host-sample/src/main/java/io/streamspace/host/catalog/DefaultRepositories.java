package io.streamspace.host.catalog;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Which plugin repositories a command reads when it is told none or some: the one rule of the
 * host's command line and the benchmark's, so both find the build's repository the same way.
 */
public final class DefaultRepositories {

  /** Plugin repositories, comma-separated, when the command line names none. */
  public static final String ENVIRONMENT_VARIABLE = "STREAMSPACE_PLUGIN_REPOSITORIES";

  private DefaultRepositories() {}

  /**
   * The command line's repositories, else the environment's, else the build's {@code
   * plugin-repository/} next to the jar when there is one.
   *
   * @param home the folder holding the running jar, null when not run from a jar
   */
  public static List<String> choose(
      List<String> fromCommandLine, Map<String, String> environment, Path home) {
    if (!fromCommandLine.isEmpty()) {
      return List.copyOf(fromCommandLine);
    }
    String fromEnvironment = environment.getOrDefault(ENVIRONMENT_VARIABLE, "");
    if (!fromEnvironment.isBlank()) {
      return Arrays.stream(fromEnvironment.split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .toList();
    }
    if (home != null && Files.isDirectory(home.resolve("plugin-repository"))) {
      return List.of(home.resolve("plugin-repository").toString());
    }
    return List.of();
  }

  /** The folder holding the jar {@code main} runs from, or null when not run from a jar. */
  public static Path jarFolderOf(Class<?> main) {
    try {
      Path location = Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI());
      return Files.isRegularFile(location) ? location.getParent() : null;
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      return null;
    }
  }
}

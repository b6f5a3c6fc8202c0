package io.streamspace.host.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The billing plugin zip that {@code mvn package} copies into {@code target/test-plugins/} for the
 * tests (the host's own plugins folder is left empty: the host installs from the repository the
 * build publishes).
 */
public final class PackagedPlugin {
  private PackagedPlugin() {}

  public static final Path ZIP = Path.of("target", "test-plugins", "billing-plugin.zip");

  /**
   * Copies the packaged plugin zip into a fresh plugins folder (PF4J unpacks zips in place, so
   * each host gets its own folder).
   */
  public static Path copyInto(Path folder) throws IOException {
    if (!Files.isRegularFile(ZIP)) {
      throw new IllegalStateException(
          "no plugin zip " + ZIP.toAbsolutePath() + "; run mvn package");
    }
    Files.createDirectories(folder);
    Files.copy(ZIP, folder.resolve(ZIP.getFileName()));
    return folder;
  }
}

package io.streamspace.host.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The billing plugin zip that {@code mvn package} put in {@code target/plugins/}. */
public final class PackagedPlugin {
  private PackagedPlugin() {}

  /**
   * Copies the packaged plugin zips into a fresh plugins folder (PF4J unpacks zips in place, so
   * each host gets its own folder).
   */
  public static Path copyInto(Path folder) throws IOException {
    Path source = Path.of("target", "plugins");
    Files.createDirectories(folder);
    int copied = 0;
    try (var zips = Files.newDirectoryStream(source, "*.zip")) {
      for (Path zip : zips) {
        Files.copy(zip, folder.resolve(zip.getFileName()));
        copied++;
      }
    }
    if (copied == 0) {
      throw new IllegalStateException(
          "no plugin zip in " + source.toAbsolutePath() + "; run mvn package");
    }
    return folder;
  }
}

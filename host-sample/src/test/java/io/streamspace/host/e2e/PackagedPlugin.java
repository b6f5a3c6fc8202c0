package io.streamspace.host.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.pf4j.util.FileUtils;

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

  /** Where the one expansion of the zip per test JVM is made: target/, never the system's. */
  private static final Path EXPANDED_IN = Path.of("target", "packaged-billing");

  private static Path expansion;

  /**
   * Copies the packaged plugin zip into a fresh plugins folder as {@link #copyInto} does, with the
   * folder PF4J expands it into there already, as a restarted host finds it: PF4J expands a zip
   * only when no folder at least as new is beside it. Expanding its 1,446 files took one to two
   * seconds of each host's start on a loaded machine; here the folder's files are hard links to
   * one expansion per test JVM (copies where the file system refuses a link). For tests of what a
   * started host does, not of a zip dropped into its folder the first time.
   */
  public static Path copyExpandedInto(Path folder) throws IOException {
    copyInto(folder);
    Path expanded = expansion();
    Path target = folder.resolve(expanded.getFileName().toString());
    List<Path> files;
    try (Stream<Path> walk = Files.walk(expanded)) {
      files = walk.toList(); // each folder before what it holds
    }
    for (Path source : files) {
      Path copy = target.resolve(expanded.relativize(source).toString());
      if (Files.isDirectory(source)) {
        Files.createDirectories(copy);
      } else {
        link(copy, source);
      }
    }
    return folder;
  }

  /**
   * Whether a link was refused once: target/ and the tests' temporary folder are on two file
   * systems when that is in memory (the parent pom's tests-tmpdir), and a copy in memory costs
   * about what a link does; trying again for each of 1,446 files would cost an exception each.
   */
  private static volatile boolean linksRefused;

  private static void link(Path copy, Path source) throws IOException {
    if (!linksRefused) {
      try {
        Files.createLink(copy, source);
        return;
      } catch (UnsupportedOperationException | IOException e) {
        linksRefused = true;
      }
    }
    Files.copy(source, copy);
  }

  /** The zip expanded by PF4J's own code, once per test JVM. */
  private static synchronized Path expansion() throws IOException {
    if (expansion == null) {
      Path folder = Files.createDirectories(EXPANDED_IN.resolve(UUID.randomUUID().toString()));
      expansion = FileUtils.expandIfZip(copyInto(folder).resolve(ZIP.getFileName()));
    }
    return expansion;
  }
}

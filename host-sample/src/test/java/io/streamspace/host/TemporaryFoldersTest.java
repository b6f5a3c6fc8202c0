package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The tests' temporary folders are JUnit's {@code @TempDir}s, deleted when their test or class is
 * done, passed or failed: folders made by hand in the system's temporary folder and never deleted
 * (each host test's copies of the 28 MB plugin zip and its data) filled a developer's disk with
 * 47 GB over a few sessions.
 */
class TemporaryFoldersTest {

  /** A temporary folder or file made in the system's temporary folder (a name prefix first). */
  private static final Pattern IN_THE_SYSTEMS_TEMPORARY_FOLDER =
      Pattern.compile("Files\\.createTemp(Directory|File)\\(\\s*\"");

  /** The test sources that do so and delete what they made (in a finally block, or on close). */
  private static final Set<String> DELETING_IN_FINALLY =
      Set.of(
          "TestRepository.java", // each rebuilt zip, once published
          "KafkaBrokers.java", // its brokers' folder, which Kafka's kit deletes as it closes
          "JournalBenchmark.java"); // its PostgreSQL's folder, as its main() ends

  @Test
  void noTestSourceMakesATemporaryFolderOutsideJUnitsTempDir_butThoseThatDeleteInFinally()
      throws IOException {
    // Surefire runs in the module's folder; the repository's modules are beside it
    Path repository = Path.of("..").toAbsolutePath().normalize();
    List<Path> sources;
    try (Stream<Path> files = Files.walk(repository, 1)) {
      sources =
          files
              .map(module -> module.resolve("src").resolve("test").resolve("java"))
              .filter(Files::isDirectory)
              .flatMap(TemporaryFoldersTest::javaFiles)
              .toList();
    }
    assertTrue(
        sources.stream().anyMatch(s -> s.endsWith("BillingHostTestBase.java")),
        "the host's test sources are among those read: " + repository);

    List<String> making =
        sources.stream()
            .filter(source -> IN_THE_SYSTEMS_TEMPORARY_FOLDER.matcher(read(source)).find())
            .map(source -> source.getFileName().toString())
            .filter(name -> !DELETING_IN_FINALLY.contains(name))
            .sorted()
            .toList();
    assertEquals(List.of(), making, "make it a @TempDir, which JUnit deletes");
  }

  private static Stream<Path> javaFiles(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(f -> f.toString().endsWith(".java")).toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path source) {
    try {
      return Files.readString(source);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

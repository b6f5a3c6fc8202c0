package io.streamspace.common.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README is a door: short, with the two commands a new user runs (the host with its demo,
 * and the tests CI runs through {@code .ci/run}), and links into docs/ for the rest.
 */
class ReadmeTest {

  private static final Path TREE = Path.of("..");

  static final String RUN =
      "mvn -B -ntp package -DskipTests && java -jar host-sample/target/host-sample.jar --demo";
  static final String TEST = "mvn -B verify";

  @Test
  void theReadmeHasAtMost200Lines() throws IOException {
    List<String> lines = Files.readAllLines(TREE.resolve("README.md"));

    assertTrue(lines.size() <= 200, "README.md has " + lines.size() + " lines");
  }

  @Test
  void theReadmeShowsTheTwoCommands_andCiRunsTheSecond() throws IOException {
    List<String> readme = Files.readAllLines(TREE.resolve("README.md"));
    List<String> ci = Files.readAllLines(TREE.resolve(".ci/run"));

    assertTrue(readme.contains(RUN), "the run command, on a line of its own");
    assertTrue(readme.contains(TEST), "the test command, on a line of its own");
    assertTrue(ci.stream().anyMatch(line -> line.startsWith(TEST + " ")), ".ci/run runs " + TEST);
  }

  @Test
  void theReadmeLinksEveryPageOfTheDocs() throws IOException {
    String readme = Files.readString(TREE.resolve("README.md"));
    List<String> unlinked;
    try (var pages = Files.walk(TREE.resolve("docs"))) {
      unlinked =
          pages
              .filter(page -> page.toString().endsWith(".md"))
              .map(page -> TREE.relativize(page).toString().replace('\\', '/'))
              .filter(page -> !page.equals("docs/README.md"))
              .filter(page -> !readme.contains("(" + page + ")"))
              .filter(page -> !linkedFromTheIndex(page))
              .sorted()
              .toList();
    }

    assertTrue(
        unlinked.isEmpty(), "docs pages neither the README nor docs/README.md links: " + unlinked);
  }

  private static boolean linkedFromTheIndex(String page) {
    try {
      String index = Files.readString(TREE.resolve("docs/README.md"));
      return index.contains("(" + page.substring("docs/".length()) + ")");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

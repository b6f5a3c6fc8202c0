package io.streamspace.common.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.common.docs.MarkdownLinks.Broken;
import io.streamspace.common.docs.MarkdownLinks.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The repository's own pages: every relative link and {@code #anchor} of README.md,
 * BENCHMARKS.md and docs/ resolves (docs/contributing.md, "The docs checks").
 */
class DocsLinksTest {

  /** Maven runs common's tests in common/, so the repository is one folder up. */
  private static final Path TREE = Path.of("..");

  @Test
  void everyRelativeLinkAndAnchorOfTheReadmeAndTheDocsResolves() {
    assertTrue(Files.isRegularFile(TREE.resolve("README.md")), "run from common/");
    List<Path> pages = new ArrayList<>(List.of(Path.of("README.md"), Path.of("BENCHMARKS.md")));
    List<Path> docs = MarkdownLinks.pagesUnder(TREE, Path.of("docs"));
    assertTrue(docs.contains(Path.of("docs", "architecture.md")), () -> "docs/ read: " + docs);
    pages.addAll(docs);

    Report report = MarkdownLinks.check(TREE, pages);

    assertEquals(
        "",
        report.broken().stream().map(Broken::toString).collect(Collectors.joining("\n")),
        "links that lead nowhere, by page and line");
    assertTrue(report.links() > 0, "some relative links checked");
  }
}

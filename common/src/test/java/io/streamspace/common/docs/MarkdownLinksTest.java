package io.streamspace.common.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.common.docs.MarkdownLinks.Broken;
import io.streamspace.common.docs.MarkdownLinks.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarkdownLinksTest {

  @TempDir Path tree;

  @BeforeEach
  void aGuideWithHeadingsAndAnImage() throws IOException {
    write(
        "docs/guide.md",
        """
        # Guide

        ## First steps

        ## First steps

        ### The `billing_` tables (and *more*)!

        <a id="by-hand"></a>
        Back to [the top](../README.md#project), [again](#first-steps-1),
        [tables](#the-billing_-tables-and-more) and [by hand](#by-hand).

        ```markdown
        # Not a heading, in a fence
        ```
        """);
    write("docs/images/logo.png", "not really a PNG");
  }

  @Test
  void aTreeWhoseLinksAllResolvePassesAndCountsWhatItChecked() throws IOException {
    write(
        "README.md",
        """
        # Project

        See [the guide](docs/guide.md#first-steps), [its folder](docs/) and
        [its own page](/docs/guide.md#by-hand).

        ![The logo](docs/images/logo.png) [![badge](docs/images/logo.png)](#project)
        <img src="docs/images/logo.png" alt="logo">

        [External](https://example.com/nowhere.md), <https://example.com>, [mail](mailto:a@b.c).
        """);

    Report report = check("README.md", "docs/guide.md");

    assertEquals(List.of(), report.broken());
    assertEquals(11, report.links(), "7 in the README, 4 in the guide; the 3 external ones not");
    assertEquals(7, report.anchors());
  }

  @Test
  void aMissingFileAMissingImageAndAnAnchorNamingNoHeadingAreEachReportedWhereTheyAre()
      throws IOException {
    write(
        "README.md",
        """
        # Project

        See [the guide](docs/guide.md#first-steps) and [the FAQ](docs/faq.md).
        ![A screenshot](docs/images/screen.png)

        [Setup](docs/guide.md#setup), [here](#nowhere) and [the third](docs/guide.md#first-steps-2).
        """);

    Report report = check("README.md", "docs/guide.md");

    assertEquals(
        List.of(
            new Broken("README.md", 3, "docs/faq.md", "no file docs/faq.md"),
            new Broken("README.md", 4, "docs/images/screen.png", "no image docs/images/screen.png"),
            new Broken("README.md", 6, "docs/guide.md#setup", "no anchor #setup in docs/guide.md"),
            new Broken("README.md", 6, "#nowhere", "no anchor #nowhere in README.md"),
            new Broken(
                "README.md",
                6,
                "docs/guide.md#first-steps-2",
                "no anchor #first-steps-2 in docs/guide.md")),
        report.broken());
    assertEquals(
        "README.md:3: (docs/faq.md) no file docs/faq.md", report.broken().get(0).toString());
  }

  @Test
  void linksInCodeBlocksInlineCodeAndCommentsAreNotLinks() throws IOException {
    write(
        "README.md",
        """
        # Project

        Written as `[text](missing.md)`, or ``a `[tick](missing.md)` inside``.

        ```bash
        echo "[fenced](missing.md)"
        ```

        ~~~
        ![fenced image](missing.png)
        ~~~

        <!-- [commented out](missing.md) -->
        And a `backtick alone, then [a real one](missing.md).
        """);

    Report report = check("README.md");

    assertEquals(
        List.of(new Broken("README.md", 14, "missing.md", "no file missing.md")), report.broken());
    assertEquals(1, report.links());
  }

  @Test
  void headingsGetGitHubsSlugs() {
    assertEquals(
        "signing-in-with-the-platforms-tokens",
        MarkdownLinks.slug("Signing in with the platform's tokens"));
    assertEquals(
        "billing-plugin-apipluginsbilling",
        MarkdownLinks.slug("Billing plugin (`/api/plugins/billing/...`)"));
    assertEquals("money-and-rounding", MarkdownLinks.slug("Money and **rounding**"));
    assertEquals("see-the-guide", MarkdownLinks.slug("See [the guide](guide.md)"));
    assertEquals("a--b", MarkdownLinks.slug("A & B"));
    assertEquals("snake_case-and-kebab-case", MarkdownLinks.slug("snake_case and kebab-case"));
    assertEquals("đồng-việt-nam", MarkdownLinks.slug("Đồng Việt Nam"));
  }

  @Test
  void repeatedHeadingsAreNumberedAndExplicitAnchorsCount() {
    Set<String> anchors =
        MarkdownLinks.anchorsOf(
            """
            # Tests
            ## Tests
            Setext heading
            ==============
            ## Tests ##
            <a name="kept"></a> `<a id="in-code"></a>`
            ```
            ## In a fence
            ```
            """);

    assertEquals(Set.of("tests", "tests-1", "setext-heading", "tests-2", "kept"), anchors);
  }

  @Test
  void aLongParagraphWithABracketNeverClosedIsReadWithoutOverflowingTheStack() throws IOException {
    // The API reference has paragraphs of JSON thousands of characters long: a link text read
    // one character at a time by backtracking once overflowed the stack on them.
    write("README.md", "[" + "a".repeat(200_000) + " and [the guide](docs/guide.md)\n");

    Report report = check("README.md");

    assertEquals(List.of(), report.broken());
    assertEquals(1, report.links());
  }

  private Report check(String... pages) {
    return MarkdownLinks.check(tree, List.of(pages).stream().map(Path::of).toList());
  }

  private void write(String page, String text) throws IOException {
    Path file = tree.resolve(page);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}

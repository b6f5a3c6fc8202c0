package io.streamspace.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A block of a hand-written page that the build generates, between two marker lines: {@code
 * <!-- generated from X: do not edit by hand -->} and {@code <!-- end of generated block -->}.
 * A test renders the block from its one source (the config keys, the API description) and calls
 * {@link #assertCurrent}: when the page's block differs, the page is rewritten with the new block
 * and the test fails saying so, so the build fails on a stale page and the developer commits the
 * rewritten one. The text around the block is never touched.
 */
public final class GeneratedBlock {

  /** The line that ends every generated block. */
  public static final String END = "<!-- end of generated block -->";

  private final Path page;
  private final String begin;

  /**
   * @param page the Markdown page, relative to the module the test runs in ({@code
   *     ../docs/reference/api.md})
   * @param begin the marker line that opens the block, as the page has it
   */
  public GeneratedBlock(Path page, String begin) {
    this.page = page;
    this.begin = begin;
  }

  /** The block as the page holds it now, without the marker lines. */
  public String current() {
    String text = read();
    int start = start(text);
    return text.substring(start, text.indexOf(END, start));
  }

  /**
   * Checks that the page's block is {@code rendered}; if not, writes it into the page and fails
   * naming the page, which is then current (a second run passes).
   */
  public void assertCurrent(String rendered) {
    String body = rendered.endsWith("\n") ? rendered : rendered + "\n";
    String text = read();
    int start = start(text);
    int end = text.indexOf(END, start);
    if (text.substring(start, end).equals(body)) {
      return;
    }
    String rewritten = text.substring(0, start) + body + text.substring(end);
    try {
      Files.writeString(page, rewritten, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new AssertionError(
        page.normalize()
            + " was stale: its generated block has been rewritten from its source. Commit the"
            + " rewritten page (it is current now, so the next run passes); edit the text outside"
            + " the block, never inside it.");
  }

  /** Where the block's text starts: after the begin marker's line. */
  private int start(String text) {
    int marker = text.indexOf(begin + "\n");
    if (marker < 0 || text.indexOf(END, marker) < 0) {
      throw new AssertionError(
          page.normalize() + " lacks its generated block: a line " + begin + ", then " + END);
    }
    return marker + begin.length() + 1;
  }

  private String read() {
    try {
      return Files.readString(page, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError("the page is read from " + page.toAbsolutePath(), e);
    }
  }
}

package io.streamspace.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratedBlockTest {

  private static final String BEGIN = "<!-- generated from the keys: do not edit by hand -->";

  @Test
  void aStaleBlockIsRewrittenAndFailsOnce_thenPasses_andTheTextAroundItIsKept(@TempDir Path dir)
      throws Exception {
    Path page = dir.resolve("page.md");
    Files.writeString(
        page,
        "# Head\n\nHand-written.\n\n" + BEGIN + "\nold row\n" + GeneratedBlock.END + "\n\nTail.\n");
    GeneratedBlock block = new GeneratedBlock(page, BEGIN);

    AssertionError stale = assertThrows(AssertionError.class, () -> block.assertCurrent("new row"));

    assertTrue(stale.getMessage().contains("page.md was stale"), stale.getMessage());
    assertEquals(
        "# Head\n\nHand-written.\n\n" + BEGIN + "\nnew row\n" + GeneratedBlock.END + "\n\nTail.\n",
        Files.readString(page));
    block.assertCurrent("new row");
    assertEquals("new row\n", block.current());
  }

  @Test
  void aPageWithoutItsMarkersFailsWithoutBeingWritten(@TempDir Path dir) throws Exception {
    Path page = dir.resolve("page.md");
    Files.writeString(page, "# Head\n\nno block\n");

    AssertionError missing =
        assertThrows(
            AssertionError.class, () -> new GeneratedBlock(page, BEGIN).assertCurrent("row"));

    assertTrue(missing.getMessage().contains("lacks its generated block"), missing.getMessage());
    assertEquals("# Head\n\nno block\n", Files.readString(page));
  }
}

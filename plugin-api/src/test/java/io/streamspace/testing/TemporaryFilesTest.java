package io.streamspace.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test JVMs' temporary folder, as the parent pom's {@code tests-tmpdir} chooses it: in memory
 * when there is room, or the folder {@code -Dtests.tmpdir} names.
 */
class TemporaryFilesTest {

  private static final Path SHARED_MEMORY = Path.of("/dev/shm");
  private static final Path IN_MEMORY = SHARED_MEMORY.resolve("streamspace-tests");
  private static final long FOUR_GB = 4L << 30;

  @TempDir Path folder;

  @Test
  void theTestsTemporaryFolder_isInMemory_whenTheMachineHasFourGigabytesFreeThere()
      throws Exception {
    Path temporary = Path.of(System.getProperty("java.io.tmpdir"));
    // Maven passes a -D of its command line on to the test JVMs
    String named = System.getProperty("tests.tmpdir");
    if (named != null) {
      assertEquals(Path.of(named), temporary);
    } else if (Files.isDirectory(SHARED_MEMORY)
        && Files.getFileStore(SHARED_MEMORY).getUsableSpace() >= FOUR_GB) {
      assertEquals(IN_MEMORY, temporary);
    } else {
      assertNotEquals(IN_MEMORY, temporary);
    }
    assertEquals(temporary, folder.getParent(), "JUnit's @TempDir is made there too");
  }
}

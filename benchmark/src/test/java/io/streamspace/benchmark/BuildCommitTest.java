package io.streamspace.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commit the build records for the bench command's table. */
class BuildCommitTest {

  @Test
  void aCheckoutGivesItsShortCommitAndAFolderOutsideGitGivesUnknown(@TempDir Path outside) {
    String commit = BuildCommit.commit(Path.of("").toAbsolutePath());
    assertTrue(commit.matches("[0-9a-f]{7,}(-dirty)?|unknown"), commit);
    assertEquals("unknown", BuildCommit.commit(outside));
  }
}

package io.streamspace.common;

import io.streamspace.testing.ClassSizes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shared helpers' classes stay small, or say why not ({@link ClassSizes}). */
class ClassSizeTest {

  @Test
  void noMainClassIsOver500LinesOr30ImportsWithoutSayingWhy() {
    ClassSizes.assertExplained(Path.of("src/main/java"));
  }
}

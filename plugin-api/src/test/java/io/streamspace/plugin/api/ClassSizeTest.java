package io.streamspace.plugin.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.testing.ClassSizes;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract's classes stay small, or say why not ({@link ClassSizes}). */
class ClassSizeTest {

  @Test
  void noMainClassIsOver500LinesOr30ImportsWithoutSayingWhy() {
    assertEquals(
        List.of(),
        ClassSizes.unexplained(Path.of("src/main/java")),
        "classes over 500 lines or 30 imports whose javadoc does not say \"One class because\"");
  }
}

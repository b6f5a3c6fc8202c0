package io.streamspace.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassSizesTest {

  @TempDir Path sources;

  /** Writes {@code a/b/Name.java} with its imports, javadoc and enough lines for {@code lines}. */
  private void write(String name, int imports, String javadoc, int lines) throws IOException {
    StringBuilder text = new StringBuilder("package a.b;\n\n");
    for (int i = 0; i < imports; i++) {
      text.append("import java.util.List").append(i).append(";\n");
    }
    text.append("\n").append(javadoc).append("public final class ").append(name).append(" {\n");
    long written = text.toString().lines().count();
    for (long i = written; i < lines - 1; i++) {
      text.append("  // line ").append(i + 1).append('\n');
    }
    text.append("}\n");
    Path folder = sources.resolve("a/b");
    Files.createDirectories(folder);
    Files.writeString(folder.resolve(name + ".java"), text);
    assertEquals(lines, Files.readString(folder.resolve(name + ".java")).lines().count());
  }

  @Test
  void aClassOf500LinesAnd30ImportsPasses() throws IOException {
    write("Small", 30, "/** Small. */\n", 500);

    assertEquals(List.of(), ClassSizes.unexplained(sources));
  }

  @Test
  void aClassOf501LinesFailsNamingItsFileAndSizes() throws IOException {
    write("Big", 2, "/** Big, for no stated reason. */\n", 501);
    write("Small", 2, "", 20);

    assertEquals(List.of("a/b/Big.java: 501 lines, 2 imports"), ClassSizes.unexplained(sources));
  }

  @Test
  void aClassOf31ImportsFails() throws IOException {
    write("Wide", 31, "/** Wide. */\n", 60);

    assertEquals(List.of("a/b/Wide.java: 60 lines, 31 imports"), ClassSizes.unexplained(sources));
  }

  @Test
  void theSameClassesPassWithTheMarkerInTheirJavadoc_evenBrokenAcrossLines() throws IOException {
    write(
        "Big",
        2,
        "/**\n * Big.\n *\n * <p>One class because its steps share one lock.\n */\n",
        501);
    write(
        "Wide",
        31,
        "/**\n * Wide. One class\n * because it wires every feature.\n */\n@Deprecated\n",
        60);

    assertEquals(List.of(), ClassSizes.unexplained(sources));
  }

  @Test
  void theMarkerCountsOnlyInTheClassJavadoc() throws IOException {
    write("Big", 2, "// One class because a line comment says so\n/** Big. */\n", 501);

    assertEquals(List.of("a/b/Big.java: 501 lines, 2 imports"), ClassSizes.unexplained(sources));
  }

  @Test
  void theAssertionFailsNamingTheClasses_andPassesOnceEachSaysWhy() throws IOException {
    write("Big", 2, "/** Big. */\n", 501);

    AssertionError failure =
        assertThrows(AssertionError.class, () -> ClassSizes.assertExplained(sources));
    assertEquals(
        "classes over 500 lines or 30 imports whose javadoc does not say \"One class because\":"
            + " [a/b/Big.java: 501 lines, 2 imports]",
        failure.getMessage());
    write("Big", 2, "/** Big. One class because it must be. */\n", 501);
    ClassSizes.assertExplained(sources);
  }
}

package io.streamspace.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The classes of one module's sources that are over {@link #MAX_LINES} lines or {@link
 * #MAX_IMPORTS} imports without a sentence in their javadoc saying why they must be one class
 * (one that starts with {@link #MARKER}), read from the {@code .java} files as text, so that a
 * module's {@code ClassSizeTest} can fail the build naming them. A class that grew past either
 * bound has usually taken on a second job; splitting it along its jobs, or saying why they belong
 * together, keeps it readable.
 */
public final class ClassSizes {

  /** The most lines a class's file has without saying why. */
  public static final int MAX_LINES = 500;

  /** The most imports a class's file has without saying why. */
  public static final int MAX_IMPORTS = 30;

  /** How the sentence saying why a class must stay one begins, in its javadoc. */
  public static final String MARKER = "One class because";

  private static final Pattern IMPORT = Pattern.compile("(?m)^import\\s");

  // the first top-level type of the file: its javadoc is the last one before it
  private static final Pattern TYPE =
      Pattern.compile(
          "(?m)^(?:@\\w+(?:\\([^)]*\\))?\\s+)*(?:(?:public|final|abstract|sealed|non-sealed"
              + "|strictfp)\\s+)*(?:class|interface|enum|record|@interface)\\s");

  // a javadoc's line breaks and leading stars, read as one space
  private static final Pattern JAVADOC_BREAK = Pattern.compile("\\s*\\n\\s*\\*?\\s*");

  private ClassSizes() {}

  /**
   * Every {@code .java} file under {@code sourceRoot} over either bound whose class javadoc lacks
   * the {@link #MARKER}, as {@code "a/b/Big.java: 501 lines, 12 imports"}, in path order; empty
   * when there is none.
   */
  public static List<String> unexplained(Path sourceRoot) {
    try (Stream<Path> files = Files.walk(sourceRoot)) {
      return files
          .filter(f -> f.toString().endsWith(".java"))
          .sorted()
          .map(f -> unexplained(sourceRoot, f))
          .filter(found -> !found.isEmpty())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Fails naming every class {@link #unexplained} lists under {@code sourceRoot}. */
  public static void assertExplained(Path sourceRoot) {
    List<String> found = unexplained(sourceRoot);
    if (!found.isEmpty()) {
      throw new AssertionError(
          "classes over %d lines or %d imports whose javadoc does not say \"%s\": %s"
              .formatted(MAX_LINES, MAX_IMPORTS, MARKER, found));
    }
  }

  /** The file's line, or "" when it is within both bounds or says why it is not. */
  private static String unexplained(Path sourceRoot, Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long lines = text.lines().count();
    long imports = IMPORT.matcher(text).results().count();
    if ((lines <= MAX_LINES && imports <= MAX_IMPORTS) || saysWhy(text)) {
      return "";
    }
    return "%s: %d lines, %d imports".formatted(sourceRoot.relativize(file), lines, imports);
  }

  /** Whether the javadoc of the file's first top-level type holds the {@link #MARKER}. */
  static boolean saysWhy(String text) {
    Matcher type = TYPE.matcher(text);
    if (!type.find()) {
      return false;
    }
    String before = text.substring(0, type.start());
    int start = before.lastIndexOf("/**");
    int end = before.lastIndexOf("*/");
    if (start < 0 || end < start) {
      return false;
    }
    String javadoc = JAVADOC_BREAK.matcher(before.substring(start, end)).replaceAll(" ");
    return javadoc.contains(MARKER);
  }
}

package io.streamspace.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Run by the build (process-classes): writes the commit the classes are built from, with
 * "-dirty" when tracked files differ from it, or "unknown" outside git, into the file the
 * benchmark reads ({@link BenchMachine#commit()}).
 */
public final class BuildCommit {

  static final String UNKNOWN = "unknown";

  private BuildCommit() {}

  /** Arguments: the file to write, the folder of the checkout. */
  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]);
    Files.createDirectories(file.getParent());
    Files.writeString(file, commit(Path.of(args[1])) + "\n");
  }

  static String commit(Path folder) {
    try {
      Process head = git(folder, "rev-parse", "--short", "HEAD");
      String id = new String(head.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!head.waitFor(1, TimeUnit.MINUTES) || head.exitValue() != 0 || id.isEmpty()) {
        return UNKNOWN;
      }
      Process diff = git(folder, "diff", "--quiet", "HEAD");
      boolean dirty = diff.waitFor(1, TimeUnit.MINUTES) && diff.exitValue() == 1;
      return dirty ? id + "-dirty" : id;
    } catch (IOException e) {
      return UNKNOWN; // no git on this machine
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return UNKNOWN;
    }
  }

  private static Process git(Path folder, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .directory(folder.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }
}

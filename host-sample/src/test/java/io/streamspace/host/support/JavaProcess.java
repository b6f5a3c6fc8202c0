package io.streamspace.host.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A class's {@code main} run in a JVM of its own, on the tests' class path. */
public final class JavaProcess {

  private JavaProcess() {}

  /** {@code java -cp <the tests' class path> main args...}, not started yet. */
  public static ProcessBuilder of(Class<?> main, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    // surefire runs the tests from a jar whose manifest names the class path; it gives it here
    command.add(
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add(main.getName());
    command.addAll(args);
    return new ProcessBuilder(command);
  }
}

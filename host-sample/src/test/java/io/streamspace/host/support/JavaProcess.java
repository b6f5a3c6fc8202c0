package io.streamspace.host.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A class's {@code main} run in a JVM of its own, on the tests' class path. */
public final class JavaProcess {

  private JavaProcess() {}

  /**
   * {@code java} with the JIT's first tier only, as the test JVMs run (the module's pom): a host a
   * test starts as a process lives for seconds to a minute, and the second tier's compiler threads
   * spent the cores its nodes and their PostgreSQL wait for on code they run a few times. Measured
   * on KilledNodeIT, GenerateInvoicesKilledIT and CrashRecoveryIT together on a 2-core machine:
   * 145 s of the machine's CPU against 193 s, the three classes 138 s against 166 s.
   */
  public static List<String> java() {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1");
  }

  /** {@code java -cp <the tests' class path> main args...}, not started yet. */
  public static ProcessBuilder of(Class<?> main, List<String> args) {
    List<String> command = new ArrayList<>(java());
    command.add("-cp");
    // surefire runs the tests from a jar whose manifest names the class path; it gives it here
    command.add(
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add(main.getName());
    command.addAll(args);
    return new ProcessBuilder(command);
  }
}

package io.streamspace.host.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.Properties;

/** What the figures were measured on and built from, printed under the table. */
public final class BenchMachine {

  private BenchMachine() {}

  /** Cores, memory, OS and JVM of this machine. */
  public static String describe() {
    long memory =
        ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os
            ? os.getTotalMemorySize()
            : -1;
    return String.format(
        "%d cores, %s memory, %s %s (%s), Java %s (%s), max heap %,d MB",
        Runtime.getRuntime().availableProcessors(),
        memory < 0 ? "unknown" : String.format("%,d MB", memory >> 20),
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("os.arch"),
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"),
        Runtime.getRuntime().maxMemory() >> 20);
  }

  /** The commit the build recorded (git.properties), or "unknown" when built outside git. */
  public static String commit() {
    try (InputStream in = BenchMachine.class.getResourceAsStream("git.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties git = new Properties();
      git.load(in);
      String id = git.getProperty("git.commit.id.abbrev", "").trim();
      return id.isEmpty() ? "unknown" : id;
    } catch (IOException e) {
      return "unknown";
    }
  }
}

package io.streamspace.benchmark;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

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

  /** The commit the build recorded ({@link BuildCommit}), or "unknown". */
  public static String commit() {
    try (InputStream in = BenchMachine.class.getResourceAsStream("commit.txt")) {
      if (in == null) {
        return BuildCommit.UNKNOWN;
      }
      String id = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      return id.isEmpty() ? BuildCommit.UNKNOWN : id;
    } catch (IOException e) {
      return BuildCommit.UNKNOWN;
    }
  }
}

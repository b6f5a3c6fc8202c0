package io.streamspace.host.platform;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * What the host keeps in memory per session its intake saw ({@link SessionTracker}), measured as
 * a heap delta: the used heap after a full GC before and after tracking {@code sessions}
 * sessions with ids as long as the benchmark's (each id a string of its own, as intake parses
 * them). Not a test: nothing is asserted.
 *
 * <pre>
 * java -cp host-sample/target/test-classes:host-sample/target/host-sample.jar \
 *     io.streamspace.host.platform.SessionTrackerMemory [100000]
 * </pre>
 */
public final class SessionTrackerMemory {

  private SessionTrackerMemory() {}

  public static void main(String[] args) {
    int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    SessionTracker tracker = new SessionTracker((type, payload) -> {});
    long before = usedAfterGc();
    for (int i = 0; i < sessions; i++) {
      tracker.started("bench-heap-s" + i, "bench-heap-u" + i / 2);
    }
    long after = usedAfterGc();
    System.out.printf(
        "host SessionTracker: %d bytes per session (%,d tracked)%n",
        (after - before) / sessions, tracker.all().size());
  }

  private static long usedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    // twice: what the first releases through references is collected by the second
    memory.gc();
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }
}

package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The heap with many sessions open at once (opened through intake, two an account): the used
 * heap after a full GC (MemoryMXBean) of the whole JVM (host, plugin and the benchmark), next to
 * the same figure before they were opened. The sessions are ended afterwards (not measured).
 */
public final class HeapWorkload implements Workload {

  static final String NAME = "heap";
  private static final String PREFIX = "bench-heap-";
  private static final long TARGET_BYTES = 256L << 20;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    int sessions = context.size().pick(1_000, 100_000);
    BenchHttp http = new BenchHttp(context.baseUrl());
    EventSender sender = new EventSender(http, context.platformToken());
    int batches = sessions / EventSender.BATCH;
    long before = usedAfterGc();
    context.progress().line(String.format("%s: opening %,d sessions", NAME, sessions));
    long began = System.nanoTime();
    Instant now = Instant.now();
    EventSender.Sent opened = sender.send(batches, b -> sessions(b, now, false));
    http.awaitBillingCaughtUp();
    Duration opening = EventSender.since(began);
    if (opened.accepted() != sessions) {
      throw new IllegalStateException(
          String.format("%,d of %,d sessions opened", opened.accepted(), sessions));
    }
    long used = usedAfterGc();
    context
        .progress()
        .line(String.format("%s: %,d MB used, ending the sessions", NAME, used >> 20));
    sender.send(batches, b -> sessions(b, Instant.now(), true));
    http.awaitBillingCaughtUp();
    return List.of(
        BenchRows.timed(
            String.format(
                "heap: used after a full GC: %,d MB (%,d MB before the sessions; whole JVM)",
                used >> 20, before >> 20),
            String.format("%,d active sessions", sessions),
            opening,
            "≤ 256 MB",
            used <= TARGET_BYTES));
  }

  private static long usedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    // twice: objects finalized or released by references in the first are collected in the second
    memory.gc();
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static List<ObjectNode> sessions(int b, Instant at, boolean end) {
    List<ObjectNode> events = new ArrayList<>(EventSender.BATCH);
    for (int s = b * EventSender.BATCH; s < (b + 1) * EventSender.BATCH; s++) {
      String id = PREFIX + s + (end ? "-end" : "");
      String session = PREFIX + "s" + s;
      String user = PREFIX + "u" + s / 2;
      events.add(
          end
              ? BenchEvents.terminated(id, session, user, at)
              : BenchEvents.sessionCreated(id, session, user, at, "1", "2", "10"));
    }
    return events;
  }
}
